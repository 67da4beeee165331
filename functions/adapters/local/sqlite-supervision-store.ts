/**
 * SqliteSupervisionStore: the embedded SupervisionStore (approval requests, rules' lifecycle
 * records, owners' room switches, owners' pacing, rooms' counts per day) in the same SQLite file as the guard store — its own
 * connection, the same migrations. Opening a request (number and row) and closing one are
 * single transactions. A rule's counts live in its lifecycle record (`getRule`).
 *
 * @example
 *   const approvals = SqliteSupervisionStore.open('qunguard.db')
 */
import Database from 'better-sqlite3'
import type { ApprovalStatus } from '../../domain/approvals.ts'
import type { SupervisedRule } from '../../domain/supervision/lifecycle.ts'
import { addedToDay, type DayCounts } from '../../domain/supervision/texts.ts'
import { type ApprovalRecord, ApprovalStoreError, type NewApproval } from '../../ports/approval-store.port.ts'
import {
  type DayAddition,
  type OwnerPacing,
  type RoomOverrides,
  RuleConflictError,
  type SupervisionStore,
} from '../../ports/supervision-store.port.ts'
import { migrate } from './sqlite-guard-store.ts'

type Row = Record<string, unknown>

function toRecord(r: Row): ApprovalRecord {
  const base = JSON.parse(String(r.json)) as NewApproval & { number: number }
  return {
    ...base,
    status: String(r.status) as ApprovalStatus,
    answeredAt: typeof r.answered_at === 'string' ? r.answered_at : undefined,
    notifiedAt: typeof r.notified_at === 'string' ? r.notified_at : undefined,
  }
}

export class SqliteSupervisionStore implements SupervisionStore {
  private readonly s: ReturnType<typeof prepare>
  private readonly openTx: (a: NewApproval) => ApprovalRecord
  private readonly addTx: (day: string, room: string, add: DayAddition) => void
  private readonly saveRuleTx: { immediate: (rule: SupervisedRule) => void }

  private constructor(private readonly db: Database.Database) {
    this.s = prepare(db)
    this.openTx = db.transaction((a: NewApproval) => {
      const known = this.s.byDecision.get(a.decisionId) as Row | undefined
      if (known) return toRecord(known)
      this.s.bumpCounter.run(a.owner)
      const number = Number((this.s.counter.get(a.owner) as Row).n)
      const record: ApprovalRecord = { ...a, number, status: 'open' }
      this.s.insert.run(a.owner, number, a.room, a.rule, a.decisionId, Date.parse(a.deadline), JSON.stringify({ ...a, number }))
      return record
    })
    this.addTx = db.transaction((day: string, room: string, add: DayAddition) => {
      const r = this.s.getDay.get(day, room) as Row | undefined
      const next = addedToDay(r ? (JSON.parse(String(r.json)) as DayCounts) : undefined, add)
      this.s.saveDay.run(day, room, JSON.stringify(next))
    })
    // Compare and write in one transaction (immediate: another process on the same file waits).
    this.saveRuleTx = db.transaction((rule: SupervisedRule) => {
      const row = this.s.getRule.get(rule.room, rule.rule) as Row | undefined
      const stored = row ? ((JSON.parse(String(row.json)) as SupervisedRule).version ?? 0) : 0
      if (stored !== (rule.version ?? 0)) throw new RuleConflictError(`rule ${rule.rule} of ${rule.room} was saved since it was read`)
      this.s.saveRule.run(rule.room, rule.rule, JSON.stringify({ ...rule, version: stored + 1 }))
    })
  }

  /** Opens (creating and migrating if needed) the store file; `':memory:'` gives a throwaway one. */
  static open(file: string): SqliteSupervisionStore {
    try {
      const db = new Database(file)
      db.pragma('journal_mode = WAL')
      db.pragma('busy_timeout = 5000')
      migrate(db)
      return new SqliteSupervisionStore(db)
    } catch (e) {
      throw new ApprovalStoreError(`cannot open the SQLite store ${file}: ${(e as Error).message}`, { cause: e })
    }
  }

  async open(approval: NewApproval): Promise<ApprovalRecord> {
    return this.openTx(approval)
  }

  async get(owner: string, number: number): Promise<ApprovalRecord | undefined> {
    const r = this.s.get.get(owner, number) as Row | undefined
    return r ? toRecord(r) : undefined
  }

  async close(owner: string, number: number, status: Exclude<ApprovalStatus, 'open'>, at: string): Promise<ApprovalRecord | undefined> {
    const record = await this.get(owner, number)
    if (record?.status !== 'open') return undefined
    if (status !== 'expired' && Date.parse(at) > Date.parse(record.deadline)) return undefined
    const changed = this.s.close.run(status, at, owner, number).changes
    return changed ? { ...record, status, answeredAt: at } : undefined
  }

  async listOverdue(before: string): Promise<ApprovalRecord[]> {
    return (this.s.overdue.all(Date.parse(before)) as Row[]).map(toRecord)
  }

  async listAnswered(since: string): Promise<ApprovalRecord[]> {
    return (this.s.answered.all() as Row[])
      .map(toRecord)
      .filter((r) => Date.parse(r.answeredAt ?? '') >= Date.parse(since))
      .sort((a, b) => Date.parse(a.answeredAt ?? '') - Date.parse(b.answeredAt ?? ''))
  }

  async countOpen(at: string): Promise<number> {
    return Number((this.s.countOpen.get(Date.parse(at)) as Row).n)
  }

  async getRule(room: string, rule: string): Promise<SupervisedRule | undefined> {
    const r = this.s.getRule.get(room, rule) as Row | undefined
    return r ? (JSON.parse(String(r.json)) as SupervisedRule) : undefined
  }

