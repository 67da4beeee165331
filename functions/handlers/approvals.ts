/**
 * approvals: the owner's side of every rule, on AWS — the same Supervisor as the embedded guard.
 *
 *   decision (from moderate) → counted in its rule's record; a shadow one becomes a numbered request
 *                              to the owner, sent now or — beyond the hourly limit — in the next digest
 *                              (the monitor's tick), within the daily budget; an active one is listed
 *                              in the next digest for review (`N<n>` marks it wrong and can demote the rule)
 *   owner's private message  → `Y<n>`: the proposed action is carried out; `N<n>`: nothing happens
 *   (from ingest)              to the member; both count in the rule's record, which may promote or
 *                              demote it (moderate reads the records). Commands: 规则, 暂停/恢复/
 *                              启用/试运行/停用 R<k>, 安静 开/关, 日报 — only from the room's staff
 *
 * What supervision asks for (private messages, approved actions) goes to the action queue for
 * the bot host. Every piece of supervision's state is in DynamoDB (SupervisionStore), the rooms'
 * names and staff are read from the guard's store, and a fresh Supervisor serves each batch, so
 * nothing depends on which container runs it. The queue's message group is the owner: one
 * owner's requests, answers and commands are handled one at a time, in order.
 */
import { createHash } from 'node:crypto'
import { MetricUnit } from '@aws-lambda-powertools/metrics'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import type { Config } from '../domain/config.ts'
import type { HandledDecision } from '../domain/guard.ts'
import type { LearnedPolicy } from '../domain/learning/rule-learner.ts'
import { privateNote } from '../domain/session.ts'
import { ApprovalsRequestSchema } from '../domain/stage-messages.ts'
import { supervisorFor } from '../domain/supervision/catalogue.ts'
import type { RoomDirectory, SupervisionNote, Supervisor, SupervisorDeps, SupervisorEffect } from '../domain/supervision/supervisor.ts'
import type { ActionRequest } from '../ports/action-executor.port.ts'
import type { MessageQueue } from '../ports/message-queue.port.ts'
import type { SupervisionStore } from '../ports/supervision-store.port.ts'
import { aws } from './aws-clients.ts'
import { logger, metrics, withPowertools } from './observability.ts'
import { fifoBatch, recordBody } from './sqs-batch.ts'

export interface ApprovalsDeps {
  readonly approvals: SupervisionStore
  readonly actions: MessageQueue<ActionRequest>
  /** The rooms' snapshots (the guard store): names, owners and admins. */
  readonly rooms: RoomDirectory
  /** The owners' blacklists (the guard store), for 黑名单 / 解除黑名单. @default those commands find nobody */
  readonly blacklist?: SupervisorDeps['blacklist']
  /** Members by name (the guard store), for 白名单 G1 小王. @default members cannot be named */
  readonly members?: SupervisorDeps['members']
  /** The guard's decisions and offences (the guard store), for members' appeals (申诉). @default appeals go unanswered */
  readonly decisions?: SupervisorDeps['decisions']
  /** The guard config: rules and their names, staff, supervision settings. */
  readonly config: Config
  /** The learned rulebook (its rules' names for owners). @default none */
  readonly rulebook?: { current(): Promise<LearnedPolicy | undefined> } | undefined
  readonly now?: () => Date
}

/** A Supervisor over the stores, fresh for each batch (no state kept between invocations). */
export async function supervisorOf(
  deps: Pick<ApprovalsDeps, 'approvals' | 'rooms' | 'config' | 'rulebook'> &
    Partial<Pick<ApprovalsDeps, 'blacklist' | 'members' | 'decisions'>>,
  /** Also told of each note (the monitor counts expiries). */
  alsoNote?: (note: SupervisionNote) => void,
): Promise<Supervisor> {
  const policy = await deps.rulebook?.current()
  return supervisorFor(deps.config, deps.approvals, {
    rooms: deps.rooms,
    blacklist: deps.blacklist,
    members: deps.members,
    decisions: deps.decisions,
    classifier: true,
    policy,
    // For the dashboard: answers, expiries, rules that earned acting alone, rules sent back to shadow or retired.
    onNote: (note) => {
      alsoNote?.(note)
      if (note.kind === 'expired') {
        metrics.addMetric('ApprovalsExpired', MetricUnit.Count, 1)
        return
      }
      if (note.kind === 'answered') {
        const name = { approved: 'Approved', confirmed: 'Confirmed', rejected: 'Rejected', flagged: 'MarkedWrong' }[note.outcome]
        metrics.addMetric(name, MetricUnit.Count, 1)
        return
      }
      const { change } = note
      if (change.to === 'active') metrics.addMetric('RulesPromoted', MetricUnit.Count, 1)
      else if (change.from === 'active') metrics.addMetric('RulesDemoted', MetricUnit.Count, 1)
      logger.info('rule changed state', { room: note.room, rule: note.rule, from: change.from, to: change.to, by: change.by })
    },
  })
}

