/**
 * SupervisionStore: the ApprovalStore plus everything supervision keeps between events — every
 * rule's lifecycle record (state, pause, counts, latest decisions, changes of state), which
 * requests still wait for a digest, the owner's per-room switches (quiet mode), each owner's
 * pacing (requests sent, digest due, daily report sent) and each room's counts for the day.
 * Nothing of it lives only in a process's memory, so supervision runs the same in one long
 * process (embedded) and in short-lived functions (AWS).
 *
 * Adapters: `SqliteSupervisionStore` (embedded; the same SQLite file as the guard store),
 * `DynamoDbApprovalStore` (AWS) and `MemoryApprovalStore` (tests, replay). All pass
 * test/contract/supervision-store.contract.ts.
 *
 * @example
 *   const rule = (await store.getRule('r1', 'no-ads')) ?? newRule('r1', 'no-ads', 'shadow')
 *   await store.saveRule(recordFired(rule, decisionId))
 */
import type { SupervisedRule } from '../domain/supervision/lifecycle.ts'
import type { DayCounts } from '../domain/supervision/texts.ts'
import type { ApprovalRecord, ApprovalStore } from './approval-store.port.ts'

/**
 * A rule's record was saved by someone else since this copy was read (on AWS the approvals
 * function and the monitor's tick can change one rule's record at the same moment): read it
 * again and apply the change to that.
 */
export class RuleConflictError extends Error {
  override name = 'RuleConflictError'
}

/** What an owner switched for one room at run time, from the private chat (over the config file). */
export interface RoomOverrides {
  readonly quiet?: boolean | undefined
  /** Keywords added in the chat (加关键词): one more keyword rule, `owner-keywords`, on the room's ladder. */
  readonly keywords?: readonly string[] | undefined
  /** Members whitelisted in the chat (白名单), by WeChat id, with the name they were given by. */
  readonly whitelist?: readonly { readonly id: string; readonly name?: string | undefined }[] | undefined
  /** Limits set in the chat (锁定, 刷屏), over the config's `limits`: message types locked, the flood limit (null: none). */
  readonly limits?:
    | {
        readonly lock?: readonly string[] | undefined
        readonly flood?: { readonly count: number; readonly windowS: number } | null | undefined
      }
    | undefined /** Newcomer verification switched in the chat (验证 G1 开 / 关), over the config's `verification.enabled`. */
  readonly verification?: boolean | undefined
}

/** How an owner has been asked: for the hourly limit, the daily budget, digests and the report. */
export interface OwnerPacing {
  /** When requests were sent to the owner (ms since the epoch), the last 24 hours of them. */
  readonly sent: readonly number[]
  /** When the owner's next digest is due (ms since the epoch), when one waits. */
  readonly digestDue?: number | undefined
  /** Requests sent to the owner that expired unanswered since the last digest. */
  readonly expiredUnseen: number
  /** The owners' local day (YYYY-MM-DD) the daily report was last sent to this owner. */
  readonly reportDay?: string | undefined
}

/** What to add to a room's counts for a day: numbers to add, and a change of a rule's state to list. */
export type DayAddition = Partial<Omit<DayCounts, 'changes'>> & { readonly change?: string | undefined }

export interface SupervisionStore extends ApprovalStore {
  getRule(room: string, rule: string): Promise<SupervisedRule | undefined>
  /**
   * Saves the record as version `(rule.version ?? 0) + 1`, only if the stored one is still the
   * version this copy was read at (none stored, or one from before versions, for a copy without
   * one); otherwise throws `RuleConflictError` and saves nothing.
   */
  saveRule(rule: SupervisedRule): Promise<void>
  /** Every rule with a record (or one room's), by room then rule id. */
  listRules(room?: string): Promise<SupervisedRule[]>
  /** An owner's open requests (answerable or overdue, not yet closed), by number. */
  listOpen(owner: string): Promise<ApprovalRecord[]>
  /** Every request an owner was put, open or closed, by number; only one rule's (`appeal`: members' appeals) when given. */
  listRequests(owner: string, rule?: string): Promise<ApprovalRecord[]>
  /** Records that these requests were sent to the owner. */
  markNotified(owner: string, numbers: readonly number[], at: string): Promise<void>
  getRoomOverrides(room: string): Promise<RoomOverrides>
  saveRoomOverrides(room: string, overrides: RoomOverrides): Promise<void>
  /** An owner's pacing; undefined for an owner never written to. */
  getPacing(owner: string): Promise<OwnerPacing | undefined>
  savePacing(owner: string, pacing: OwnerPacing): Promise<void>
  /** Every owner with pacing saved, sorted. */
  listPacedOwners(): Promise<string[]>
  /** Adds to a room's counts for a local day (YYYY-MM-DD), atomically. */
  addToDay(day: string, room: string, add: DayAddition): Promise<void>
  getDay(day: string, room: string): Promise<DayCounts | undefined>
  /** Forgets the counts of days before `day`. */
  pruneDays(day: string): Promise<void>
}
