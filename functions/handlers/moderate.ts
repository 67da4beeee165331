/**
 * moderate: judges one message — keyword rules, the picture's text, the ad classifier, the
 * learned rulebook retraining saved (its memory of members in DynamoDB: FactsStore) — and
 * stores it with its decisions in one transaction (the Guard, as embedded). Active decisions go
 * to the action queue for the bot host; every decision goes to approvals (supervision: the rule's
 * record, a request to the owner for a shadow one, a review in the digest for an active one).
 * A member's 识别 / 评分 is answered in the group from what vision remembered of the room's
 * latest pictures (`pictureReply`, as the embedded GuardSession does).
 *
 * The classifier is the SageMaker endpoint the retraining workflow deploys; until that endpoint
 * exists — or always, with the SageMaker path off — it is the in-process model learn saved in S3.
 * Before any model exists the message is judged by its rules alone; a throttled endpoint fails
 * the record for a retry.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { withFallback } from '../domain/classifier-fallback.ts'
import type { Config } from '../domain/config.ts'
import type { JoinEvent, LeaveEvent } from '../domain/events.ts'
import { Guard, type HandledDecision, type HandleResult } from '../domain/guard.ts'
import type { LearnedPolicy } from '../domain/learning/rule-learner.ts'
import { type ClassifierRuleOptions, messageText } from '../domain/policy.ts'
import { pictureReply } from '../domain/session.ts'
import { type ApprovalsRequest, type ModerateRequest, ModerateRequestSchema } from '../domain/stage-messages.ts'
import { IN_PROCESS_MODEL_KEY, StoredClassifier } from '../domain/stored-classifier.ts'
import { StoredRuleModes } from '../domain/supervision/stored-rule-modes.ts'
import type { ActionRequest } from '../ports/action-executor.port.ts'
import { ClassifierError, type TextClassifier } from '../ports/classifier.port.ts'
import type { FactsStore } from '../ports/facts-store.port.ts'
import type { MessageQueue } from '../ports/message-queue.port.ts'
import { aws } from './aws-clients.ts'
import { logger, metrics, withPowertools } from './observability.ts'
import { fifoBatch, PoisonRecordError, recordBody } from './sqs-batch.ts'

export interface ModerateDeps {
  /** The Guard, or where to get the one for the current learned rulebook (reloaded by retraining). */
  readonly guard: Guard | (() => Promise<Guard>)
  readonly classifier?: TextClassifier | undefined
  readonly actions: MessageQueue<ActionRequest>
  readonly approvals: MessageQueue<ApprovalsRequest>
  /** The rooms' recent pictures (vision remembers them): answers to 识别 / 评分. Without it those go unanswered. */
  readonly facts?: FactsStore | undefined
}

async function spamScore(classifier: TextClassifier | undefined, text: string, room: string): Promise<number | undefined> {
  if (!classifier || !text.trim()) return undefined
  try {
    const [p] = await classifier.classify([text], room)
    return p?.score
  } catch (e) {
    if (e instanceof ClassifierError && e.kind === 'throttled') throw e // retry the record later
    if (!(e instanceof ClassifierError && e.kind === 'unavailable')) {
      metrics.addMetric('ClassifierErrors', MetricUnit.Count, 1)
      logger.warn('classifier failed; judging by rules alone', { error: (e as Error).message })
    }
    return undefined
  }
}

export async function moderateRecord(deps: ModerateDeps, record: SQSRecord): Promise<void> {
  await moderateMessage(deps, recordBody(ModerateRequestSchema, record), record.messageId, { firstDelivery: firstReceive(record) })
}

/**
 * Judges one message and sends what it decided — the moderate function's work for a record, and
 * ingest's for a plain message (judged where it arrives: one queue hop fewer for text).
 */
/** Whether an SQS record is its message's first receive: the guard need not look for a repeat before judging it. */
export const firstReceive = (record: SQSRecord): boolean => record.attributes.ApproximateReceiveCount === '1'

