/**
 * MediaStage: the embedded guard's eyes and ears. For each picture it runs the
 * PictureInspector and hands the Guard the features (text read, QR codes, personal numbers,
 * NSFW score); for each voice message it decodes SILK and, when a speech command is configured,
 * transcribes it. It remembers each room's latest pictures for ten minutes, so that `识别`
 * (the text of a picture) and `评分` (the playful selfie score) can be answered.
 *
 * Problems (a corrupt file, over a limit, a timeout) are returned as lines for the log; the
 * message is judged without the features and stored as usual — never a stall.
 *
 * @example
 *   const stage = new MediaStage({ inspector, voice: { decoder } })
 *   const { features, problems } = await stage.analyse(event, () => download(event))
 */
import type { MessageEvent } from '../functions/domain/events.ts'
import { toMillis } from '../functions/domain/events.ts'
import type { MessageFeatures } from '../functions/domain/policy.ts'
import type { PictureInspector, PictureReport } from '../functions/domain/vision/inspector.ts'
import { pictureFeatures } from '../functions/domain/vision/picture-features.ts'
import { redactPii } from '../functions/domain/vision/pii.ts'
import { ocrReplyText, parseVisionRequest, selfieScore } from '../functions/domain/vision/requests.ts'
import type { SpeechToText, VoiceDecoder } from '../functions/ports/speech.port.ts'

export interface MediaStageOptions {
  /** A promise while the models load: picture checks wait for it (undefined: no pictures looked at). */
  readonly inspector?: PictureInspector | Promise<PictureInspector | undefined> | undefined
  readonly voice?: { readonly decoder: VoiceDecoder; readonly stt?: SpeechToText | undefined } | undefined
  /** How long a picture can be asked about. @default 10 min */
  readonly memoryMs?: number
}

interface Seen {
  readonly id: string
  readonly sender: string
  readonly ms: number
  readonly bytes: Uint8Array
  report: PictureReport
}

export interface Analysis {
  readonly features?: MessageFeatures | undefined
  readonly problems: readonly string[]
}

export class MediaStage {
  private readonly recent = new Map<string, Seen[]>()

  constructor(private readonly options: MediaStageOptions) {}

  /** Features of a picture or voice message; `load` fetches its bytes (undefined: none to be had). */
  async analyse(msg: MessageEvent, load: () => Promise<Uint8Array | undefined>): Promise<Analysis> {
    const inspector = msg.type === 'image' ? await this.options.inspector : undefined
    if (inspector) return this.picture(msg, load, inspector)
    if (msg.type === 'voice' && this.options.voice) return this.voice(msg, load, this.options.voice)
    return { problems: [] }
  }

  /**
   * The answer to a member's `识别` or `评分`, or undefined when the message asks for nothing
   * (or the group has not switched the feature on).
   */
  async answer(msg: MessageEvent, allowed: { ocr: boolean; selfie: boolean }): Promise<string | undefined> {
    const request = msg.type === 'text' && msg.text ? parseVisionRequest(msg.text) : undefined
    const inspector = request ? await this.options.inspector : undefined
    if (!request || !inspector) return undefined
    const now = toMillis(msg.ts)
    const memory = this.options.memoryMs ?? 600_000
    const pictures = (this.recent.get(msg.room) ?? []).filter((p) => now - p.ms <= memory)
    if (request === 'ocr') {
      if (!allowed.ocr) return undefined
      const latest = pictures.at(-1)
      if (!latest) return ocrReplyText(undefined)
      if (latest.report.ocr === undefined) latest.report = await inspector.inspect(latest.bytes, { qr: false, facts: false })
      return ocrReplyText(redactPii(latest.report.ocr ?? ''))
    }
    if (!allowed.selfie) return undefined
    const own = pictures.filter((p) => p.sender === msg.sender).at(-1)
    if (!own) return '[qunguard] 先发一张自己的照片，再发「评分」。'
    const report = await inspector.inspect(own.bytes, { qr: false, ocr: false, quality: true })
    return selfieScore(report).text
  }

  private async picture(msg: MessageEvent, load: () => Promise<Uint8Array | undefined>, inspector: PictureInspector): Promise<Analysis> {
    let bytes: Uint8Array | undefined
    try {
      bytes = await load()
    } catch (e) {
      return { problems: [`picture ${msg.id}: could not download it: ${(e as Error).message}`] }
    }
    if (!bytes) return { problems: [`picture ${msg.id}: the puppet gave no file`] }
    const report = await inspector.inspect(bytes)
    const list = (this.recent.get(msg.room) ?? []).filter((p) => toMillis(msg.ts) - p.ms <= (this.options.memoryMs ?? 600_000))
    if (!report.problems.some((p) => p.step === 'header'))
      list.push({ id: msg.id, sender: msg.sender, ms: toMillis(msg.ts), bytes, report })
    this.recent.set(msg.room, list.slice(-5))
    return {
      features: pictureFeatures(report),
      problems: report.problems.map((p) => `picture ${msg.id}: ${p.step}: ${p.kind}: ${p.message}`),
    }
  }

  private async voice(
    msg: MessageEvent,
    load: () => Promise<Uint8Array | undefined>,
    voice: NonNullable<MediaStageOptions['voice']>,
  ): Promise<Analysis> {
    try {
      const bytes = await load()
      if (!bytes) return { problems: [`voice ${msg.id}: the puppet gave no file`] }
      const pcm = await voice.decoder.decode(bytes)
      if (!voice.stt) return { problems: [] }
      const text = await voice.stt.transcribe(pcm)
      // Not masked here: the privacy rule reads it; the Guard masks what it stores and shows.
      return { features: text ? { voiceText: text } : undefined, problems: [] }
    } catch (e) {
      const kind = (e as { kind?: string }).kind ?? 'failed'
      return { problems: [`voice ${msg.id}: ${kind}: ${(e as Error).message}`] }
    }
  }
}