  async saveRule(rule: SupervisedRule): Promise<void> {
    this.saveRuleTx.immediate(rule)
  }

  async listRules(room?: string): Promise<SupervisedRule[]> {
    const rows = room === undefined ? this.s.listRules.all() : this.s.listRoomRules.all(room)
    return (rows as Row[]).map((r) => JSON.parse(String(r.json)) as SupervisedRule)
  }

  async listOpen(owner: string): Promise<ApprovalRecord[]> {
    return (this.s.listOpen.all(owner) as Row[]).map(toRecord)
  }

  async listRequests(owner: string, rule?: string): Promise<ApprovalRecord[]> {
    const rows = (rule === undefined ? this.s.listAll.all(owner) : this.s.listRule.all(owner, rule)) as Row[]
    return rows.map(toRecord)
  }

  async markNotified(owner: string, numbers: readonly number[], at: string): Promise<void> {
    this.db.transaction(() => {
      for (const n of numbers) this.s.notified.run(at, owner, n)
    })()
  }

  async getRoomOverrides(room: string): Promise<RoomOverrides> {
    const r = this.s.getOverrides.get(room) as Row | undefined
    return r ? (JSON.parse(String(r.json)) as RoomOverrides) : {}
  }

  async saveRoomOverrides(room: string, overrides: RoomOverrides): Promise<void> {
    this.s.saveOverrides.run(room, JSON.stringify(overrides))
  }

  async getPacing(owner: string): Promise<OwnerPacing | undefined> {
    const r = this.s.getPacing.get(owner) as Row | undefined
    return r ? (JSON.parse(String(r.json)) as OwnerPacing) : undefined
  }

  async savePacing(owner: string, pacing: OwnerPacing): Promise<void> {
    this.s.savePacing.run(owner, JSON.stringify(pacing))
  }

  async listPacedOwners(): Promise<string[]> {
    return (this.s.pacedOwners.all() as Row[]).map((r) => String(r.owner))
  }

  async addToDay(day: string, room: string, add: DayAddition): Promise<void> {
    this.addTx(day, room, add)
  }

  async getDay(day: string, room: string): Promise<DayCounts | undefined> {
    const r = this.s.getDay.get(day, room) as Row | undefined
    return r ? (JSON.parse(String(r.json)) as DayCounts) : undefined
  }

  async pruneDays(day: string): Promise<void> {
    this.s.pruneDays.run(day)
  }

  async closeStore(): Promise<void> {
    this.db.close()
  }
}

function prepare(db: Database.Database) {
  return {
    byDecision: db.prepare('SELECT * FROM approvals WHERE decision_id = ?'),
    bumpCounter: db.prepare('INSERT INTO approval_counters (owner, n) VALUES (?, 1) ON CONFLICT (owner) DO UPDATE SET n = n + 1'),
    counter: db.prepare('SELECT n FROM approval_counters WHERE owner = ?'),
    insert: db.prepare(
      "INSERT INTO approvals (owner, number, room, rule, decision_id, status, deadline_ms, json) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)",
    ),
    get: db.prepare('SELECT * FROM approvals WHERE owner = ? AND number = ?'),
    close: db.prepare("UPDATE approvals SET status = ?, answered_at = ? WHERE owner = ? AND number = ? AND status = 'open'"),
    overdue: db.prepare("SELECT * FROM approvals WHERE status = 'open' AND deadline_ms < ? ORDER BY deadline_ms"),
    answered: db.prepare("SELECT * FROM approvals WHERE status IN ('approved', 'rejected')"),
    countOpen: db.prepare("SELECT count(*) AS n FROM approvals WHERE status = 'open' AND deadline_ms >= ?"),
    getRule: db.prepare('SELECT json FROM supervised_rules WHERE room = ? AND rule = ?'),
    saveRule: db.prepare(
      'INSERT INTO supervised_rules (room, rule, json) VALUES (?, ?, ?) ON CONFLICT (room, rule) DO UPDATE SET json = excluded.json',
    ),
    listRules: db.prepare('SELECT json FROM supervised_rules ORDER BY room, rule'),
    listRoomRules: db.prepare('SELECT json FROM supervised_rules WHERE room = ? ORDER BY rule'),
    listOpen: db.prepare("SELECT * FROM approvals WHERE owner = ? AND status = 'open' ORDER BY number"),
    listAll: db.prepare('SELECT * FROM approvals WHERE owner = ? ORDER BY number'),
    listRule: db.prepare('SELECT * FROM approvals WHERE owner = ? AND rule = ? ORDER BY number'),
    notified: db.prepare('UPDATE approvals SET notified_at = ? WHERE owner = ? AND number = ?'),
    getOverrides: db.prepare('SELECT json FROM room_overrides WHERE room = ?'),
    saveOverrides: db.prepare(
      'INSERT INTO room_overrides (room, json) VALUES (?, ?) ON CONFLICT (room) DO UPDATE SET json = excluded.json',
    ),
    getPacing: db.prepare('SELECT json FROM owner_pacing WHERE owner = ?'),
    savePacing: db.prepare('INSERT INTO owner_pacing (owner, json) VALUES (?, ?) ON CONFLICT (owner) DO UPDATE SET json = excluded.json'),
    pacedOwners: db.prepare('SELECT owner FROM owner_pacing ORDER BY owner'),
    getDay: db.prepare('SELECT json FROM day_counts WHERE day = ? AND room = ?'),
    saveDay: db.prepare(
      'INSERT INTO day_counts (day, room, json) VALUES (?, ?, ?) ON CONFLICT (day, room) DO UPDATE SET json = excluded.json',
    ),
    pruneDays: db.prepare('DELETE FROM day_counts WHERE day < ?'),
  }
}
