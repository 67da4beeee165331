/**
 * vision: reads the picture of an image message (from S3, by the event's media key) — its text
 * with Textract, labels, faces and unsafe content with Rekognition — and hands the message on to
 * moderate with what it found: the text with personal numbers masked, their kinds, the facts.
 * QR codes are decoded with zxing-wasm (their contents and kinds join the text).
 * A voice message's SILK file is decoded (silk-wasm) and transcribed by Amazon Transcribe
 * (zh-CN); the transcript goes to moderate like typed text.
 *
 * A picture that cannot be read (missing, corrupt, unsupported) never stalls the room: the
 * message goes on to moderate without facts and with the reason, and is stored and judged as
 * usual. Throttling fails the record so that SQS retries it later.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { SilkVoiceDecoder } from '../adapters/local/silk-voice.ts'
import { type ModerateRequest, VisionRequestSchema } from '../domain/stage-messages.ts'
import { pictureFeatures } from '../domain/vision/picture-features.ts'
import { pictureTextFacts } from '../domain/vision/pii.ts'
import { classifyQr } from '../domain/vision/qr-payload.ts'
import type { MediaStore } from '../ports/media-store.port.ts'
import type { MessageQueue } from '../ports/message-queue.port.ts'
import type { QrReader } from '../ports/qr-reader.port.ts'
import type { SpeechToText, VoiceDecoder } from '../ports/speech.port.ts'
import { type Vision, VisionError } from '../ports/vision.port.ts'
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
}

export async function visionRecord(deps: VisionDeps, record: SQSRecord): Promise<void> {
  const { event } = recordBody(VisionRequestSchema, record)
  let next: ModerateRequest = { event }
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
/** Production wiring: MEDIA_BUCKET, MODERATE_QUEUE_URL. */
export function depsFromEnv(): VisionDeps {
  deps ??= {
    media: aws.media(),
    vision: aws.vision(),
    moderate: aws.queue('MODERATE_QUEUE_URL'),
    voice: { decoder: new SilkVoiceDecoder(), stt: aws.transcribe() },
    qr: aws.qrReader(),
  }
  return deps
}

export const handler = withPowertools(function visionHandler(event: SQSEvent, context: Context) {
  return visionBatch(depsFromEnv(), event, context)
})