/**
 * Sends supervision's effects to the action queue: private messages grouped by who gets them,
 * approved actions by their room. `key` names what caused them, so a redelivered record sends
 * the same messages with the same deduplication ids (SQS drops them within five minutes).
 */
export async function sendEffects(actions: MessageQueue<ActionRequest>, effects: readonly SupervisorEffect[], key: string): Promise<void> {
  for (const [i, e] of effects.entries()) {
    if (e.kind === 'act') {
      await actions.send({ group: e.approval.room, dedupeId: `decision-${e.approval.decisionId}`, body: e.approval.request })
      continue
    }
    if (e.kind === 'invite') {
      const id = createHash('sha256').update(`${key}\u0000${i}\u0000invite\u0000${e.request.decision.target}`).digest('hex').slice(0, 64)
      await actions.send({ group: e.request.decision.room, dedupeId: `invite-${id}`, body: e.request })
      continue
    }
    const id = createHash('sha256').update(`${key}\u0000${i}\u0000${e.to}\u0000${e.text}`).digest('hex').slice(0, 64)
    await actions.send({ group: `owner-${e.to}`, dedupeId: `say-${id}`, body: privateNote(e.to, e.text, key) })
  }
}

export async function approvalsRecord(deps: ApprovalsDeps, supervisor: Supervisor, record: SQSRecord): Promise<void> {
  const body = recordBody(ApprovalsRequestSchema, record)
  const now = (deps.now ?? (() => new Date()))()
  if (body.kind !== 'answer') {
    const h: HandledDecision =
      body.kind === 'decision'
        ? body.decision
        : {
            id: body.proposal.request.decisionId,
            decision: { ...body.proposal.request.decision, action: 'ask-owner', mode: 'shadow' },
            proposal: body.proposal,
            message: body.proposal.message,
          }
    const effects = await supervisor.onDecision(h, now, { imageText: body.imageText })
    if (h.proposal) metrics.addMetric('ApprovalsOpened', MetricUnit.Count, 1)
    await sendEffects(deps.actions, effects, `decision-${h.id}`)
    return
  }
  const { event } = body
  const effects = await supervisor.onPrivate(event, now)
  const acted = effects.filter((e) => e.kind === 'act').length
  logger.info('owner wrote', { event: event.id, effects: effects.length, acted })
  await sendEffects(deps.actions, effects, `private-${event.id}`)
}

export async function approvalsBatch(deps: ApprovalsDeps, event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const supervisor = await supervisorOf(deps)
  return fifoBatch(event, context, (record) => approvalsRecord(deps, supervisor, record))
}

let deps: ApprovalsDeps | undefined
/** Production wiring: TABLE_NAME, ACTIONS_QUEUE_URL, the guard config (QUNGUARD_CONFIG_KEY in MEDIA_BUCKET), the rulebook (MEDIA_BUCKET). */
export async function depsFromEnv(): Promise<ApprovalsDeps> {
  deps ??= {
    approvals: aws.approvalStore(),
    actions: aws.queue('ACTIONS_QUEUE_URL'),
    rooms: aws.guardStore(),
    blacklist: aws.guardStore(),
    members: aws.guardStore(),
    decisions: aws.guardStore(),
    config: await aws.guardConfig().load(),
    rulebook: aws.rulebook(),
  }
  return deps
}

export const handler = withPowertools(async function approvalsHandler(event: SQSEvent, context: Context) {
  return approvalsBatch(await depsFromEnv(), event, context)
})
