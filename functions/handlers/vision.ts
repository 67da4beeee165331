/**
 * vision: reads the picture of an image message (from S3, by the event's media key) — its text,
 * labels, faces and unsafe content — and hands the message on to moderate with what it found:
 * the text with personal numbers masked, their kinds, the facts. QR codes are decoded with
 * zxing-wasm (their contents and kinds join the text). What was read is also remembered for ten
 * minutes (FactsStore), so that moderate can answer a member's 识别 / 评分; ingest routes those
 * requests through this function's queue so that they come after the room's pictures.
 *
 * Which eyes (`VISION_MODE`): `local` — the embedded guard's own models (PaddleOCR for Chinese
 * and English text, face-api and nsfwjs on tfjs, sharp for quality), in the container image
 * `vision-local.ts` starts; `aws` — Textract (Latin script only) and Rekognition, in a zip bundle.
 * A voice message's SILK file is decoded (silk-wasm) and transcribed by Amazon Transcribe
 * (zh-CN); the transcript goes to moderate like typed text.
 *
 * A picture that cannot be read (missing, corrupt, unsupported) never stalls the room: the
 * message goes on to moderate without facts and with the reason, and is stored and judged as
 * usual. Throttling fails the record so that SQS retries it later.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { imageSize } from 'image-size'
import { SilkVoiceDecoder } from '../adapters/local/silk-voice.ts'
import { type ModerateRequest, VisionRequestSchema } from '../domain/stage-messages.ts'
import { pictureFeatures } from '../domain/vision/picture-features.ts'
import { pictureTextFacts } from '../domain/vision/pii.ts'
import { classifyQr } from '../domain/vision/qr-payload.ts'
import { rememberPicture } from '../domain/vision/requests.ts'
import type { FactsStore } from '../ports/facts-store.port.ts'
import type { MediaStore } from '../ports/media-store.port.ts'
import type { MessageQueue } from '../ports/message-queue.port.ts'
import type { QrReader } from '../ports/qr-reader.port.ts'
import type { SpeechToText, VoiceDecoder } from '../ports/speech.port.ts'
import { type PictureHeader, type PictureQuality, type Vision, VisionError } from '../ports/vision.port.ts'
import { aws } from './aws-clients.ts'
import { logger, metrics, withPowertools } from './observability.ts'
import { fifoBatch, recordBody } from './sqs-batch.ts'

export interface VisionDeps {
  readonly media: MediaStore
  readonly vision: Vision
  readonly moderate: MessageQueue<ModerateRequest>
  /** QR codes (zxing-wasm, no native code). Without it pictures are read without their codes. */
  readonly qr?: QrReader | undefined
  /** Voice messages: SILK decoding and speech to text (Amazon Transcribe). Without them voice goes on as it is. */
  readonly voice?: { readonly decoder: VoiceDecoder; readonly stt: SpeechToText } | undefined
  /** Where what was read from each picture is kept for 识别 / 评分. Without it those go unanswered. */
  readonly facts?: Pick<FactsStore, 'rememberPicture'> | undefined
  /**
   * Brightness, contrast and sharpness of a picture with a face (the selfie score), measured here
   * (sharp); without it, what the analyzer measured of the face (Rekognition), if anything.
   */
  readonly quality?: ((image: Uint8Array) => Promise<PictureQuality>) | undefined
}

