/**
 * SqliteFactsStore: the embedded FactsStore, in the same SQLite file as the guard store (its own
 * connection, the same migrations). Expired rows are deleted now and then as writes come in.
 *
 * @example
 *   const facts = SqliteFactsStore.open('qunguard.db')
 */
import Database from 'better-sqlite3'
import type { FactsStore, MemberActivity, RecentPicture, Report, Sighting } from '../../ports/facts-store.port.ts'
import { StoreError } from '../../ports/guard-store.port.ts'
import { migrate } from './sqlite-guard-store.ts'

type Row = Record<string, unknown>

/** Writes between two sweeps of expired rows. */
const SWEEP_EVERY = 1000

export class SqliteFactsStore implements FactsStore {
  private readonly s: ReturnType<typeof prepare>
  private readonly addTx: (bands: readonly string[], sighting: Sighting, expires: number) => void
  private writes = 0

  private constructor(private readonly db: Database.Database) {
    this.s = prepare(db)
    this.addTx = db.transaction((bands: readonly string[], sighting: Sighting, expires: number) => {
      const json = JSON.stringify(sighting)
      for (const band of bands) this.s.addSighting.run(band, sighting.ms, sighting.id, json, expires)
    })
  }

  static open(file: string): SqliteFactsStore {
    try {
      const db = new Database(file)
      db.pragma('journal_mode = WAL')
      db.pragma('busy_timeout = 5000')
      migrate(db)
      return new SqliteFactsStore(db)
    } catch (e) {
      throw new StoreError(`cannot open the SQLite store ${file}: ${(e as Error).message}`, { cause: e })
    }
  }

  async getActivity(room: string, member: string): Promise<MemberActivity | undefined> {
    const r = this.s.getActivity.get(room, member) as Row | undefined
    return r ? (JSON.parse(String(r.json)) as MemberActivity) : undefined
  }

  async saveActivity(room: string, member: string, activity: MemberActivity, expiresAtMs: number): Promise<void> {
    this.s.saveActivity.run(room, member, JSON.stringify(activity), Math.round(expiresAtMs))
    this.sweep(Math.max(0, ...activity.times, activity.caught ?? 0))
  }

  async getRhythm(room: string): Promise<readonly number[] | undefined> {
    const r = this.s.getRhythm.get(room) as Row | undefined
    return r ? (JSON.parse(String(r.json)) as number[]) : undefined
  }

  async saveRhythm(room: string, byHour: readonly number[]): Promise<void> {
    this.s.saveRhythm.run(room, JSON.stringify(byHour))
  }

  async findSightings(bands: readonly string[], afterMs: number, perBand: number): Promise<Sighting[]> {
    const seen = new Set<string>()
    const out: Sighting[] = []
    for (const band of bands) {
      const rows = this.s.findSightings.all(band, afterMs, perBand) as Row[]
      for (const r of rows.reverse()) {
        const s = JSON.parse(String(r.json)) as Sighting
        if (seen.has(s.id)) continue
        seen.add(s.id)
        out.push(s)
      }
    }
    return out
  }

  async addSighting(bands: readonly string[], sighting: Sighting, expiresAtMs: number): Promise<void> {
    this.addTx(bands, sighting, Math.round(expiresAtMs))
    this.sweep(sighting.ms)
  }

  async rememberPicture(room: string, picture: RecentPicture, expiresAtMs: number): Promise<void> {
    this.s.rememberPicture.run(room, picture.id, picture.ms, JSON.stringify(picture), Math.round(expiresAtMs))
    // A room's pictures are few and short-lived: drop its expired ones as each comes in.
    this.s.sweepPictures.run(room, picture.ms)
  }

  async recentPictures(room: string, afterMs: number, limit: number): Promise<RecentPicture[]> {
    const rows = this.s.recentPictures.all(room, afterMs, limit) as Row[]
    return rows.reverse().map((r) => JSON.parse(String(r.json)) as RecentPicture)
  }

  async addReport(room: string, target: string, report: Report, expiresAtMs: number): Promise<void> {
    this.s.addReport.run(room, target, report.reporter, report.ms, JSON.stringify(report), Math.round(expiresAtMs))
    this.s.sweepReports.run(report.ms)
  }

  async reports(room: string, target: string, afterMs: number): Promise<Report[]> {
    return (this.s.reports.all(room, target, afterMs) as Row[]).map((r) => JSON.parse(String(r.json)) as Report)
  }

  async close(): Promise<void> {
    this.db.close()
  }

  /** Deletes what has expired, every SWEEP_EVERY writes (`now`: the latest time written). */
  private sweep(now: number): void {
    if (++this.writes % SWEEP_EVERY !== 0) return
    this.s.sweepActivity.run(now)
    this.s.sweepSightings.run(now)
  }
}

function prepare(db: Database.Database) {
  return {
    getActivity: db.prepare('SELECT json FROM member_activity WHERE room = ? AND member = ?'),
    addReport: db.prepare(
      'INSERT INTO reports (room, target, reporter, ms, json, expires_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (room, target, reporter) DO UPDATE SET ms = excluded.ms, json = excluded.json, expires_ms = excluded.expires_ms',
    ),
    reports: db.prepare('SELECT json FROM reports WHERE room = ? AND target = ? AND ms > ? ORDER BY ms, reporter'),
    sweepReports: db.prepare('DELETE FROM reports WHERE expires_ms < ?'),
    saveActivity: db.prepare(
      'INSERT INTO member_activity (room, member, json, expires_ms) VALUES (?, ?, ?, ?) ON CONFLICT (room, member) DO UPDATE SET json = excluded.json, expires_ms = excluded.expires_ms',
    ),
    getRhythm: db.prepare('SELECT json FROM room_rhythm WHERE room = ?'),
    saveRhythm: db.prepare('INSERT INTO room_rhythm (room, json) VALUES (?, ?) ON CONFLICT (room) DO UPDATE SET json = excluded.json'),
    findSightings: db.prepare('SELECT json FROM sightings WHERE band = ? AND ms > ? ORDER BY ms DESC, id DESC LIMIT ?'),
    addSighting: db.prepare('INSERT OR IGNORE INTO sightings (band, ms, id, json, expires_ms) VALUES (?, ?, ?, ?, ?)'),
    sweepActivity: db.prepare('DELETE FROM member_activity WHERE expires_ms < ?'),
    sweepSightings: db.prepare('DELETE FROM sightings WHERE expires_ms < ?'),
    rememberPicture: db.prepare(
      'INSERT INTO recent_pictures (room, id, ms, json, expires_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (room, id) DO UPDATE SET ms = excluded.ms, json = excluded.json, expires_ms = excluded.expires_ms',
    ),
    recentPictures: db.prepare('SELECT json FROM recent_pictures WHERE room = ? AND ms > ? ORDER BY ms DESC, id DESC LIMIT ?'),
    sweepPictures: db.prepare('DELETE FROM recent_pictures WHERE room = ? AND expires_ms < ?'),
  }
}
