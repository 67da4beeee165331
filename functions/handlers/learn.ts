/**
 * learn: the first step of scheduled retraining. Builds the weak-labelled training set from the
 * stored messages and decisions (domain/training-set.ts) and writes it to S3 for the SageMaker
 * training job; the Step Functions workflow then trains, deploys and points moderate at the
 * new model. Invoked by the workflow (or directly by the schedule when SageMaker is off).
 *
 * When the set is big enough it also trains the in-process classifier and saves it to
 * `models/inprocess/` (moderate's fallback, and its only model with the SageMaker path off).
 * Returns where the set is and whether it is big enough to train on, for the workflow's choice.
 *
 * It also relearns each room's rulebook from the stored history (every kind of event: the
 * owners' removals, warnings and recalls are the labels; the config's and the rooms' staff are
 * never judged), with the same `learnFromHistory` as `qunguard learn`, reading QR codes from the
 * pictures in S3. The rulebook goes to `models/policy/policy.json`, where moderate, approvals and
 * the monitor pick it up within minutes. New and changed rules start in shadow (rules whose id is
 * unchanged keep the state their record earned) and each owner is told by private message what
 * changed in their groups.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics'
import { AdClassifier } from '../domain/ad-classifier.ts'
import { type Config, parseConfig } from '../domain/config.ts'
import type { GroupEvent, MessageEvent } from '../domain/events.ts'
import { policyFromJson, policyToJson } from '../domain/learning/policy-file.ts'
import { learnFromHistory, rulebookChanges, rulebookNotices } from '../domain/learning/relearn.ts'
import type { LearnedPolicy } from '../domain/learning/rule-learner.ts'
import { formatRules, roomRulebookKey } from '../domain/learning/rulebook-text.ts'
import { ownerVerdicts } from '../domain/learning/weak-labels.ts'
import { privateNote } from '../domain/session.ts'
import { IN_PROCESS_MODEL_KEY } from '../domain/stored-classifier.ts'
import { POLICY_KEY } from '../domain/stored-policy.ts'
import { buildTrainingSet } from '../domain/training-set.ts'
import type { ActionRequest } from '../ports/action-executor.port.ts'
import type { ApprovalStore } from '../ports/approval-store.port.ts'
import type { GuardStore } from '../ports/guard-store.port.ts'
import type { MediaStore } from '../ports/media-store.port.ts'
import type { MessageQueue } from '../ports/message-queue.port.ts'
import type { QrReader } from '../ports/qr-reader.port.ts'
import { aws } from './aws-clients.ts'
import { requiredEnv } from './env.ts'
import { logger, metrics, withPowertools } from './observability.ts'

export interface LearnDeps {
  readonly store: Pick<GuardStore, 'listMessages' | 'listDecisions' | 'listEvents' | 'listRooms'>
  readonly media: MediaStore
  readonly bucket: string
  /** The guard config (staff, owners). @default built-in defaults */
  readonly config?: Config | undefined
  /** Reads QR codes in the stored pictures (for QR rules). @default none: pictures' QR codes unknown */
  readonly qr?: QrReader | undefined
  /** Where owners are told what changed in their rulebooks. @default nobody is told */
  readonly actions?: MessageQueue<ActionRequest> | undefined
  /** The owners' answered requests (Y / N), learned from as the owners' own labels. @default none */
  readonly approvals?: Pick<ApprovalStore, 'listAnswered'> | undefined
  /** Most pictures read for QR codes in one run (the newest). @default 5000 */
  readonly maxPictures?: number
  /** Days of history to learn from. @default 90 */
  readonly days?: number
  /** Fewer spam examples than this: no training this time. @default 50 */
  readonly minSpam?: number
  readonly now?: () => Date
}

export interface LearnResult {
  /** The S3 prefix of this run's channels (train/train.txt, validation/validation.txt). */
  readonly prefix: string
  readonly trainUri: string
  readonly validationUri: string
  /** Where the training job writes the model. */
  readonly modelsUri: string
  readonly spam: number
  readonly ham: number
  /** Enough examples of both labels to train. */
  readonly enough: boolean
  /** Where the in-process model was saved, when it was trained. */
  readonly inProcessModel?: string | undefined
  /** A name for this run's training job and model (unique per run, within SageMaker's 63 characters). */
  readonly runName: string
  /** The relearned rulebook: where it is, its rules, and the rooms whose rules changed. */
  readonly rulebook: { readonly key: string; readonly rules: number; readonly rooms: number; readonly changed: number }
}

