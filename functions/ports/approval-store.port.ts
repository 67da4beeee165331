/**
 * ApprovalStore: the numbered approval requests of each owner and the record of every rule
 * that asks (how often it fired, was approved, rejected, or left unanswered).
 *
 * Adapters: `DynamoDbApprovalStore` (AWS) and `MemoryApprovalStore` (tests, single process).
 * Both pass test/contract/approval-store.contract.ts.
 *
 * @example
 *   const req = await approvals.open({ owner, room, rule, decisionId, request, createdAt, deadline })
 *   const closed = await approvals.close(owner, req.number, 'approved', now) // undefined: not open any more
 */
import type { ApprovalStatus } from '../domain/approvals.ts'
import type { ActionRequest } from './action-executor.port.ts'

export interface NewApproval {
  /** The owner's WeChat id: the only one whose answer counts. */
  readonly owner: string
  readonly room: string
  readonly rule: string
  /** The shadow decision it is about; opening twice for one decision returns the first request. */
  readonly decisionId: number
  /** What approving carries out. */
  readonly request: ActionRequest
  readonly createdAt: string
  /** After this (ISO-8601) the request can no longer be answered. */
  readonly deadline: string
  /**
   * Set when the action was already carried out (an active rule's decision, put to the owner for
   * review: \`N<n>\` marks it wrong). Unset: approving carries it out.
   */
  readonly done?: boolean | undefined
  /** The group's name when the request was opened, for what owners read later (a rule's change of state). */
  readonly topic?: string | undefined
  /** One line for the owner: who posted what, and the rule's reason (for digests). */
  readonly summary?: string | undefined
  /** The decision's confidence in [0, 1]. */
  readonly score?: number | undefined
}

export interface ApprovalRecord extends NewApproval {
  /** 1, 2, 3 … per owner. */
  readonly number: number
  readonly status: ApprovalStatus
  readonly answeredAt?: string | undefined
  /** When the owner was sent it (alone or in a digest); unset while it waits for a digest. */
  readonly notifiedAt?: string | undefined
}

export interface ApprovalStore {
  /** Opens a request with the owner's next number (idempotent per decision). */
  open(approval: NewApproval): Promise<ApprovalRecord>
  get(owner: string, number: number): Promise<ApprovalRecord | undefined>
  /**
   * Closes an open request as approved, rejected or expired (the rule's lifecycle record, which
   * the supervisor keeps, counts it).
   * Returns undefined when it is not open (unknown, already answered, or past its deadline for an answer).
   */
  close(owner: string, number: number, status: Exclude<ApprovalStatus, 'open'>, at: string): Promise<ApprovalRecord | undefined>
  /** Open requests whose deadline is before `before` (for the expiry sweep). */
  listOverdue(before: string): Promise<ApprovalRecord[]>
  /** Open requests still answerable at `at`. */
  countOpen(at: string): Promise<number>
  /**
   * Requests an owner answered (approved or rejected, not expired) at or after `since`, oldest
   * answer first — what retraining learns from the owners' `Y` / `N` (kept 90 days past their deadline).
   */
  listAnswered(since: string): Promise<ApprovalRecord[]>
}

export class ApprovalStoreError extends Error {
  override name = 'ApprovalStoreError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}
