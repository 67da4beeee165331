/**
 * SqliteGuardStore: the embedded GuardStore, one SQLite file (better-sqlite3).
 *
 * - WAL journal with `synchronous = NORMAL`: a committed transaction survives a crash of the
 *   process (the WAL is in the OS's hands once the commit returns); only a power loss or OS
 *   crash can lose the last few commits. `durability: 'full'` trades throughput for that too.
 * - `commit` is one transaction: an event is stored together with everything decided on it.
 * - Statements are prepared once; the async methods do their work synchronously inside.
 *
 * @example
 *   const store = SqliteGuardStore.open('qunguard.db')
 *   await store.commit({ event })
 */
import Database from 'better-sqlite3'
import type { GroupEvent, MessageEvent, RoomEvent } from '../../domain/events.ts'
import type {
  ActionRecord,
  BlacklistEntry,
  Change,
  CommitResult,
  DecisionToStore,
  GuardStore,
  JoinRoute,
  MemberRecord,
  PendingVerification,
  RoomRecord,
  StoredDecision,
} from '../../ports/guard-store.port.ts'
import { StoreError } from '../../ports/guard-store.port.ts'
import { outgoingColumn, toStoredDecision } from '../stored-decision.ts'
import { MIGRATIONS } from './sqlite-migrations.ts'
import { lockStore } from './store-lock.ts'

export interface SqliteGuardStoreOptions {
  /** 'normal' survives process crashes; 'full' also survives power loss, at a cost. @default 'normal' */
  readonly durability?: 'normal' | 'full'
  /**
   * Open to read only (`doctor`): no lock taken, no migration, every write fails. Without it the
   * store takes the file's lock (store-lock.ts): a second writer gets StoreLockedError. @default false
   */
  readonly readOnly?: boolean
}

type Row = Record<string, unknown>
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

function toMember(r: Row): MemberRecord {
  return {
    room: String(r.room),
    member: String(r.member),
    name: str(r.name),
    joinedAt: str(r.joined_at),
    inviter: str(r.inviter),
    via: String(r.via) as JoinRoute,
    leftAt: str(r.left_at),
    remover: str(r.remover),
  }
}

export class SqliteGuardStore implements GuardStore {
  private readonly db: Database.Database
  private readonly stmt: ReturnType<typeof prepare>
  private readonly commitTx: (change: Change) => CommitResult
  private readonly settleTx: (v: PendingVerification, decisions: readonly DecisionToStore[], at: string) => CommitResult

  private constructor(
    db: Database.Database,
    private readonly unlock: () => void,
  ) {
    this.db = db
    this.stmt = prepare(db)
    this.commitTx = db.transaction((change: Change) => this.commitInside(change))
    this.settleTx = db.transaction((v: PendingVerification, decisions: readonly DecisionToStore[], at: string) => {
      if (this.stmt.closeVerification.run(v.room, v.member, v.event).changes === 0) return { stored: false, decisionIds: [] }
      return { stored: true, decisionIds: decisions.map((d) => this.insertDecision(d, at)) }
    })
  }

