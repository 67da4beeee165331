/**
 * TfjsImageAnalyzer: faces and unsafe content with the models that ship inside npm packages —
 * `@vladmandic/face-api` (SSD MobileNet v1 face detector and the expression net, for smiles)
 * and `nsfwjs` (MobileNetV2: Drawing, Hentai, Neutral, Porn, Sexy) — on TensorFlow.js with its
 * WebAssembly backend, the wasm files read from node_modules. Nothing is fetched.
 *
 * Pictures are decoded by sharp (pixel limit first) and scaled to at most 640 pixels on the
 * longer side for faces, 224 for NSFW (what the models see anyway). Labels are the NSFW
 * model's categories above 0.5 and, with `objects: true`, the COCO objects (person, car,
 * cell phone, … 80 kinds) that the CenterNet (MobileNetV3) model inside `@vladmandic/human`
 * finds — a small model: it sees people well and a car's rear close up not at all
 * (docs/vision.md), so it is off by default.
 *
 * @example
 *   const analyzer = new TfjsImageAnalyzer()
 *   await analyzer.facts(bytes) // { faces: 1, faceDetails: [{ box, confidence, smile }], nsfw: 0.01, … }
 */
import fs from 'node:fs/promises'
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
  /** Also detect COCO objects (CenterNet, about 0.4 s a picture on two cores). @default false */
  readonly objects?: boolean
  /** Least confidence of an object. @default 0.4 */
  readonly minObjectConfidence?: number
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

interface GraphModel {
  execute(input: unknown, output: string): { array(): Promise<unknown>; dispose(): void }
}
let objectModel: Promise<GraphModel> | undefined

/** CenterNet from `@vladmandic/human`'s models directory, read from disk into the same tfjs. */
async function loadObjects(tf: Tf): Promise<GraphModel> {
  // The package exports no subpaths: its models sit next to its dist directory.
  const dir = path.join(path.dirname(require.resolve('@vladmandic/human')), '..', 'models')
  const json = JSON.parse(await fs.readFile(path.join(dir, 'centernet.json'), 'utf8'))
  const weights = await fs.readFile(path.join(dir, 'centernet.bin'))
  return (await tf.loadGraphModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((m: { weights: unknown[] }) => m.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature,
    }),
  })) as unknown as GraphModel
}

/** The 80 COCO categories, in the order of the model's class numbers. */
// biome-ignore format: ten a row, so that a class number is easy to find
const COCO = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light',
  'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow',
  'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee',
  'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
  'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed',
  'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven',
  'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush',
] as const

/**
 * Labels from CenterNet's detections (rows of x1, y1, x2, y2, score, class): each category
 * found at `min` or more, once, with its best score, best first.
 */
export function objectLabels(rows: readonly (readonly number[])[], min: number): { name: string; confidence: number }[] {
  const best = new Map<string, number>()
  for (const [, , , , score = 0, cls = -1] of rows) {
    const name = COCO[Math.round(cls)]
    if (name && score >= min && score > (best.get(name) ?? 0)) best.set(name, score)
  }
  return [...best].map(([name, confidence]) => ({ name, confidence })).sort((a, b) => b.confidence - a.confidence)
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
    const { tf } = await models
    if (this.options.objects) {
      objectModel ??= loadObjects(tf)
      await objectModel
    }
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
    const forObjects = this.options.objects ? await this.objectInput(image, tf) : undefined
    try {
      const objects = forObjects ? await this.objects(tf, forObjects) : []
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
        labels: [...classes.filter((c) => c.probability >= 0.5).map((c) => ({ name: c.className, confidence: c.probability })), ...objects],
      }
    } catch (e) {
      throw new VisionError(`face, NSFW or object model failed: ${(e as Error).message}`, 'failed', { cause: e })
    } finally {
      forFaces.dispose()
      forNsfw.dispose()
      forObjects?.dispose()
    }
  }

  /** The picture as CenterNet takes it: 512×512 (stretched), RGB 0…255. */
  private async objectInput(image: Uint8Array, tf: Tf) {
    try {
      const { data } = await sharp(image, { limitInputPixels: this.options.maxPixels ?? 40_000_000 })
        .rotate()
        .resize(512, 512, { fit: 'fill' })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true })
      return tf.tensor4d(Float32Array.from(data), [1, 512, 512, 3])
    } catch (e) {
      throw new VisionError(`cannot decode the picture: ${(e as Error).message}`, 'bad-image', { cause: e })
    }
  }

  private async objects(tf: Tf, input: ReturnType<Tf['tensor4d']>): Promise<{ name: string; confidence: number }[]> {
    objectModel ??= loadObjects(tf)
    const model = await objectModel
    const out = model.execute(input, 'tower_0/detections')
    try {
      const [rows = []] = (await out.array()) as number[][][]
      return objectLabels(rows, this.options.minObjectConfidence ?? 0.4)
    } finally {
      out.dispose()
    }
  }
}
