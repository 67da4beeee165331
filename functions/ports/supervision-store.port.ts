/**
 * SupervisionStore: the ApprovalStore plus what supervision keeps between runs — every rule's
 * lifecycle record (state, pause, counts, latest decisions, changes of state), which requests
 * still wait for a digest, and the owner's per-room switches (quiet mode).
 *
 * Adapters: `SqliteSupervisionStore` (embedded; the same SQLite file as the guard store) and
 * `MemoryApprovalStore` (tests, replay). Both pass test/contract/supervision-store.contract.ts.
 *
 * @example
 *   const rule = (await store.getRule('r1', 'no-ads')) ?? newRule('r1', 'no-ads', 'shadow')
 *   await store.saveRule(recordFired(rule, decisionId))
 */
import type { SupervisedRule } from '../domain/supervision/lifecycle.ts'
import type { ApprovalRecord, ApprovalStore } from './approval-store.port.ts'

/** What an owner switched for one room at run time (over the config file). */
export interface RoomOverrides {
  readonly quiet?: boolean | undefined
}

export interface SupervisionStore extends ApprovalStore {
  getRule(room: string, rule: string): Promise<SupervisedRule | undefined>
  saveRule(rule: SupervisedRule): Promise<void>
  /** Every rule with a record, by room then rule id. */
  listRules(): Promise<SupervisedRule[]>
  /** An owner's open requests (answerable or overdue, not yet closed), by number. */
  listOpen(owner: string): Promise<ApprovalRecord[]>
  /** Records that these requests were sent to the owner. */
  markNotified(owner: string, numbers: readonly number[], at: string): Promise<void>
  getRoomOverrides(room: string): Promise<RoomOverrides>
  saveRoomOverrides(room: string, overrides: RoomOverrides): Promise<void>
}
