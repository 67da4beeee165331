/**
 * MediaStage: the embedded guard's eyes and ears. For each picture it runs the
 * PictureInspector and hands the Guard the features (text read, QR codes, personal numbers,
 * NSFW score); for each voice message it decodes SILK and, when a speech command is configured,
 * transcribes it. What it read from a picture (the report) goes with the features to the
 * GuardSession, which remembers it so that `识别` (the text of a picture) and `评分` (the playful
 * selfie score) can be answered — the same way the vision function does on AWS.
 *
 * Problems (a corrupt file, over a limit, a timeout) are returned as lines for the log; the
 * message is judged without the features and stored as usual — never a stall.
 *
 * @example
 *   const stage = new MediaStage({ inspector, voice: { decoder } })
 *   const { features, problems } = await stage.analyse(event, () => download(event))
 */
import type { MessageEvent } from '../functions/domain/events.ts'
import type { MessageFeatures } from '../functions/domain/policy.ts'
import type { PictureInspector, PictureReport } from '../functions/domain/vision/inspector.ts'
import { pictureFeatures } from '../functions/domain/vision/picture-features.ts'
import type { SpeechToText, VoiceDecoder } from '../functions/ports/speech.port.ts'

export interface MediaStageOptions {
  /** A promise while the models load: picture checks wait for it (undefined: no pictures looked at). */
  readonly inspector?: PictureInspector | Promise<PictureInspector | undefined> | undefined
  readonly voice?: { readonly decoder: VoiceDecoder; readonly stt?: SpeechToText | undefined } | undefined
}

export interface Analysis {
  readonly features?: MessageFeatures | undefined
  /** What was read from a picture (for 识别 / 评分). */
  readonly picture?: PictureReport | undefined
  readonly problems: readonly string[]
}

export class MediaStage {
  constructor(private readonly options: MediaStageOptions) {}

  /** Features of a picture or voice message; `load` fetches its bytes (undefined: none to be had). */
  async analyse(msg: MessageEvent, load: () => Promise<Uint8Array | undefined>): Promise<Analysis> {
    const inspector = msg.type === 'image' ? await this.options.inspector : undefined
    if (inspector) return this.picture(msg, load, inspector)
    if (msg.type === 'voice' && this.options.voice) return this.voice(msg, load, this.options.voice)
    return { problems: [] }
  }

  private async picture(msg: MessageEvent, load: () => Promise<Uint8Array | undefined>, inspector: PictureInspector): Promise<Analysis> {
    let bytes: Uint8Array | undefined
    try {
      bytes = await load()
    } catch (e) {
      return { problems: [`picture ${msg.id}: could not download it: ${(e as Error).message}`] }
    }
    if (!bytes) return { problems: [`picture ${msg.id}: the puppet gave no file`] }
    // Quality (for the selfie score) is measured only when a face is there to score.
    const report = await inspector.inspect(bytes, { quality: 'faces' })
    return {
      features: pictureFeatures(report),
      picture: report,
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
