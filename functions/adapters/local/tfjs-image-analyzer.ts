/**
 * TfjsImageAnalyzer: faces and unsafe content with the models that ship inside npm packages —
 * `@vladmandic/face-api` (SSD MobileNet v1 face detector and the expression net, for smiles)
 * and `nsfwjs` (MobileNetV2: Drawing, Hentai, Neutral, Porn, Sexy) — on TensorFlow.js with its
 * WebAssembly backend, the wasm files read from node_modules. Nothing is fetched.
 *
 * Pictures are decoded by sharp (pixel limit first) and scaled to at most 640 pixels on the
 * longer side for faces, 224 for NSFW (what the models see anyway). Labels are the NSFW
 * model's categories above 0.5: there is no general object model locally (Rekognition gives
 * labels on AWS).
 *
 * @example
 *   const analyzer = new TfjsImageAnalyzer()
 *   await analyzer.facts(bytes) // { faces: 1, faceDetails: [{ box, confidence, smile }], nsfw: 0.01, … }
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import sharp from 'sharp'
import { type ImageAnalyzer, type ImageFacts, VisionError } from '../../ports/vision.port.ts'

const require = createRequire(import.meta.url)

export interface TfjsImageAnalyzerOptions {
  /** @default 40 million */
  readonly maxPixels?: number
  /** Least confidence of a face. @default 0.5 */
  readonly minFaceConfidence?: number
}

// The CommonJS builds, so that face-api, nsfwjs and this file share one TensorFlow.js instance.
type Tf = typeof import('@tensorflow/tfjs')
interface Prediction {
  className: string
  probability: number
}
interface NsfwModel {
  classify(img: unknown): Promise<Prediction[]>
}
interface FaceResult {
  detection: { score: number; relativeBox: { x: number; y: number; width: number; height: number } }
  expressions: Record<string, number>
}
interface FaceApi {
  nets: { ssdMobilenetv1: { loadFromDisk(dir: string): Promise<void> }; faceExpressionNet: { loadFromDisk(dir: string): Promise<void> } }
  SsdMobilenetv1Options: new (o: { minConfidence: number }) => unknown
  detectAllFaces(img: unknown, options: unknown): { withFaceExpressions(): Promise<FaceResult[]> }
}

interface Models {
  tf: Tf
  nsfw: NsfwModel
  faces: FaceApi
}
let models: Promise<Models> | undefined

async function load(): Promise<Models> {
  const tf = require('@tensorflow/tfjs') as Tf
  const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string): void }
  wasm.setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`)
  if (!(await tf.setBackend('wasm'))) throw new Error('the TensorFlow.js wasm backend did not start')
  await tf.ready()
  const nsfwjs = require('nsfwjs') as { load(name: string): Promise<NsfwModel> }
  const faces = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi
  const dir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model')
  const [nsfw] = await Promise.all([
    quietly(() => nsfwjs.load('MobileNetV2')),
    faces.nets.ssdMobilenetv1.loadFromDisk(dir),
    faces.nets.faceExpressionNet.loadFromDisk(dir),
  ])
  return { tf, nsfw, faces }
}

/** nsfwjs prints a note about hosting models (console.info) on every load. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const info = console.info
  console.info = () => {}
  try {
    return await fn()
  } finally {
    console.info = info
  }
}

export class TfjsImageAnalyzer implements ImageAnalyzer {
  constructor(private readonly options: TfjsImageAnalyzerOptions = {}) {}

  /** Loads the models now (about 0.6 s) rather than on the first picture. */
  async warm(): Promise<void> {
    models ??= load()
    await models
  }

  async facts(image: Uint8Array): Promise<ImageFacts> {
    models ??= load()
    const { tf, nsfw, faces } = await models
    const pixels = async (side: number) => {
      try {
        const { data, info } = await sharp(image, { limitInputPixels: this.options.maxPixels ?? 40_000_000 })
          .rotate()
          .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
          .removeAlpha()
          .raw()
          .toBuffer({ resolveWithObject: true })
        return tf.tensor3d(new Uint8Array(data), [info.height, info.width, 3], 'int32')
      } catch (e) {
        throw new VisionError(`cannot decode the picture: ${(e as Error).message}`, 'bad-image', { cause: e })
      }
    }
    const forFaces = await pixels(640)
    const forNsfw = await pixels(320)
    try {
      const [found, classes] = await Promise.all([
        faces
          .detectAllFaces(forFaces, new faces.SsdMobilenetv1Options({ minConfidence: this.options.minFaceConfidence ?? 0.5 }))
          .withFaceExpressions(),
        nsfw.classify(forNsfw),
      ])
      const unsafe = classes.filter((c) => c.className === 'Porn' || c.className === 'Hentai' || c.className === 'Sexy')
      return {
        faces: found.length,
        faceDetails: found.map((f) => ({
          box: {
            x: f.detection.relativeBox.x,
            y: f.detection.relativeBox.y,
            width: f.detection.relativeBox.width,
            height: f.detection.relativeBox.height,
          },
          confidence: f.detection.score,
          smile: f.expressions.happy,
        })),
        nsfw: Math.max(0, ...classes.filter((c) => c.className === 'Porn' || c.className === 'Hentai').map((c) => c.probability)),
        unsafeLabels: unsafe.filter((c) => c.probability >= 0.5).map((c) => c.className),
        labels: classes.filter((c) => c.probability >= 0.5).map((c) => ({ name: c.className, confidence: c.probability })),
      }
    } catch (e) {
      throw new VisionError(`face or NSFW model failed: ${(e as Error).message}`, 'failed', { cause: e })
    } finally {
      forFaces.dispose()
      forNsfw.dispose()
    }
  }
}