export async function visionRecord(deps: VisionDeps, record: SQSRecord): Promise<void> {
  const { event } = recordBody(VisionRequestSchema, record)
  let next: ModerateRequest = { event }
  // A member's 识别 / 评分 (ingest sent it this way to come after the room's pictures): on to moderate.
  if (event.type === 'text') return deps.moderate.send({ group: event.room, dedupeId: event.id, body: next })
  const key = event.media ?? ''
  const bytes = key ? await deps.media.get(key) : undefined
  if (!bytes) {
    next = { event, visionError: `media ${key || '(none)'} not found` }
  } else if (event.type === 'voice') {
    next = await hear(deps, event, bytes)
  } else {
    try {
      const [ocr, facts, codes] = await Promise.all([
        deps.vision.ocr(bytes),
        deps.vision.facts(bytes),
        // A picture zxing cannot read still has its text and facts.
        deps.qr ? deps.qr.read(bytes).catch(() => [] as string[]) : Promise.resolve([] as string[]),
      ])
      // Personal numbers are found in the raw text and never leave this function unmasked.
      const read = pictureTextFacts(ocr.text)
      const features = pictureFeatures({ ...read, ocr: read.text, qr: codes.map(classifyQr), plateLike: false, timings: {}, problems: [] })
      if (deps.facts) {
        const quality = facts.faces > 0 && deps.quality ? await deps.quality(bytes).catch(() => facts.quality) : facts.quality
        const picture = { ocr: read.text, faceDetails: facts.faceDetails, header: headerOf(bytes), quality, problems: [] }
        await rememberPicture(deps.facts, event, picture)
      }
      next = {
        event,
        imageText: features.imageText,
        ...(codes.length ? { qr: codes } : {}),
        image: { labels: [...facts.labels], faces: facts.faces, nsfw: facts.nsfw, unsafeLabels: [...facts.unsafeLabels] },
        ...(features.pii?.length ? { pii: [...features.pii] } : {}),
      }
      metrics.addMetric('ImagesRead', MetricUnit.Count, 1)
    } catch (e) {
      if (e instanceof VisionError && e.kind === 'throttled') throw e
      metrics.addMetric('ImagesUnreadable', MetricUnit.Count, 1)
      next = { event, visionError: e instanceof Error ? e.message : String(e) }
    }
  }
  if (next.visionError) logger.warn('picture not read', { event: event.id, room: event.room, error: next.visionError })
  await deps.moderate.send({ group: event.room, dedupeId: event.id, body: next })
}

/** The picture's format and size from its header (image-size, nothing decoded); undefined when unreadable. */
function headerOf(bytes: Uint8Array): PictureHeader | undefined {
  try {
    const { type, width, height } = imageSize(bytes)
    return { format: type ?? 'unknown', width, height, bytes: bytes.byteLength }
  } catch {
    return undefined
  }
}

/** A voice message's transcript; a file that cannot be decoded or heard goes on without one. */
async function hear(deps: VisionDeps, event: ModerateRequest['event'], bytes: Uint8Array): Promise<ModerateRequest> {
  if (!deps.voice) return { event }
  try {
    const text = await deps.voice.stt.transcribe(await deps.voice.decoder.decode(bytes))
    metrics.addMetric('VoiceTranscribed', MetricUnit.Count, 1)
    return text ? { event, voiceText: text } : { event }
  } catch (e) {
    metrics.addMetric('VoiceUnreadable', MetricUnit.Count, 1)
    return { event, visionError: e instanceof Error ? e.message : String(e) }
  }
}

export function visionBatch(deps: VisionDeps, event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return fifoBatch(event, context, (record) => visionRecord(deps, record))
}

let deps: VisionDeps | undefined
/**
 * Production wiring: MEDIA_BUCKET, MODERATE_QUEUE_URL, FACTS_TABLE_NAME (what was read, for 识别 / 评分);
 * `eyes` (the local models) from `vision-local.ts`, Textract and Rekognition otherwise.
 */
export function depsFromEnv(eyes?: Pick<VisionDeps, 'vision' | 'quality' | 'qr'>): VisionDeps {
  deps ??= {
    media: aws.media(),
    vision: eyes?.vision ?? aws.vision(),
    quality: eyes?.quality,
    moderate: aws.queue('MODERATE_QUEUE_URL'),
    voice: { decoder: new SilkVoiceDecoder(), stt: aws.transcribe() },
    qr: eyes?.qr ?? aws.qrReader(),
    facts: aws.factsStore(),
  }
  return deps
}

export const handler = withPowertools(function visionHandler(event: SQSEvent, context: Context) {
  return visionBatch(depsFromEnv(), event, context)
})
