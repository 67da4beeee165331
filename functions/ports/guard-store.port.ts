/**
 * GuardStore: where the guard keeps what it saw and what it did.
 *
 * Adapters: `SqliteGuardStore` (embedded, functions/adapters/local) and, later, a DynamoDB one.
 * Both must pass the contract suite in test/contract/guard-store.contract.ts.
 *
 * Writes go through `commit`, all or nothing: an event, the member changes it implies, the
 * offence it counts as and the decisions taken on it are stored together, so a crash never
 * leaves an event stored without its decisions (or decisions without their event).
 *
 * @example
 *   const { stored } = await store.commit({ event, decisions: [d] })
 *   if (!stored) return // the same event id was already processed: do nothing twice
 */
import type { Decision, GroupEvent, MessageEvent, RoomEvent } from '../domain/events.ts'

export type JoinRoute = 'invite' | 'qrcode' | 'unknown' | 'snapshot'

export interface MemberRecord {
  readonly room: string
  readonly member: string
  readonly name?: string | undefined
  /** When the member joined, ISO-8601; undefined when they were already there when we started. */
  readonly joinedAt?: string | undefined
  readonly inviter?: string | undefined
  readonly via: JoinRoute
  /** Set when the member left; cleared when they join again. */
  readonly leftAt?: string | undefined
  readonly remover?: string | undefined
}

export interface RoomRecord {
  readonly room: string
  readonly topic: string
  readonly owner?: string | undefined
  readonly admins: readonly string[]
  readonly updatedAt: string
  /** The group announcement (群公告) as last set, when one was seen. */
  readonly announcement?: string | undefined
}

export interface OffenceRecord {
  readonly room: string
  readonly member: string
  readonly rule: string
  readonly event: string
  readonly ts: string
  readonly mode: 'active' | 'shadow'
  /**
   * Whether it counts on the member's ladder: false for what the member never saw (a private
   * alert to the owner, a recall) — docs/rules.md. `countOffences` counts only these.
   */
  readonly counted: boolean
}

export type ActionStatus = 'done' | 'fallback' | 'failed'

export interface ActionRecord {
  readonly decisionId: number
  readonly status: ActionStatus
  /** What was actually done, e.g. "removed", or why it fell back: "puppet cannot remove members". */
  readonly detail: string
  readonly ts: string
}

/**
 * What a decision sends (or, for a shadow decision, would send once approved), kept with it so
 * that a redelivered event re-sends exactly the same thing instead of nothing.
 */
export interface Outgoing {
  /** The @-warning or the private note. */
  readonly text: string
  /** Who gets private alerts and approval requests for the room. */
  readonly ownerId?: string | undefined
  /** For shadow decisions: the action approving it carries out. */
  readonly proposed?: Decision['action'] | undefined
  /** For a decision about no message of its room (a blacklisted member joining): who, and what happened. */
  readonly about?: About | undefined
  /**
   * The cleanup after removing the member (docs/rules.md#cleanup-on-removal): on the `cleanup`
   * decision that follows an active removal, and on a shadow removal (done once it is approved).
   */
  readonly cleanup?: Cleanup | undefined
}

/** The messages a cleanup recalls, and the owner's note about it. */
export interface Cleanup {
  /** What the owner is told (the executor adds which messages it recalled and which it could not). */
  readonly text: string
  readonly items: readonly RecallItem[]
}

/** A message a cleanup recalls: its event id, and its time and excerpt for the owner. */
export interface RecallItem {
  readonly id: string
  readonly line: string
}

/** What a decision is about when no message of its room is: the member's name, and what happened in words. */
export interface About {
  readonly name?: string | undefined
  readonly what: string
}

/** A decision as the Guard hands it to the store. */
export interface DecisionToStore extends Decision {
  readonly outgoing?: Outgoing | undefined
}

export interface StoredDecision extends DecisionToStore {
  readonly id: number
  readonly ts: string
}

/**
 * A member on an owner's cross-group blacklist: removed for a violation in one of the owner's
 * groups, and so flagged in all of them (docs/blacklist.md).
 */
export interface BlacklistEntry {
  /** Whose list: the WeChat id of the groups' owner. */
  readonly owner: string
  readonly member: string
  /** The member's display name when they were listed (owners name members by it). */
  readonly name?: string | undefined
  /** The group they were removed from. */
  readonly room: string
  /** The rule behind the removal, when the guard knows it. */
  readonly rule?: string | undefined
  /** The event that listed them (the removal, or the guard's removing decision's message). */
  readonly event: string
  readonly ts: string
}

/**
 * A newcomer asked to verify (docs/rules.md#newcomer-verification): open from their join until
 * they answer (`Change.verified`) or the guard acts on the timeout (`settleVerification`).
 */
export interface PendingVerification {
  readonly room: string
  readonly member: string
  readonly name?: string | undefined
  /** The join event that opened it. */
  readonly event: string
  /** When the join happened (ISO-8601). */
  readonly since: string
  /** The deadline (ISO-8601). */
  readonly until: string
  /** What counts as an answer (the code, or the configured answers), already normalised. */
  readonly answers: readonly string[]
}

