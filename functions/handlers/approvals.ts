/**
 * approvals: the owner's side of shadow rules.
 *
 *   proposal (from moderate) → the owner's next numbered request, sent to them privately
 *   answer (owner's private message, from ingest) → `Y<n>`: the proposed action is carried out;
 *                                                   `N<n>`: nothing happens to the member;
 *                                                   both count in the rule's record
 *
 * Answers are looked up under the sender's own WeChat id, so nobody can answer someone else's
 * requests; a message that is not an answer is ignored. Opening is idempotent per decision and
 * closing is conditional, so a redelivered record changes nothing. Each answer updates the rule's
 * lifecycle record (docs/supervision.md): five approvals promote a shadow rule to act alone
 * (moderate reads the records), and the owner is told. Digests and owner commands are embedded-only.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { answerReceiptText, approvalRequestText, parseAnswer } from '../domain/approvals.ts'
import type { PrivateEvent } from '../domain/events.ts'
import { groupName, ruleName } from '../domain/owner-words.ts'
import { ApprovalsRequestSchema } from '../domain/stage-messages.ts'
import { newRule, recordAnswer, recordFired } from '../domain/supervision/lifecycle.ts'
import { stateChangeText } from '../domain/supervision/texts.ts'
import type { ActionRequest } from '../ports/action-executor.port.ts'
import type { MessageQueue } from '../ports/message-queue.port.ts'
import type { SupervisionStore } from '../ports/supervision-store.port.ts'
import { aws } from './aws-clients.ts'
import { logger, metrics, withPowertools } from './observability.ts'
import { fifoBatch, recordBody } from './sqs-batch.ts'

export interface ApprovalsDeps {
  readonly approvals: SupervisionStore
  readonly actions: MessageQueue<ActionRequest>
  /** How long a request can be answered. @default 24 */
  readonly expiresInHours?: number
  readonly now?: () => Date
}

/** A private note to someone, as an action for the bot host (not about any room). */
function privateNote(to: string, about: string, text: string): ActionRequest {
  return {
    decisionId: -1,
    decision: {
      event: about,
      room: 'private',
      target: to,
      action: 'alert-owner',
      mode: 'active',
      rule: 'approvals',
      score: 1,
      reason: text,
    },
    messageId: about,
    text,
    ownerId: to,
  }
}

export async function approvalsRecord(deps: ApprovalsDeps, record: SQSRecord): Promise<void> {
  const body = recordBody(ApprovalsRequestSchema, record)
  const now = (deps.now ?? (() => new Date()))()
  if (body.kind === 'proposal') {
    const { proposal } = body
    const owner = proposal.request.ownerId ?? ''
    const hours = deps.expiresInHours ?? 24
    const req = await deps.approvals.open({
      owner,
      room: proposal.request.decision.room,
      rule: proposal.request.decision.rule,
      decisionId: proposal.request.decisionId,
      request: proposal.request,
      createdAt: now.toISOString(),
      deadline: new Date(now.getTime() + hours * 3_600_000).toISOString(),
      ...(proposal.roomTopic ? { topic: proposal.roomTopic } : {}),
    })
    const rule = (await deps.approvals.getRule(req.room, req.rule)) ?? newRule(req.room, req.rule, 'shadow')
    await deps.approvals.saveRule(recordFired(rule, req.decisionId))
    metrics.addMetric('ApprovalsOpened', MetricUnit.Count, 1)
    const ask: ActionRequest = {
      ...proposal.request,
      decision: { ...proposal.request.decision, action: 'ask-owner', mode: 'shadow' },
      text: approvalRequestText(req.number, proposal, hours, body.imageText),
    }
    await deps.actions.send({ group: proposal.request.decision.room, dedupeId: `approval-${owner}-${req.number}`, body: ask })
    return
  }
  await answer(deps, body.event, now)
}

async function answer(deps: ApprovalsDeps, event: PrivateEvent, now: Date): Promise<void> {
  const parsed = parseAnswer(event.text)
  if (!parsed) return // an ordinary private message: not ours to answer
  const at = now.toISOString()
  const open = await deps.approvals.get(event.sender, parsed.number)
  const answerable = open?.status === 'open' && Date.parse(at) <= Date.parse(open.deadline)
  // Carry the action out before closing the request: if this dies in between, the redelivered
  // answer finds the request still open and sends again (SQS drops the repeat by its id).
  if (answerable && parsed.verdict === 'approve')
    await deps.actions.send({ group: open.room, dedupeId: `decision-${open.decisionId}`, body: open.request })
  const closed = answerable
    ? await deps.approvals.close(event.sender, parsed.number, parsed.verdict === 'approve' ? 'approved' : 'rejected', at)
    : undefined
  const outcome = closed ? (closed.status === 'approved' ? 'approved' : 'rejected') : 'unknown'
  if (closed) {
    // The rule's record learns from the answer, and may be promoted (or demoted) by it.
    const rule = (await deps.approvals.getRule(closed.room, closed.rule)) ?? newRule(closed.room, closed.rule, 'shadow')
    const next = recordAnswer(rule, closed.decisionId, closed.status === 'approved' ? 'approved' : 'rejected', at)
    await deps.approvals.saveRule(next.rule)
    if (next.change) {
      logger.info('rule changed state', { rule: closed.rule, room: closed.room, from: next.change.from, to: next.change.to })
      await deps.actions.send({
        group: `owner-${event.sender}`,
        dedupeId: `state-${event.id}`,
        body: privateNote(
          event.sender,
          event.id,
          stateChangeText(ruleName(closed.rule), groupName(closed.topic, closed.room), next.change),
        ),
      })
    }
  }
  metrics.addMetric(outcome === 'unknown' ? 'AnswersUnmatched' : outcome === 'approved' ? 'Approved' : 'Rejected', MetricUnit.Count, 1)
  logger.info('owner answered', { number: parsed.number, verdict: parsed.verdict, outcome, rule: closed?.rule, room: closed?.room })
  await deps.actions.send({
    group: `owner-${event.sender}`,
    dedupeId: `receipt-${event.id}`,
    body: privateNote(event.sender, event.id, answerReceiptText(parsed, outcome)),
  })
}

export function approvalsBatch(deps: ApprovalsDeps, event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  return fifoBatch(event, context, (record) => approvalsRecord(deps, record))
}

let deps: ApprovalsDeps | undefined
/** Production wiring: TABLE_NAME, ACTIONS_QUEUE_URL, APPROVAL_EXPIRY_HOURS (default 24). */
export function depsFromEnv(): ApprovalsDeps {
  deps ??= {
    approvals: aws.approvalStore(),
    actions: aws.queue('ACTIONS_QUEUE_URL'),
    expiresInHours: Number(process.env.APPROVAL_EXPIRY_HOURS ?? 24),
  }
  return deps
}

export const handler = withPowertools(function approvalsHandler(event: SQSEvent, context: Context) {
  return approvalsBatch(depsFromEnv(), event, context)
})
