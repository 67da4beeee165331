/**
 * PictureInspector: everything the guard wants to know about one picture, from whichever
 * capabilities are there — the header checked first (size and pixel limits, format), then QR
 * codes, OCR text, faces / NSFW / labels, each with a time limit. What fails is reported, not
 * thrown: a bad picture never stops the pipeline.
 *
 * From the OCR text it finds personal numbers (kinds only — the text itself is redacted) and
 * whether the picture looks like an ID card or a licence plate.
 *
 * @example
 *   const inspector = new PictureInspector({ gate, qr, text: paddle })
 *   const report = await inspector.inspect(bytes)
 *   report.qr // [{ text: 'https://weixin.qq.com/g/…', kind: 'wechat-group', … }]
 */
import type { QrReader } from '../../ports/qr-reader.port.ts'
import {
  type FaceDetail,
  type ImageAnalyzer,
  type ImageGate,
  type PictureHeader,
  type PictureQuality,
  type TextReader,
  VisionError,
} from '../../ports/vision.port.ts'
import { type PiiKind, pictureTextFacts } from './pii.ts'
import { classifyQr, type QrPayload } from './qr-payload.ts'

export interface PictureProblem {
  readonly step: 'header' | 'qr' | 'ocr' | 'facts' | 'quality'
  readonly kind: VisionError['kind']
  readonly message: string
}

export interface PictureReport {
  readonly header?: PictureHeader | undefined
  readonly qr: readonly QrPayload[]
  /** Text read from the picture, with personal numbers masked. */
  readonly ocr?: string | undefined
  readonly faces?: number | undefined
  readonly faceDetails?: readonly FaceDetail[] | undefined
  readonly nsfw?: number | undefined
  readonly labels?: readonly string[] | undefined
  /** Kinds of personal numbers in the picture's text (never the numbers). */
  readonly pii: readonly PiiKind[]
  /** The text reads like a resident ID card (公民身份号码, 居民身份证 …) or holds an ID number. */
  readonly idCardLike: boolean
  /** A licence plate was read. */
  readonly plateLike: boolean
  /** Brightness, contrast, sharpness — when asked for (the selfie score). */
  readonly quality?: PictureQuality | undefined
  /** Milliseconds per step. */
  readonly timings: Readonly<Record<string, number>>
  readonly problems: readonly PictureProblem[]
}

export interface InspectorDeps {
  readonly gate?: ImageGate | undefined
  readonly qr?: QrReader | undefined
  readonly text?: TextReader | undefined
  readonly analyzer?: ImageAnalyzer | undefined
  /** Time limit of each step. @default 10 s */
  readonly timeoutMs?: number | undefined
}

export interface InspectWants {
  /** @default true when a TextReader is there */
  readonly ocr?: boolean
  /** @default true when an ImageAnalyzer is there */
  readonly facts?: boolean
  /** @default true when a QrReader is there */
  readonly qr?: boolean
  /** Brightness, contrast and sharpness; `'faces'`: only when a face was found (the selfie score). @default false */
  readonly quality?: boolean | 'faces'
}

const KINDS = new Set(['throttled', 'bad-image', 'too-large', 'timeout', 'failed'])

export class PictureInspector {
  constructor(private readonly deps: InspectorDeps) {}

  /** Which capabilities this inspector has. */
  get capabilities(): { qr: boolean; ocr: boolean; facts: boolean } {
    return { qr: Boolean(this.deps.qr), ocr: Boolean(this.deps.text), facts: Boolean(this.deps.analyzer) }
  }

  async inspect(image: Uint8Array, wants: InspectWants = {}): Promise<PictureReport> {
    const timings: Record<string, number> = {}
    const problems: PictureProblem[] = []
    const step = async <T>(name: PictureProblem['step'], run: () => Promise<T>): Promise<T | undefined> => {
      const t0 = performance.now()
      try {
        return await this.limited(run(), name)
      } catch (e) {
        // Adapters' own errors (VisionError, QrReadError) carry a kind; anything else is a failure.
        const kind = (e as { kind?: unknown }).kind
        problems.push({
          step: name,
          kind: typeof kind === 'string' && KINDS.has(kind) ? (kind as PictureProblem['kind']) : 'failed',
          message: e instanceof Error ? e.message : String(e),
        })
        return undefined
      } finally {
        timings[name] = Math.round(performance.now() - t0)
      }
    }
    const { gate, qr, text, analyzer } = this.deps
    const header = gate ? await step('header', () => gate.check(image)) : undefined
    const empty = { qr: [], pii: [], idCardLike: false, plateLike: false, timings, problems }
    if (gate && !header) return empty
    const codes = qr && wants.qr !== false ? await step('qr', () => qr.read(image)) : undefined
    const read = text && wants.ocr !== false ? await step('ocr', () => text.ocr(image)) : undefined
    const facts = analyzer && wants.facts !== false ? await step('facts', () => analyzer.facts(image)) : undefined
    const measure = gate?.quality ? (bytes: Uint8Array) => gate.quality?.(bytes) ?? Promise.reject(new Error('no quality')) : undefined
    const measured = wants.quality === 'faces' ? (facts?.faces ?? 0) > 0 : wants.quality === true
    const quality = measure && measured ? await step('quality', () => measure(image)) : undefined
    const found = pictureTextFacts(read?.text ?? '')
    return {
      header,
      qr: (codes ?? []).map(classifyQr),
      ocr: read ? found.text : undefined,
      faces: facts?.faces,
      faceDetails: facts?.faceDetails,
      nsfw: facts?.nsfw,
      labels: facts?.labels.map((l) => l.name),
      pii: found.pii,
      idCardLike: found.idCardLike,
      plateLike: found.pii.includes('plate'),
      quality,
      timings,
      problems,
    }
  }

  private limited<T>(work: Promise<T>, step: string): Promise<T> {
    const ms = this.deps.timeoutMs ?? 10_000
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new VisionError(`${step} took longer than ${ms} ms`, 'timeout')), ms)
      timer.unref?.()
    })
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
  }
}
