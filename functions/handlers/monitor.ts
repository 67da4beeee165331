/**
 * monitor: runs every minute (EventBridge). Reads the bot registry's heartbeats and publishes
 * LiveBots / MissingHeartbeats (a bot is dead after three missed beats — the alarm fires on any),
 * then runs supervision's clock — the same `Supervisor.tick` as the embedded guard: unanswered
 * requests past their deadline expire (and count in their rule's record), digests that are due
 * go out, and once a day each owner gets the daily report. What it says goes to the action queue
 * for the bot host. Publishes the open backlog (ApprovalBacklog, alarmed above a threshold).
 * Newcomers whose time to verify ran out are settled first, by moderate's Guard
 * (`moderateTimeouts`): removed or put to their owner, like any decision. The owners of a bot
 * that stopped beating are told once (which groups another bot carries on, which are unguarded).
 * The dedupe id's bot/beat/owner triple is cut at 128 characters (SQS's limit).
 *
 * Known race: the tick is not on the owners' FIFO groups, so it can run while approvals handles an
 * answer of the same owner. Closing a request is a conditional write (an answer and an expiry
 * never both close one request), but a rule's record and an owner's pacing are read, changed and
 * written whole: when both touch the same rule in the same moment, one count can be lost.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics'
import type { Config } from '../domain/config.ts'
import type { LearnedPolicy } from '../domain/learning/rule-learner.ts'
import { checkBots, roomOwnersOf } from '../domain/registry.ts'
import { privateNote } from '../domain/session.ts'
import type { RoomDirectory } from '../domain/supervision/supervisor.ts'
import type { ActionRequest } from '../ports/action-executor.port.ts'
import type { BotRegistry } from '../ports/bot-registry.port.ts'
import type { MessageQueue } from '../ports/message-queue.port.ts'
import type { SupervisionStore } from '../ports/supervision-store.port.ts'
import { sendEffects, supervisorOf } from './approvals.ts'
import { aws } from './aws-clients.ts'
import { guardFromEnv, type ModerateDeps, moderateTimeouts } from './moderate.ts'
import { logger, metrics, withPowertools } from './observability.ts'

export interface MonitorDeps {
  readonly registry: BotRegistry
  readonly approvals: SupervisionStore
  /** The rooms' snapshots (the guard store): names and staff, for reports and digests. */
  readonly rooms: RoomDirectory
  readonly config: Config
  /** The learned rulebook (its rules' names for owners). @default none */
  readonly rulebook?: { current(): Promise<LearnedPolicy | undefined> } | undefined
  /** Where digests, reports and notices go (the bot host sends them). */
  readonly actions: MessageQueue<ActionRequest>
  /** The bot hosts' heartbeat interval. @default 60 */
  readonly heartbeatSeconds?: number
  /** moderate's Guard and queues: newcomers whose time to verify ran out. @default none settled */
  readonly verifications?: Pick<ModerateDeps, 'guard' | 'actions' | 'approvals'> | undefined
  readonly now?: () => Date
}

export interface MonitorResult {
  readonly live: string[]
  readonly dead: string[]
  /** Requests the tick expired. */
  readonly expired: number
  /** Decisions on newcomers whose time to verify ran out. */
  readonly unverified: number
  /** Private messages the tick sent (digests, daily reports, notices). */
  readonly sent: number
  readonly backlog: number
}

export async function monitor(deps: MonitorDeps): Promise<MonitorResult> {
  const now = (deps.now ?? (() => new Date()))()
  const at = now.toISOString()
  // A bot that stopped beating: the owners of its rooms are told once (a live bot delivers it).
  const { live, dead, notes } = await checkBots(deps.registry, now, {
    heartbeatSeconds: deps.heartbeatSeconds ?? 60,
    roomOwners: roomOwnersOf(deps.rooms, deps.config),
    utcOffsetMinutes: deps.config.supervision.utcOffsetMinutes,
  })
  for (const n of notes) await deps.actions.send({ group: `owner-${n.to}`, dedupeId: n.key, body: privateNote(n.to, n.text) })
  const failuresTold = notes.length
  const unverified = deps.verifications ? await moderateTimeouts(deps.verifications, now) : 0
  let expired = 0
  const supervisor = await supervisorOf(deps, (note) => {
    if (note.kind === 'expired') expired++
  })
  const effects = await supervisor.tick(now)
  // One tick per minute: the minute names the tick, so a retried invocation sends nothing twice.
  await sendEffects(deps.actions, effects, `tick-${at.slice(0, 16)}`)
  const backlog = await deps.approvals.countOpen(at)
  metrics.addMetric('LiveBots', MetricUnit.Count, live.length)
  metrics.addMetric('MissingHeartbeats', MetricUnit.Count, dead.length)
  metrics.addMetric('ApprovalBacklog', MetricUnit.Count, backlog)
  for (const d of dead)
    logger.warn('bot missed its heartbeats', { bot: d.bot, missed: d.missed, lastBeat: d.record.lastBeat, host: d.record.host })
  return { live: live.map((b) => b.bot), dead: dead.map((b) => b.bot), expired, unverified, sent: effects.length + failuresTold, backlog }
}

let deps: MonitorDeps | undefined
/** Production wiring: TABLE_NAME, ACTIONS_QUEUE_URL, APPROVALS_QUEUE_URL, HEARTBEAT_SECONDS (default 60), the guard config. */
export async function depsFromEnv(): Promise<MonitorDeps> {
  if (deps) return deps
  const config = await aws.guardConfig().load()
  deps = {
    registry: aws.botRegistry(),
    approvals: aws.approvalStore(),
    rooms: aws.guardStore(),
    config,
    actions: aws.queue('ACTIONS_QUEUE_URL'),
    rulebook: aws.rulebook(),
    heartbeatSeconds: Number(process.env.HEARTBEAT_SECONDS ?? 60),
    verifications: { guard: guardFromEnv(config), actions: aws.queue('ACTIONS_QUEUE_URL'), approvals: aws.queue('APPROVALS_QUEUE_URL') },
  }
  return deps
}

export const handler = withPowertools(async function monitorHandler() {
  return monitor(await depsFromEnv())
})
