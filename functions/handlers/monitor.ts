/**
 * monitor: runs every minute (EventBridge). Reads the bot registry's heartbeats and publishes
 * LiveBots / MissingHeartbeats (a bot is dead after three missed beats — the alarm fires on any),
 * closes approval requests past their deadline as expired (no action is taken on them) and
 * publishes the open backlog (ApprovalBacklog, alarmed above a threshold).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics'
import { assessBots } from '../domain/registry.ts'
import type { ApprovalStore } from '../ports/approval-store.port.ts'
import type { BotRegistry } from '../ports/bot-registry.port.ts'
import { aws } from './aws-clients.ts'
import { logger, metrics, withPowertools } from './observability.ts'

export interface MonitorDeps {
  readonly registry: BotRegistry
  readonly approvals: ApprovalStore
  /** The bot hosts' heartbeat interval. @default 60 */
  readonly heartbeatSeconds?: number
  readonly now?: () => Date
}

export interface MonitorResult {
  readonly live: string[]
  readonly dead: string[]
  readonly expired: number
  readonly backlog: number
}

export async function monitor(deps: MonitorDeps): Promise<MonitorResult> {
  const now = (deps.now ?? (() => new Date()))()
  const at = now.toISOString()
  const { live, dead } = assessBots(await deps.registry.list(), now, deps.heartbeatSeconds ?? 60)
  let expired = 0
  for (const r of await deps.approvals.listOverdue(at)) if (await deps.approvals.close(r.owner, r.number, 'expired', at)) expired++
  const backlog = await deps.approvals.countOpen(at)
  metrics.addMetric('LiveBots', MetricUnit.Count, live.length)
  metrics.addMetric('MissingHeartbeats', MetricUnit.Count, dead.length)
  metrics.addMetric('ApprovalsExpired', MetricUnit.Count, expired)
  metrics.addMetric('ApprovalBacklog', MetricUnit.Count, backlog)
  for (const d of dead)
    logger.warn('bot missed its heartbeats', { bot: d.bot, missed: d.missed, lastBeat: d.record.lastBeat, host: d.record.host })
  return { live: live.map((b) => b.bot), dead: dead.map((b) => b.bot), expired, backlog }
}

let deps: MonitorDeps | undefined
/** Production wiring: TABLE_NAME, HEARTBEAT_SECONDS (default 60). */
export function depsFromEnv(): MonitorDeps {
  deps ??= {
    registry: aws.botRegistry(),
    approvals: aws.approvalStore(),
    heartbeatSeconds: Number(process.env.HEARTBEAT_SECONDS ?? 60),
  }
  return deps
}

export const handler = withPowertools(function monitorHandler() {
  return monitor(depsFromEnv())
})
