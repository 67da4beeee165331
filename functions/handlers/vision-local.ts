/**
 * The vision function with the embedded guard's own models, for its container image
 * (functions/vision.Dockerfile, `-c vision=local`, the default): PaddleOCR reads Chinese and
 * English, face-api and nsfwjs (tfjs wasm) find faces and unsafe pictures, sharp measures a
 * selfie's quality, zxing-wasm reads QR codes — the same models and code as `npm start`, so a
 * picture is read alike in both runtimes. Transcribe still hears voice.
 *
 * The models load once per container, on its first batch (about 2 s; `npm run bench:vision --
 * --lambda` measures it with the per-picture time and cost). A model that cannot load fails the
 * cold start loudly rather than judging pictures half-read.
 */
import type { Context, SQSEvent } from 'aws-lambda'
import { localVision } from '../adapters/local/local-vision.ts'
import type { Vision } from '../ports/vision.port.ts'
import { withPowertools } from './observability.ts'
import { depsFromEnv, type VisionDeps, visionBatch } from './vision.ts'

let eyes: Promise<Pick<VisionDeps, 'vision' | 'quality' | 'qr'>> | undefined

/** The local models as the vision function's eyes; throws naming what did not load. */
export async function localEyes(): Promise<Pick<VisionDeps, 'vision' | 'quality' | 'qr'>> {
  const local = await localVision()
  const { gate, qr, text, analyzer } = local.parts
  if (!text || !analyzer || !qr) throw new Error(`the vision models did not load: ${JSON.stringify(local.missing)}`)
  const vision: Vision = { ocr: (image) => text.ocr(image), facts: (image) => analyzer.facts(image) }
  return { vision, qr, quality: (image) => gate.check(image).then(() => gate.quality(image)) }
}

export const handler = withPowertools(async function visionLocalHandler(event: SQSEvent, context: Context) {
  // A cold start whose models failed to load tries again on the next batch.
  eyes ??= localEyes().catch((e: unknown) => {
    eyes = undefined
    throw e
  })
  return visionBatch(depsFromEnv(await eyes), event, context)
})