  /**
   * Opens (creating if needed), locks and migrates the store. `':memory:'` gives a throwaway
   * store. Throws StoreLockedError while another process (or store) has the file open to write.
   */
  static open(file: string, options: SqliteGuardStoreOptions = {}): SqliteGuardStore {
    if (options.readOnly) {
      try {
        const db = new Database(file, { readonly: true, fileMustExist: true })
        db.pragma('busy_timeout = 5000')
        return new SqliteGuardStore(db, () => {})
      } catch (e) {
        throw new StoreError(`cannot open the SQLite store ${file} to read: ${(e as Error).message}`, { cause: e })
      }
    }
    const unlock = file === ':memory:' ? () => {} : lockStore(file)
    let db: Database.Database
    try {
      db = new Database(file)
      db.pragma('journal_mode = WAL')
      db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`)
      db.pragma('foreign_keys = ON')
      db.pragma('busy_timeout = 5000')
      migrate(db)
    } catch (e) {
      unlock()
      throw new StoreError(`cannot open the SQLite store ${file}: ${(e as Error).message}`, { cause: e })
    }
    return new SqliteGuardStore(db, unlock)
  }

  /** The schema version (number of migrations applied). */
  get schemaVersion(): number {
    return Number(this.db.pragma('user_version', { simple: true }))
  }

  get journalMode(): string {
    return String(this.db.pragma('journal_mode', { simple: true }))
  }

  /**
   * Groups the commits that follow into one transaction, until `endBatch` (each commit inside
   * stays all or nothing as a savepoint). For bulk work such as `replay`: far fewer WAL writes,
   * and a crash loses the open batch whole — never part of an event.
   */
  beginBatch(): void {
    if (!this.db.inTransaction) this.guarded('beginBatch', () => this.db.exec('BEGIN IMMEDIATE'))
  }

  /** Commits the open batch, if any. */
  endBatch(): void {
    if (this.db.inTransaction) this.guarded('endBatch', () => this.db.exec('COMMIT'))
  }

  async commit(change: Change): Promise<CommitResult> {
    return this.guarded('commit', () => this.commitTx(change))
  }

  private commitInside(change: Change): CommitResult {
    const { event } = change
    const s = this.stmt
    const room = 'room' in event ? event.room : null
    const inserted = s.insertEvent.run(event.id, event.kind, room, event.ts, Date.parse(event.ts), JSON.stringify(event))
    if (inserted.changes === 0) return { stored: false, decisionIds: [] }
    if (change.self) s.setMeta.run('bots', JSON.stringify([change.self, ...this.botsInside().filter((b) => b !== change.self)]))
    if (change.room) this.snapshot(change.room)
    if (change.announcement) {
      const a = change.announcement
      s.setAnnouncement.run(a.room, a.ts, a.text)
    }
    for (const m of change.members ?? []) {
      s.upsertMember.run(
        m.room,
        m.member,
        m.name ?? null,
        m.joinedAt ?? null,
        m.inviter ?? null,
        m.via,
        m.leftAt ?? null,
        m.remover ?? null,
      )
    }
    for (const o of change.offences ?? [])
      s.insertOffence.run(o.room, o.member, o.rule, o.event, Date.parse(o.ts), o.mode, o.counted ? 1 : 0)
    const decisionIds = (change.decisions ?? []).map((d) => this.insertDecision(d, event.ts))
    for (const b of change.blacklist ?? []) s.putBlacklisted.run(b.owner, b.member, Date.parse(b.ts), JSON.stringify(b))
    for (const v of change.verifying ?? []) s.putVerification.run(v.room, v.member, v.event, Date.parse(v.until), JSON.stringify(v))
    for (const v of change.verified ?? []) s.dropVerification.run(v.room, v.member)
    return { stored: true, decisionIds }
  }

  private insertDecision(d: DecisionToStore, ts: string): number {
    const r = this.stmt.insertDecision.run(
      d.event,
      d.room,
      d.target,
      d.action,
      d.mode,
      d.rule,
      d.score,
      d.reason,
      ts,
      outgoingColumn(d.outgoing),
    )
    return Number(r.lastInsertRowid)
  }

  async getVerification(room: string, member: string): Promise<PendingVerification | undefined> {
    const r = this.stmt.getVerification.get(room, member) as Row | undefined
    return r ? (JSON.parse(String(r.json)) as PendingVerification) : undefined
  }

  async listDueVerifications(dueBy: string, limit = 100): Promise<PendingVerification[]> {
    return (this.stmt.dueVerifications.all(Date.parse(dueBy), limit) as Row[]).map((r) => JSON.parse(String(r.json)) as PendingVerification)
  }

  async settleVerification(v: PendingVerification, decisions: readonly DecisionToStore[], at: string): Promise<CommitResult> {
    return this.guarded('settleVerification', () => this.settleTx(v, decisions, at))
  }

  /** A room snapshot: topic, owner (kept when the snapshot names none), admins, and its members (present: no longer left). */
  private snapshot(room: RoomEvent): void {
    this.stmt.upsertRoom.run(room.room, room.topic, room.owner ?? null, JSON.stringify(room.admins), room.ts)
    for (const member of room.members) this.stmt.insertSnapshotMember.run(room.room, member, room.names[member] ?? null)
  }

  async recordAction(a: ActionRecord): Promise<void> {
    this.guarded('recordAction', () => this.stmt.insertAction.run(a.decisionId, a.status, a.detail, a.ts))
  }

  async getBots(): Promise<string[]> {
    return this.botsInside()
  }

  private botsInside(): string[] {
    const bots = str((this.stmt.getMeta.get('bots') as Row | undefined)?.value)
    // Stores written before several accounts kept the one account as `self`.
    const self = str((this.stmt.getMeta.get('self') as Row | undefined)?.value)
    return bots ? (JSON.parse(bots) as string[]) : self ? [self] : []
  }

  async getRoom(room: string): Promise<RoomRecord | undefined> {
    const r = this.stmt.getRoom.get(room) as Row | undefined
    return r ? toRoom(r) : undefined
  }

  async listRooms(): Promise<RoomRecord[]> {
    return (this.stmt.listRooms.all() as Row[]).map(toRoom)
  }

  async getMember(room: string, member: string): Promise<MemberRecord | undefined> {
    const r = this.stmt.getMember.get(room, member) as Row | undefined
    return r ? toMember(r) : undefined
  }

  async findMembers(room: string, who: string, options: { readonly withLeft?: boolean } = {}): Promise<MemberRecord[]> {
    const like = `%${who.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    const rows = (options.withLeft ? this.stmt.findMembersWithLeft : this.stmt.findMembers).all({ room, who, like }) as Row[]
    return rows.map(toMember)
  }

  async countOffences(room: string, member: string, since: string, mode: 'active' | 'shadow'): Promise<number> {
    return Number((this.stmt.countOffences.get(room, member, mode, Date.parse(since)) as Row).n)
  }

  async hasEvent(id: string): Promise<boolean> {
    return this.stmt.hasEvent.get(id) !== undefined
  }

  async getEvent(id: string): Promise<GroupEvent | undefined> {
    const r = this.stmt.getEvent.get(id) as Row | undefined
    return r ? (JSON.parse(String(r.json)) as GroupEvent) : undefined
  }

  async listDecisions(filter: { id?: number; room?: string; event?: string; target?: string } = {}): Promise<StoredDecision[]> {
    const rows =
      filter.id !== undefined
        ? this.stmt.decisionById.all(filter.id)
        : filter.event
          ? this.stmt.decisionsByEvent.all(filter.event)
          : filter.target
            ? this.stmt.decisionsByTarget.all(filter.target)
            : filter.room
              ? this.stmt.decisionsByRoom.all(filter.room)
              : this.stmt.allDecisions.all()
    return (rows as Row[])
      .filter(
        (r) =>
          (!filter.room || r.room === filter.room) &&
          (!filter.target || r.target === filter.target) &&
          (!filter.event || r.event === filter.event),
      )
      .map(toStoredDecision)
  }

  async clearOffences(room: string, member: string): Promise<number> {
    return this.guarded('clearOffences', () => this.stmt.clearOffences.run(room, member).changes)
  }

  async listActions(decisionId?: number): Promise<ActionRecord[]> {
    const rows = (decisionId === undefined ? this.stmt.allActions.all() : this.stmt.actionsOf.all(decisionId)) as Row[]
    return rows.map((r) => ({
      decisionId: Number(r.decision_id),
      status: r.status as ActionRecord['status'],
      detail: String(r.detail),
      ts: String(r.ts),
    }))
  }

  async listPendingDecisions(): Promise<StoredDecision[]> {
    return (this.stmt.pending.all() as Row[]).map(toStoredDecision)
  }

  async listMessages(options: { since?: string; limit?: number } = {}): Promise<MessageEvent[]> {
    const since = options.since === undefined ? Number.MIN_SAFE_INTEGER : Date.parse(options.since)
    const rows = this.stmt.listMessages.all(since, options.limit ?? 100_000) as Row[]
    return rows.map((r) => JSON.parse(String(r.json)) as MessageEvent)
  }

  async listEvents(options: { since?: string; limit?: number; room?: string } = {}): Promise<GroupEvent[]> {
    const since = options.since === undefined ? Number.MIN_SAFE_INTEGER : Date.parse(options.since)
    // Without a limit: read in the index's order, no sort (a console's 100k-message group reads in a fraction of the time).
    const texts = (
      options.limit === undefined
        ? options.room === undefined
          ? this.stmt.listEventsAll.all(since)
          : this.stmt.listRoomEventsAll.all(options.room, since)
        : options.room === undefined
          ? this.stmt.listEvents.all(since, options.limit)
          : this.stmt.listRoomEvents.all(options.room, since, options.limit)
    ) as string[]
    return texts.map((json) => JSON.parse(json) as GroupEvent)
  }

  async getBlacklisted(owners: readonly string[], member: string): Promise<BlacklistEntry | undefined> {
    for (const owner of owners) {
      const r = this.stmt.getBlacklisted.get(owner, member) as Row | undefined
      if (r) return JSON.parse(String(r.json)) as BlacklistEntry
    }
    return undefined
  }

  async listBlacklist(owner: string): Promise<BlacklistEntry[]> {
    return (this.stmt.listBlacklist.all(owner) as Row[]).map((r) => JSON.parse(String(r.json)) as BlacklistEntry)
  }

  async unblacklist(owner: string, member: string): Promise<boolean> {
    return this.guarded('unblacklist', () => this.stmt.unblacklist.run(owner, member).changes > 0)
  }

  async countEvents(): Promise<number> {
    return Number((this.stmt.countEvents.get() as Row).n)
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
    this.unlock()
  }

  private guarded<T>(what: string, fn: () => T): T {
    return guarded(what, fn)
  }
}

/** Runs a SQLite call, translating its failure into a StoreError that keeps the cause (the stores in this file's database). */
export function guarded<T>(what: string, fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    throw new StoreError(`SQLite ${what} failed: ${(e as Error).message}`, { cause: e })
  }
}

/** Brings a store file's schema up to date (shared by every SQLite adapter on the file). */
export function migrate(db: Database.Database): void {
  const version = Number(db.pragma('user_version', { simple: true }))
  if (version > MIGRATIONS.length)
    throw new Error(`the store's schema (version ${version}) is newer than this qunguard (${MIGRATIONS.length})`)
  MIGRATIONS.forEach((sql, i) => {
    if (i < version) return
    db.transaction(() => {
      db.exec(sql)
      db.pragma(`user_version = ${i + 1}`)
    })()
  })
}

function prepare(db: Database.Database) {
  return {
    insertEvent: db.prepare('INSERT INTO events (id, kind, room, ts, ts_ms, json) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING'),
    hasEvent: db.prepare('SELECT 1 FROM events WHERE id = ?'),
    putBlacklisted: db.prepare(
      'INSERT INTO blacklist (owner, member, ts_ms, json) VALUES (?, ?, ?, ?) ON CONFLICT (owner, member) DO UPDATE SET ts_ms = excluded.ts_ms, json = excluded.json',
    ),
    getBlacklisted: db.prepare('SELECT json FROM blacklist WHERE owner = ? AND member = ?'),
    findMembers: db.prepare(
      `SELECT * FROM members WHERE room = @room AND left_at IS NULL AND (member = @who OR name = @who OR name LIKE @like ESCAPE '\\')
       ORDER BY (member = @who OR name = @who) DESC, name, member LIMIT 20`,
    ),
    findMembersWithLeft: db.prepare(
      `SELECT * FROM members WHERE room = @room AND (member = @who OR name = @who OR name LIKE @like ESCAPE '\\')
       ORDER BY (member = @who OR name = @who) DESC, name, member LIMIT 20`,
    ),
    listBlacklist: db.prepare('SELECT json FROM blacklist WHERE owner = ? ORDER BY ts_ms, member'),
    unblacklist: db.prepare('DELETE FROM blacklist WHERE owner = ? AND member = ?'),
    getEvent: db.prepare('SELECT json FROM events WHERE id = ?'),
    countEvents: db.prepare('SELECT count(*) AS n FROM events'),
    listMessages: db.prepare(
      "SELECT json FROM (SELECT json, ts_ms, rowid AS r FROM events WHERE kind = 'message' AND ts_ms >= ? ORDER BY ts_ms DESC, rowid DESC LIMIT ?) ORDER BY ts_ms, r",
    ),
    listRoomEvents: db
      .prepare(
        'SELECT json FROM (SELECT json, ts_ms, rowid AS r FROM events WHERE room = ? AND ts_ms >= ? ORDER BY ts_ms DESC, rowid DESC LIMIT ?) ORDER BY ts_ms, r',
      )
      .pluck(),
    listEvents: db
      .prepare(
        'SELECT json FROM (SELECT json, ts_ms, rowid AS r FROM events WHERE ts_ms >= ? ORDER BY ts_ms DESC, rowid DESC LIMIT ?) ORDER BY ts_ms, r',
      )
      .pluck(),
    listRoomEventsAll: db.prepare('SELECT json FROM events WHERE room = ? AND ts_ms >= ? ORDER BY ts_ms, rowid').pluck(),
    listEventsAll: db.prepare('SELECT json FROM events WHERE ts_ms >= ? ORDER BY ts_ms, rowid').pluck(),
    setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    upsertRoom: db.prepare(
      `INSERT INTO rooms (room, topic, owner, admins, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (room) DO UPDATE SET topic = excluded.topic, owner = coalesce(excluded.owner, rooms.owner),
       admins = excluded.admins, updated_at = excluded.updated_at`,
    ),
    getRoom: db.prepare('SELECT * FROM rooms WHERE room = ?'),
    setAnnouncement: db.prepare(
      "INSERT INTO rooms (room, topic, admins, updated_at, announcement) VALUES (?, '', '[]', ?, ?) ON CONFLICT (room) DO UPDATE SET announcement = excluded.announcement",
    ),
    listRooms: db.prepare('SELECT * FROM rooms ORDER BY room'),
    insertSnapshotMember: db.prepare(
      `INSERT INTO members (room, member, name, via) VALUES (?, ?, ?, 'snapshot')
       ON CONFLICT (room, member) DO UPDATE SET name = coalesce(excluded.name, members.name), left_at = NULL, remover = NULL`,
    ),
    upsertMember: db.prepare(
      `INSERT INTO members (room, member, name, joined_at, inviter, via, left_at, remover) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (room, member) DO UPDATE SET name = coalesce(excluded.name, members.name), joined_at = excluded.joined_at,
       inviter = excluded.inviter, via = excluded.via, left_at = excluded.left_at, remover = excluded.remover`,
    ),
    getMember: db.prepare('SELECT * FROM members WHERE room = ? AND member = ?'),
    insertOffence: db.prepare('INSERT INTO offences (room, member, rule, event, ts_ms, mode, counted) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    countOffences: db.prepare(
      'SELECT count(*) AS n FROM offences WHERE room = ? AND member = ? AND mode = ? AND ts_ms >= ? AND counted = 1',
    ),
    insertDecision: db.prepare(
      'INSERT INTO decisions (event, room, target, action, mode, rule, score, reason, ts, outgoing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    decisionsByEvent: db.prepare('SELECT * FROM decisions WHERE event = ? ORDER BY id'),
    decisionById: db.prepare('SELECT * FROM decisions WHERE id = ?'),
    decisionsByRoom: db.prepare('SELECT * FROM decisions WHERE room = ? ORDER BY id'),
    allDecisions: db.prepare('SELECT * FROM decisions ORDER BY id'),
    decisionsByTarget: db.prepare('SELECT * FROM decisions WHERE target = ? ORDER BY id'),
    clearOffences: db.prepare('DELETE FROM offences WHERE room = ? AND member = ?'),
    pending: db.prepare(
      "SELECT * FROM decisions d WHERE d.mode = 'active' AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.decision_id = d.id) ORDER BY d.id",
    ),
    putVerification: db.prepare(
      'INSERT INTO verifications (room, member, event, until_ms, json) VALUES (?, ?, ?, ?, ?) ON CONFLICT (room, member) DO UPDATE SET event = excluded.event, until_ms = excluded.until_ms, json = excluded.json',
    ),
    dropVerification: db.prepare('DELETE FROM verifications WHERE room = ? AND member = ?'),
    closeVerification: db.prepare('DELETE FROM verifications WHERE room = ? AND member = ? AND event = ?'),
    getVerification: db.prepare('SELECT json FROM verifications WHERE room = ? AND member = ?'),
    dueVerifications: db.prepare('SELECT json FROM verifications WHERE until_ms <= ? ORDER BY until_ms, room, member LIMIT ?'),
    insertAction: db.prepare('INSERT INTO actions (decision_id, status, detail, ts) VALUES (?, ?, ?, ?)'),
    actionsOf: db.prepare('SELECT * FROM actions WHERE decision_id = ? ORDER BY id'),
    allActions: db.prepare('SELECT * FROM actions ORDER BY id'),
  }
}

function toRoom(r: Row): RoomRecord {
  return {
    room: String(r.room),
    topic: String(r.topic),
    owner: str(r.owner),
    admins: JSON.parse(String(r.admins)) as string[],
    updatedAt: String(r.updated_at),
    ...(typeof r.announcement === 'string' ? { announcement: r.announcement } : {}),
  }
}