export async function moderateMessage(
  deps: ModerateDeps,
  req: ModerateRequest,
  recordId: string,
  options: { readonly firstDelivery?: boolean } = {},
): Promise<void> {
  const { event } = req
  if (req.visionError) logger.warn('picture not read', { event: event.id, room: event.room, error: req.visionError })
  const features = {
    imageText: req.imageText,
    spamScore: await spamScore(deps.classifier, messageText(event, { imageText: req.imageText, voiceText: req.voiceText }), event.room),
    pii: req.pii,
    nsfw: req.image?.nsfw,
    voiceText: req.voiceText,
    qr: (req.qr?.length ?? 0) > 0,
    firstDelivery: options.firstDelivery,
  }
  const guard = typeof deps.guard === 'function' ? await deps.guard() : deps.guard
  const result = await guard.handleEvent(event, features)
  if (result.status === 'invalid') throw new PoisonRecordError(`record ${recordId}: ${result.error}`)
  if (result.status === 'conflict') {
    // The id is taken by a different event: not judged, and nothing stored is sent again.
    metrics.addMetric('ConflictingEvents', MetricUnit.Count, 1)
    logger.warn('event id reused with different content; not judged', { event: event.id, room: event.room, stored: result.stored.kind })
    return
  }
  if (result.status === 'duplicate') {
    // Stored before: send again what it sent then (same deduplication ids), in case the first
    // try died between storing and sending. Within SQS's 5-minute window the repeats are dropped.
    metrics.addMetric('DuplicateEvents', MetricUnit.Count, 1)
    const stored = await guard.storedDecisions(event)
    await dispatch(deps, stored, req.imageText)
    await answer(deps, guard, event, stored)
    return
  }
  metrics.addMetric('EventsStored', MetricUnit.Count, 1)
  counted(result.decisions)
  await dispatch(deps, result.decisions, req.imageText)
  await answer(deps, guard, event, result.decisions)
}

/**
 * A join or a removal, stored with what the owner's blacklist decides about it (a listed member
 * joining; a removed member flagged in the owner's other groups), sent like a message's decisions.
 * ingest calls it, so that membership is judged by the same Guard (rulebook, rule modes) as messages.
 */
export async function moderateMembership(deps: ModerateDeps, event: JoinEvent | LeaveEvent): Promise<HandleResult> {
  const guard = typeof deps.guard === 'function' ? await deps.guard() : deps.guard
  const result = await guard.handleEvent(event)
  // Stored before: send again what it decided then (same deduplication ids), as for a message.
  if (result.status === 'duplicate') await dispatch(deps, await guard.storedDecisions(event), undefined)
  if (result.status !== 'stored') return result
  counted(result.decisions)
  await dispatch(deps, result.decisions, undefined)
  return result
}

/**
 * Newcomers whose time to verify ran out by `at` (verification.ts): settled by moderate's Guard
 * (each once: a second run finds it closed) and their decisions sent like a message's. The
 * monitor function calls it every minute. A crash between settling and sending loses the send
 * (the decision stays stored, as an active decision with no action record).
 */
export async function moderateTimeouts(deps: Pick<ModerateDeps, 'guard' | 'actions' | 'approvals'>, at: Date): Promise<number> {
  const guard = typeof deps.guard === 'function' ? await deps.guard() : deps.guard
  const decisions = await guard.settleDueVerifications(at)
  counted(decisions)
  await dispatch(deps, decisions, undefined)
  return decisions.length
}

/** New decisions counted (Decisions / ShadowDecisions) and logged, one line each. */
function counted(decisions: readonly HandledDecision[]): void {
  for (const { decision: d } of decisions) {
    metrics.addMetric(d.mode === 'active' ? 'Decisions' : 'ShadowDecisions', MetricUnit.Count, 1)
    logger.info('decision', { event: d.event, room: d.room, action: d.action, mode: d.mode, rule: d.rule })
  }
}

/** A member's 识别 / 评分 answered in the group (again, under the same deduplication id, when redelivered). */
async function answer(deps: ModerateDeps, guard: Guard, event: ModerateRequest['event'], decisions: readonly unknown[]): Promise<void> {
  const reply = deps.facts ? await pictureReply(guard, deps.facts, event, decisions) : undefined
  if (!reply) return
  metrics.addMetric('PictureRequestsAnswered', MetricUnit.Count, 1)
  await deps.actions.send({ group: event.room, dedupeId: `reply-${event.id}`, body: reply })
}

