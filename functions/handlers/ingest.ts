/**
 * ingest: the inbound FIFO queue's consumer — validate, deduplicate, store, judge or route.
 *
 *   message with a picture or voice file (media key in S3) → vision queue (then moderate)
 *   a member's 识别 / 评分                    → vision queue too, so that it comes after the room's
 *                                              pictures (vision passes it on to moderate)
 *   any other message                        → judged right here with moderate's own code
 *                                              (`moderateMessage`: stored atomically with its
 *                                              decisions, which go to actions and approvals) — a
 *                                              text takes no second queue hop
 *   owner's private message                  → stored, then → approvals queue
 *   joins, leaves                            → stored and judged here with moderate's Guard (the
 *                                              owner's blacklist), decisions sent on like a message's
 *   room snapshots, announcements, …         → stored here
 *
 * Partial batch failures (FIFO-aware): a poison record fails alone and, after the queue's
 * maxReceiveCount, lands in the dead-letter queue. A redelivered event is a duplicate: nothing
 * is stored or forwarded twice (forwards carry the event id as deduplication id as well).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { parseEvent } from '../domain/events.ts'
import { Guard, sameEvent } from '../domain/guard.ts'
import type { ApprovalsRequest, VisionRequest } from '../domain/stage-messages.ts'
import { pictureRequestOf } from '../domain/vision/requests.ts'
import type { GuardStore } from '../ports/guard-store.port.ts'
import type { MessageQueue } from '../ports/message-queue.port.ts'
import { aws } from './aws-clients.ts'
import { firstReceive, type ModerateDeps, depsFromEnv as moderateDepsFromEnv, moderateMembership, moderateMessage } from './moderate.ts'
import { logger, metrics, withPowertools } from './observability.ts'
import { fifoBatch, Outbox, PoisonRecordError } from './sqs-batch.ts'

export { PoisonRecordError }

export interface IngestDeps {
  /** Stores what is not a message (joins, leaves, room snapshots, private messages). */
  readonly guard: Guard
  readonly store: Pick<GuardStore, 'getEvent'>
  /** Judges a plain message here, as the moderate function does (its Guard, classifier, queues). */
  readonly judge: ModerateDeps
  readonly vision: MessageQueue<VisionRequest>
  readonly approvals: MessageQueue<ApprovalsRequest>
}

/** Message types whose media vision reads (pictures) or hears (voice). */
const VISION_TYPES = new Set(['image', 'voice'])

export async function ingestRecord(deps: IngestDeps, record: SQSRecord): Promise<void> {
  let body: unknown
  try {
    body = JSON.parse(record.body)
  } catch {
    throw new PoisonRecordError(`record ${record.messageId} is not JSON`)
  }
  const parsed = parseEvent(body)
  if (!parsed.ok) {
    metrics.addMetric('InvalidEvents', MetricUnit.Count, 1)
    throw new PoisonRecordError(`record ${record.messageId}: ${parsed.error}`)
  }
  const event = parsed.value
  if (event.kind === 'message') {
    const toVision = !!event.media && VISION_TYPES.has(event.type)
    // Moderate finds repeats and reused ids of what it judges (its Guard reads the event first);
    // here only a picture or voice message is looked up, so that vision does not read it twice.
    const before = toVision ? await deps.store.getEvent(event.id) : undefined
    if (before && !sameEvent(before, event)) {
      // The id is taken by a different event: nothing is judged.
      metrics.addMetric('ConflictingEvents', MetricUnit.Count, 1)
      logger.warn('event id reused with different content; not judged', { event: event.id, room: event.room, stored: before.kind })
      return
    }
    if (before) {
      metrics.addMetric('DuplicateEvents', MetricUnit.Count, 1)
      return
    }
    metrics.addMetric('MessagesRouted', MetricUnit.Count, 1)
    if (toVision || pictureRequestOf(event)) await deps.vision.send({ group: event.room, dedupeId: event.id, body: { event } })
    else await moderateMessage(deps.judge, { event }, record.messageId, { firstDelivery: firstReceive(record) })
    return
  }
  // Joins and removals are judged too (the owner's blacklist), by moderate's Guard and sent on as its decisions are.
  const result =
    event.kind === 'join' || event.kind === 'leave' ? await moderateMembership(deps.judge, event) : await deps.guard.handleEvent(event)
  if (result.status === 'conflict')
    logger.warn('event id reused with different content; not stored', { event: event.id, stored: result.stored.kind })
  metrics.addMetric(
    result.status === 'duplicate' ? 'DuplicateEvents' : result.status === 'conflict' ? 'ConflictingEvents' : 'EventsStored',
    MetricUnit.Count,
    1,
  )
  // Forwarded also when a duplicate (the first try may have died before forwarding); SQS drops repeats by id.
  if (event.kind === 'private')
    await deps.approvals.send({ group: `owner-${event.sender}`, dedupeId: event.id, body: { kind: 'answer', event } })
}

/** The batch's sends go out together at its end, ten to a request (Outbox). */
export async function ingestBatch(deps: IngestDeps, event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const outbox = new Outbox()
  const held: IngestDeps = {
    ...deps,
    judge: { ...deps.judge, actions: outbox.queue(deps.judge.actions), approvals: outbox.queue(deps.judge.approvals) },
    vision: outbox.queue(deps.vision),
    approvals: outbox.queue(deps.approvals),
  }
  const response = await fifoBatch(event, context, (record) => outbox.during(record.messageId, () => ingestRecord(held, record)))
  return outbox.flush(event, response)
}

let deps: IngestDeps | undefined
/**
 * Production wiring: TABLE_NAME, VISION_QUEUE_URL, APPROVALS_QUEUE_URL, the guard config's
 * QUNGUARD_CONFIG_KEY in MEDIA_BUCKET (read once per cold start), and moderate's own wiring
 * (ACTIONS_QUEUE_URL, the classifier, the learned rulebook) for the messages judged here.
 */
export async function depsFromEnv(): Promise<IngestDeps> {
  if (deps) return deps
  const config = await aws.guardConfig().load()
  deps ??= {
    guard: new Guard({ store: aws.guardStore(), config }),
    store: aws.guardStore(),
    judge: await moderateDepsFromEnv(),
    vision: aws.queue('VISION_QUEUE_URL'),
    approvals: aws.queue('APPROVALS_QUEUE_URL'),
  }
  return deps
}

export const handler = withPowertools(async function ingestHandler(event: SQSEvent, context: Context) {
  return ingestBatch(await depsFromEnv(), event, context)
})
