/**
 * The embedded vision: every local capability that loads on this machine, as one
 * PictureInspector — QR codes (zxing-wasm), OCR (PaddleOCR on onnxruntime), and faces / NSFW
 * (and, asked for, COCO objects) on tfjs wasm when their packages load. All models come from npm; nothing is fetched.
 *
 * @example
 *   const { inspector, available } = await localVision()
 *   available // { qr: true, ocr: true, facts: true }
 */
import { PictureInspector } from '../../domain/vision/inspector.ts'
import type { QrReader } from '../../ports/qr-reader.port.ts'
import type { ImageAnalyzer, TextReader } from '../../ports/vision.port.ts'
import { PaddleOcr } from './paddle-ocr.ts'
import { SharpImageGate } from './sharp-image-gate.ts'
import { ZxingQrReader } from './zxing-qr-reader.ts'

export interface LocalVisionOptions {
  /** @default 20 MiB */
  readonly maxBytes?: number
  /** @default 40 million */
  readonly maxPixels?: number
  /** Per step. @default 10 s */
  readonly timeoutMs?: number
  /** Skip OCR (it loads ~20 MB of models). @default false */
  readonly noOcr?: boolean
  /** Skip faces and NSFW. @default false */
  readonly noFacts?: boolean
  /** Also label COCO objects (CenterNet from `@vladmandic/human`). @default false */
  readonly objects?: boolean
}

export interface LocalVision {
  readonly inspector: PictureInspector
  /** The capabilities one by one (for a host that calls them itself: the vision function's container image). */
  readonly parts: {
    readonly gate: SharpImageGate
    readonly qr?: QrReader | undefined
    readonly text?: TextReader | undefined
    readonly analyzer?: ImageAnalyzer | undefined
  }
  readonly available: { readonly qr: boolean; readonly ocr: boolean; readonly facts: boolean }
  /** Why a capability is missing. */
  readonly missing: Readonly<Record<string, string>>
}

export async function localVision(options: LocalVisionOptions = {}): Promise<LocalVision> {
  const missing: Record<string, string> = {}
  const limits = { maxBytes: options.maxBytes, maxPixels: options.maxPixels }
  const qr = await ZxingQrReader.create(limits).catch((e: unknown) => {
    missing.qr = (e as Error).message
    return undefined
  })
  let text: TextReader | undefined
  if (!options.noOcr) {
    const ocr = new PaddleOcr({ maxPixels: options.maxPixels })
    text = await ocr
      .warm()
      .then(() => ocr)
      .catch((e: unknown) => {
        missing.ocr = (e as Error).message
        return undefined
      })
  }
  let analyzer: ImageAnalyzer | undefined
  if (!options.noFacts) {
    analyzer = await import('./tfjs-image-analyzer.ts')
      .then(async (m) => {
        const a = new m.TfjsImageAnalyzer({ maxPixels: options.maxPixels, objects: options.objects })
        await a.warm()
        return a
      })
      .catch((e: unknown) => {
        missing.facts = (e as Error).message
        return undefined
      })
  }
  const gate = new SharpImageGate(limits)
  const inspector = new PictureInspector({ gate, qr, text, analyzer, timeoutMs: options.timeoutMs })
  return { inspector, parts: { gate, qr, text, analyzer }, available: inspector.capabilities, missing }
}