/**
 * Most stored events one run learns from (the newest): about 4 minutes of learning on the
 * development machine (7.1 s per 30,000 in `npm run bench:cloud`), well inside Lambda's 15.
 */
const MAX_EVENTS = 1_000_000
/** Most stored messages the ad classifier trains on in one run (the newest). */
const MAX_MESSAGES = 100_000

export async function learn(deps: LearnDeps): Promise<LearnResult> {
  const now = (deps.now ?? (() => new Date()))()
  const since = new Date(now.getTime() - (deps.days ?? 90) * 86_400_000).toISOString()
  const [messages, decisions] = await Promise.all([deps.store.listMessages({ since, limit: MAX_MESSAGES }), deps.store.listDecisions()])
  if (messages.length >= MAX_MESSAGES)
    logger.warn('more stored messages than the classifier trains on: the newest are used', { messages: messages.length })
  const set = buildTrainingSet({ messages, decisions })
  // Every tenth line (deterministic) is held out for the training job's validation channel.
  const train = set.lines.filter((_, i) => i % 10 !== 9)
  const validation = set.lines.filter((_, i) => i % 10 === 9)
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')
  const prefix = `training/${stamp}`
  const enc = new TextEncoder()
  await deps.media.put(`${prefix}/train/train.txt`, enc.encode(`${train.join('\n')}\n`), 'text/plain; charset=utf-8')
  await deps.media.put(`${prefix}/validation/validation.txt`, enc.encode(`${validation.join('\n')}\n`), 'text/plain; charset=utf-8')
  const enough = set.spam >= (deps.minSpam ?? 50) && set.ham >= (deps.minSpam ?? 50)
  // The in-process model (moderate's fallback, and the only model with SageMaker off) trains right here.
  let inProcessModel: string | undefined
  if (enough) {
    const t0 = performance.now()
    const model = AdClassifier.train(set.examples)
    await deps.media.put(IN_PROCESS_MODEL_KEY, model.toBytes(), 'application/octet-stream')
    inProcessModel = IN_PROCESS_MODEL_KEY
    metrics.addMetric('InProcessTrainingMs', MetricUnit.Milliseconds, performance.now() - t0)
  }
  const rulebook = await relearnRulebook(deps, since, stamp)
  metrics.addMetric('TrainingSpam', MetricUnit.Count, set.spam)
  metrics.addMetric('TrainingHam', MetricUnit.Count, set.ham)
  logger.info('training set written', { prefix, spam: set.spam, ham: set.ham, messages: messages.length, enough, inProcessModel })
  return {
    prefix,
    trainUri: `s3://${deps.bucket}/${prefix}/train/`,
    validationUri: `s3://${deps.bucket}/${prefix}/validation/`,
    modelsUri: `s3://${deps.bucket}/models/`,
    spam: set.spam,
    ham: set.ham,
    enough,
    inProcessModel,
    runName: `qunguard-${stamp.toLowerCase()}`,
    rulebook,
  }
}

