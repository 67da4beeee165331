/**
 * SqliteEventInbox: the embedded EventInbox, the `inbox` table of the store file (migration 4),
 * on its own connection. Each append is one committed insert (WAL): an event spilled here
 * survives a crash of the process and is judged at the next start.
 *
 * @example
 *   const inbox = SqliteEventInbox.open('qunguard.db')
 */
import Database from 'better-sqlite3'
import type { GroupEvent } from '../../domain/events.ts'
import { type EventInbox, EventInboxError, type InboxEntry } from '../../ports/event-inbox.port.ts'
import { migrate } from './sqlite-guard-store.ts'

type Row = Record<string, unknown>

export class SqliteEventInbox implements EventInbox {
  private readonly s: ReturnType<typeof prepare>

  private constructor(private readonly db: Database.Database) {
    this.s = prepare(db)
  }

  /** Opens (creating and migrating if needed) the store file; `':memory:'` gives a throwaway one. */
  static open(file: string): SqliteEventInbox {
    try {
      const db = new Database(file)
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.pragma('busy_timeout = 5000')
      migrate(db)
      return new SqliteEventInbox(db)
    } catch (e) {
      throw new EventInboxError(`cannot open the SQLite store ${file}: ${(e as Error).message}`, { cause: e })
    }
  }

  async append(lane: string, event: GroupEvent): Promise<void> {
    this.guarded('append', () => this.s.append.run(lane, JSON.stringify(event)))
  }

  async peek(lane: string, limit: number): Promise<InboxEntry[]> {
    const rows = this.guarded('peek', () => this.s.peek.all(lane, Math.max(0, limit)) as Row[])
    return rows.map((r) => ({ seq: Number(r.seq), lane, event: JSON.parse(String(r.json)) as GroupEvent }))
  }

  async remove(seq: number): Promise<void> {
    this.guarded('remove', () => this.s.remove.run(seq))
  }

  async pending(): Promise<Record<string, number>> {
    const rows = this.guarded('pending', () => this.s.pending.all() as Row[])
    return Object.fromEntries(rows.map((r) => [String(r.lane), Number(r.n)]))
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }

  private guarded<T>(what: string, fn: () => T): T {
    try {
      return fn()
    } catch (e) {
      throw new EventInboxError(`SQLite inbox ${what} failed: ${(e as Error).message}`, { cause: e })
    }
  }
}

function prepare(db: Database.Database) {
  return {
    append: db.prepare('INSERT INTO inbox (lane, json) VALUES (?, ?)'),
    peek: db.prepare('SELECT seq, json FROM inbox WHERE lane = ? ORDER BY seq LIMIT ?'),
    remove: db.prepare('DELETE FROM inbox WHERE seq = ?'),
    pending: db.prepare('SELECT lane, count(*) AS n FROM inbox GROUP BY lane ORDER BY lane'),
  }
}
