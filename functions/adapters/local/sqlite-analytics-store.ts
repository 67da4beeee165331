/**
 * SqliteAnalyticsStore: the embedded AnalyticsStore, in the same SQLite file as the guard store
 * (its own connection, the same migrations): one row per room and summarised day, and per room
 * the day they are complete through.
 *
 * @example
 *   const days = SqliteAnalyticsStore.open('qunguard.db')
 */
import Database from 'better-sqlite3'
import type { DaySummary } from '../../domain/analytics.ts'
import type { AnalyticsStore } from '../../ports/analytics-store.port.ts'
import { StoreError } from '../../ports/guard-store.port.ts'
import { guarded, migrate } from './sqlite-guard-store.ts'

export class SqliteAnalyticsStore implements AnalyticsStore {
  private readonly s: ReturnType<typeof prepare>
  private readonly putTx: (room: string, days: readonly DaySummary[], through: string, from: string) => void
  private readonly forgetTx: (room: string, fromDay: string) => void

  private constructor(private readonly db: Database.Database) {
    this.s = prepare(db)
    this.putTx = db.transaction((room: string, days: readonly DaySummary[], through: string, from: string) => {
      for (const d of days) this.s.putDay.run(room, d.day, JSON.stringify(d))
      this.s.dropBefore.run(room, from)
      this.s.setThrough.run(room, through)
    })
    this.forgetTx = db.transaction((room: string, fromDay: string) => {
      this.s.dropFrom.run(room, fromDay)
      this.s.clampThrough.run(dayBefore(fromDay), room, fromDay)
    })
  }

  static open(file: string): SqliteAnalyticsStore {
    try {
      const db = new Database(file)
      db.pragma('journal_mode = WAL')
      db.pragma('busy_timeout = 5000')
      migrate(db)
      return new SqliteAnalyticsStore(db)
    } catch (e) {
      throw new StoreError(`cannot open the SQLite store ${file}: ${(e as Error).message}`, { cause: e })
    }
  }

  async getDays(room: string, fromDay: string): Promise<{ through?: string | undefined; days: DaySummary[] }> {
    const through = this.s.getThrough.get(room) as string | undefined
    const days = (this.s.getDays.all(room, fromDay) as string[]).map((json) => JSON.parse(json) as DaySummary)
    return { through, days }
  }

  async putDays(room: string, days: readonly DaySummary[], marks: { through: string; from: string }): Promise<void> {
    guarded('putDays', () => this.putTx(room, days, marks.through, marks.from))
  }

  async forgetFrom(room: string, fromDay: string): Promise<void> {
    guarded('forgetFrom', () => this.forgetTx(room, fromDay))
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }
}

const dayBefore = (day: string) => new Date(Date.parse(`${day}T00:00:00.000Z`) - 86_400_000).toISOString().slice(0, 10)

function prepare(db: Database.Database) {
  return {
    getThrough: db.prepare('SELECT through FROM analytics_rooms WHERE room = ?').pluck(),
    getDays: db.prepare('SELECT json FROM analytics_days WHERE room = ? AND day >= ? ORDER BY day').pluck(),
    putDay: db.prepare(
      'INSERT INTO analytics_days (room, day, json) VALUES (?, ?, ?) ON CONFLICT (room, day) DO UPDATE SET json = excluded.json',
    ),
    dropBefore: db.prepare('DELETE FROM analytics_days WHERE room = ? AND day < ?'),
    dropFrom: db.prepare('DELETE FROM analytics_days WHERE room = ? AND day >= ?'),
    setThrough: db.prepare(
      'INSERT INTO analytics_rooms (room, through) VALUES (?, ?) ON CONFLICT (room) DO UPDATE SET through = excluded.through',
    ),
    clampThrough: db.prepare('UPDATE analytics_rooms SET through = ? WHERE room = ? AND through >= ?'),
  }
}