/** Relearns every room's rules from the stored history, saves them and tells owners what changed. */
async function relearnRulebook(deps: LearnDeps, since: string, stamp: string): Promise<LearnResult['rulebook']> {
  const t0 = performance.now()
  const events = await deps.store.listEvents({ since, limit: MAX_EVENTS })
  if (events.length >= MAX_EVENTS)
    logger.warn('more stored events than one run learns from: the newest are used', { events: events.length, days: deps.days ?? 90 })
  const qr = await pictureQrCodes(deps, events)
  const before = await previousRulebook(deps.media)
  const config = deps.config ?? parseConfig({})
  const answers = ownerVerdicts((await deps.approvals?.listAnswered(since)) ?? [])
  const policy = learnFromHistory(events, config, { qr: (m) => qr.get(m.id), answers })
  await deps.media.put(POLICY_KEY, new TextEncoder().encode(policyToJson(policy)), 'application/json')
  // For operators: each room's rules as its owner reads them, one object a room.
  for (const [room, p] of Object.entries(policy.rooms))
    await deps.media.put(
      roomRulebookKey(room),
      new TextEncoder().encode(`${formatRules({ ...policy, rooms: { [room]: p } })}\n`),
      'text/plain; charset=utf-8',
    )
  const changes = rulebookChanges(before, policy)
  if (deps.actions && changes.length) {
    const rooms = new Map((await deps.store.listRooms()).map((r) => [r.room, r]))
    for (const n of rulebookNotices(changes, config, rooms))
      await deps.actions.send({
        group: `owner-${n.to}`,
        dedupeId: `rulebook-${stamp}-${n.room}`.slice(0, 128),
        body: privateNote(n.to, n.text),
      })
  }
  const rules = Object.values(policy.rooms).reduce((n, r) => n + r.rules.length, 0)
  metrics.addMetric('RulesLearned', MetricUnit.Count, rules)
  metrics.addMetric('RulebookLearningMs', MetricUnit.Milliseconds, performance.now() - t0)
  logger.info('rulebook relearned', {
    events: events.length,
    pictures: qr.size,
    answers: answers.size,
    rules,
    rooms: Object.keys(policy.rooms).length,
    changed: changes.length,
  })
  return { key: POLICY_KEY, rules, rooms: Object.keys(policy.rooms).length, changed: changes.length }
}

/** The rulebook saved by the last run, if there is a readable one. */
async function previousRulebook(media: MediaStore): Promise<LearnedPolicy | undefined> {
  const bytes = await media.get(POLICY_KEY)
  if (!bytes) return undefined
  try {
    return policyFromJson(new TextDecoder().decode(bytes))
  } catch (e) {
    logger.warn('the previous rulebook is unreadable; every rule counts as new', { error: (e as Error).message })
    return undefined
  }
}

/** Whether a stored picture holds a QR code; undefined when it is missing or unreadable. */
async function holdsQr(media: MediaStore, reader: QrReader, key: string): Promise<boolean | undefined> {
  try {
    const bytes = await media.get(key)
    return bytes ? (await reader.read(bytes)).length > 0 : undefined
  } catch {
    return undefined
  }
}

/** Whether each stored picture (the newest `maxPictures`) holds a QR code; pictures not read are left out. */
async function pictureQrCodes(deps: LearnDeps, events: readonly GroupEvent[]): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>()
  if (!deps.qr) return out
  const pictures = events.filter((e): e is MessageEvent => e.kind === 'message' && e.type === 'image' && !!e.media)
  const max = deps.maxPictures ?? 5000
  if (pictures.length > max)
    logger.warn('too many pictures to read for QR codes; the oldest are left unread', { pictures: pictures.length, max })
  const byKey = new Map<string, boolean | undefined>()
  for (const m of pictures.slice(-max)) {
    const key = m.media as string
    if (!byKey.has(key)) byKey.set(key, await holdsQr(deps.media, deps.qr, key))
    const qr = byKey.get(key)
    if (qr !== undefined) out.set(m.id, qr)
  }
  return out
}

let deps: LearnDeps | undefined
/**
 * Production wiring: TABLE_NAME, MEDIA_BUCKET, ACTIONS_QUEUE_URL (owners told of new rules),
 * the guard config, LEARN_DAYS (default 90), LEARN_MIN_EXAMPLES (default 50).
 */
export async function depsFromEnv(): Promise<LearnDeps> {
  deps ??= {
    store: aws.guardStore(),
    media: aws.media(),
    bucket: requiredEnv('MEDIA_BUCKET'),
    config: await aws.guardConfig().load(),
    qr: aws.qrReader(),
    actions: process.env.ACTIONS_QUEUE_URL ? aws.queue<ActionRequest>('ACTIONS_QUEUE_URL') : undefined,
    approvals: aws.approvalStore(),
    days: Number(process.env.LEARN_DAYS ?? 90),
    minSpam: Number(process.env.LEARN_MIN_EXAMPLES ?? 50),
  }
  return deps
}

export const handler = withPowertools(async function learnHandler() {
  return learn(await depsFromEnv())
})