/** One atomic write. Every part except `event` is optional. */
export interface Change {
  readonly event: GroupEvent
  readonly self?: string | undefined
  readonly room?: RoomEvent | undefined
  /** The group announcement set: kept on the room's record (the room is created without a topic if unknown). */
  readonly announcement?: { readonly room: string; readonly text: string; readonly ts: string } | undefined
  readonly members?: readonly MemberRecord[] | undefined
  readonly offences?: readonly OffenceRecord[] | undefined
  readonly decisions?: readonly DecisionToStore[] | undefined
  /** Members put on (or listed again on) their owner's blacklist: the entry replaces an earlier one. */
  readonly blacklist?: readonly BlacklistEntry[] | undefined
  /** Newcomers asked to verify: each replaces the member's open verification in the room, if any. */
  readonly verifying?: readonly PendingVerification[] | undefined
  /** Newcomers who answered: their open verification in the room is closed (if it still is open). */
  readonly verified?: readonly { readonly room: string; readonly member: string }[] | undefined
}

export interface CommitResult {
  /** false when an event with this id was stored before; nothing else was written then. */
  readonly stored: boolean
  /** Ids of the stored decisions, in the order given. */
  readonly decisionIds: readonly number[]
}

export interface GuardStore {
  commit(change: Change): Promise<CommitResult>
  recordAction(action: ActionRecord): Promise<void>

  /**
   * The guard's own accounts: every bot account that logged in (an `account` event) to this
   * store, the latest first. Several accounts may guard the same groups; each is staff to the others.
   */
  getBots(): Promise<string[]>
  getRoom(room: string): Promise<RoomRecord | undefined>
  /** Every room the store has seen a snapshot of, by room id — e.g. to show owners their groups' ids and names. */
  listRooms(): Promise<RoomRecord[]>
  getMember(room: string, member: string): Promise<MemberRecord | undefined>
  /** The room's present members (`withLeft`: former ones too) whose WeChat id is `who` or whose name is or holds it (exact matches first), at most 20. */
  findMembers(room: string, who: string, options?: { readonly withLeft?: boolean }): Promise<MemberRecord[]>
  /** Counted offences (`counted: true`) of a member in a room at or after `since` (ISO-8601), in one mode. */
  countOffences(room: string, member: string, since: string, mode: 'active' | 'shadow'): Promise<number>
  hasEvent(id: string): Promise<boolean>
  getEvent(id: string): Promise<GroupEvent | undefined>

  /** Stored decisions, oldest first; filtered by id, by room, by the event they were taken on, or by the member they were about. */
  listDecisions(filter?: { id?: number; room?: string; event?: string; target?: string }): Promise<StoredDecision[]>
  /** Forgets a member's offences in a room (an upheld appeal), both modes; how many were forgotten. */
  clearOffences(room: string, member: string): Promise<number>
  listActions(decisionId?: number): Promise<ActionRecord[]>
  /** Active decisions that have no action record yet (e.g. the process died before acting). */
  listPendingDecisions(): Promise<StoredDecision[]>
  countEvents(): Promise<number>
  /**
   * Stored message events at or after `since` (ISO-8601), oldest first: the newest `limit` of
   * them when there are more — the raw material of retraining. @default since the beginning,
   * limit 100,000
   */
  listMessages(options?: { since?: string; limit?: number }): Promise<MessageEvent[]>
  /**
   * Stored events of every kind (messages, joins, leaves, recalls, room snapshots …) at or after
   * `since`, oldest first (ties in the order stored, where the adapter knows it): the newest
   * `limit` of them when there are more — the history the rulebook is relearned from, whose
   * latest part matters most. `room`: that room's events only (a group's analytics). @default since
   * the beginning, every room, limit 1,000,000
   */
  listEvents(options?: { since?: string; limit?: number; room?: string }): Promise<GroupEvent[]>

  /** The first of these owners' blacklists (in the order given) that holds the member. */
  getBlacklisted(owners: readonly string[], member: string): Promise<BlacklistEntry | undefined>
  /** An owner's blacklist, oldest first. */
  listBlacklist(owner: string): Promise<BlacklistEntry[]>
  /** Takes a member off an owner's blacklist; false when they were not on it. */
  unblacklist(owner: string, member: string): Promise<boolean>

  /** The member's open verification in the room, if any. */
  getVerification(room: string, member: string): Promise<PendingVerification | undefined>
  /** Open verifications whose deadline is at or before `dueBy` (ISO-8601), earliest first, at most `limit` (@default 100). */
  listDueVerifications(dueBy: string, limit?: number): Promise<PendingVerification[]>
  /**
   * Closes an open verification the newcomer did not answer in time and stores what the guard
   * decided about it, together, `at` (ISO-8601) — only if that same verification (its join event)
   * is still open: `stored: false` when an answer or another run closed it first (nothing written).
   */
  settleVerification(v: PendingVerification, decisions: readonly DecisionToStore[], at: string): Promise<CommitResult>

  close(): Promise<void>
}

/** Base class of the store's own errors; adapters translate driver errors into these. */
export class StoreError extends Error {
  override name = 'StoreError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}