/**
 * Active decisions to the action queue; every decision to approvals, where supervision counts it
 * in its rule's record and puts a shadow one to the owner (an active one is kept for review).
 */
async function dispatch(
  deps: Pick<ModerateDeps, 'actions' | 'approvals'>,
  decisions: readonly HandledDecision[],
  imageText: string | undefined,
): Promise<void> {
  for (const d of decisions) {
    if (d.request) await deps.actions.send({ group: d.decision.room, dedupeId: `decision-${d.id}`, body: d.request })
    const owner = (d.proposal ?? d).request?.ownerId
    if (d.proposal && !owner) {
      metrics.addMetric('ProposalsWithoutOwner', MetricUnit.Count, 1)
      logger.warn('shadow decision has no owner to ask', { room: d.decision.room, rule: d.decision.rule })
    }
    const { outcome: _, ...decision } = d
    // One owner's decisions, answers and commands are handled in order (a room without a known owner: by room).
    await deps.approvals.send({
      group: owner ? `owner-${owner}` : `room-${d.decision.room}`,
      dedupeId: `supervise-${d.id}`,
      body: { kind: 'decision', decision, imageText },
    })
  }
}

/**
 * Production wiring of moderate's Guard (also the monitor's, for verification timeouts): the
 * rule modes the owners' answers set (approvals keeps the records) and the learned rulebook
 * retraining saved (reloaded every few minutes; one Guard per rulebook).
 */
export function guardFromEnv(config: Config, classifierRule?: ClassifierRuleOptions): () => Promise<Guard> {
  const supervision = new StoredRuleModes(aws.approvalStore())
  const facts = aws.factsStore()
  return rulebookGuard(
    aws.rulebook(),
    (policy) =>
      new Guard({
        store: aws.guardStore(),
        config,
        classifierRule,
        supervision,
        learned: policy ? { policy, facts } : undefined,
        facts,
      }),
  )
}

/** The Guard for the current rulebook: built again only when the stored rulebook changes. */
export function rulebookGuard(
  rulebook: { current(): Promise<LearnedPolicy | undefined> },
  build: (policy: LearnedPolicy | undefined) => Guard,
): () => Promise<Guard> {
  let built: { policy: LearnedPolicy | undefined; guard: Guard } | undefined
  return async () => {
    const policy = await rulebook.current()
    if (!built || built.policy !== policy) built = { policy, guard: build(policy) }
    return built.guard
  }
}

export function moderateBatch(deps: ModerateDeps, event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return fifoBatch(event, context, (record) => moderateRecord(deps, record))
}

let deps: ModerateDeps | undefined
/**
 * Production wiring: TABLE_NAME, ACTIONS_QUEUE_URL, APPROVALS_QUEUE_URL, MEDIA_BUCKET (the
 * in-process model, the learned rulebook and the guard config), QUNGUARD_CONFIG_KEY (the guard config, read once per
 * cold start), CLASSIFIER_ENDPOINT (optional), CLASSIFIER_THRESHOLD (default 0.9).
 */
export async function depsFromEnv(): Promise<ModerateDeps> {
  if (deps) return deps
  const config = await aws.guardConfig().load()
  const threshold = Number(process.env.CLASSIFIER_THRESHOLD ?? 0.9)
  if (!(threshold > 0 && threshold <= 1))
    throw new Error(`CLASSIFIER_THRESHOLD must be in (0, 1] (got ${process.env.CLASSIFIER_THRESHOLD})`)
  // The model learn saved in S3; with an endpoint configured, SageMaker first and this while it is missing.
  const inProcess = new StoredClassifier({ media: aws.media(), key: IN_PROCESS_MODEL_KEY })
  const facts = aws.factsStore()
  deps = {
    guard: guardFromEnv(config, { threshold, action: 'warn' }),
    facts,
    classifier: process.env.CLASSIFIER_ENDPOINT ? withFallback(aws.classifier(), inProcess) : inProcess,
    actions: aws.queue('ACTIONS_QUEUE_URL'),
    approvals: aws.queue('APPROVALS_QUEUE_URL'),
  }
  return deps
}

export const handler = withPowertools(async function moderateHandler(event: SQSEvent, context: Context) {
  return moderateBatch(await depsFromEnv(), event, context)
})
