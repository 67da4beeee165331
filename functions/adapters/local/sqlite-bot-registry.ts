/**
 * SqliteBotRegistry: the bot registry in the embedded store's SQLite file (its own connection, the
 * same migrations), so that processes guarding from one store see each other's heartbeats.
 *
 * @example
 *   const registry = SqliteBotRegistry.open('qunguard.db')
 *   await registry.beat({ bot: 'wxid_bot', lastBeat: new Date().toISOString(), rooms: ['r1'] })
 */
import Database from 'better-sqlite3'
import type { BotRecord, BotRegistry } from '../../ports/bot-registry.port.ts'
import { StoreError } from '../../ports/guard-store.port.ts'
import { migrate } from './sqlite-guard-store.ts'

type Row = Record<string, unknown>

export class SqliteBotRegistry implements BotRegistry {
  private readonly s: ReturnType<typeof prepare>

  private constructor(private readonly db: Database.Database) {
    this.s = prepare(db)
  }

  static open(file: string): SqliteBotRegistry {
    try {
      const db = new Database(file)
      db.pragma('journal_mode = WAL')
      db.pragma('busy_timeout = 5000')
      migrate(db)
      return new SqliteBotRegistry(db)
    } catch (e) {
      throw new StoreError(`cannot open the SQLite store ${file}: ${(e as Error).message}`, { cause: e })
    }
  }

  async beat(record: BotRecord): Promise<void> {
    const { failureToldAt: _, ...fresh } = record
    this.s.put.run(record.bot, record.lastBeat, JSON.stringify(fresh))
  }

  async list(): Promise<BotRecord[]> {
    return (this.s.list.all() as Row[]).map((r) => JSON.parse(String(r.json)) as BotRecord)
  }

  async markFailureTold(bot: string, lastBeat: string, at: string): Promise<boolean> {
    return this.s.told.run(at, bot, lastBeat).changes > 0
  }

  async close(): Promise<void> {
    this.db.close()
  }
}

function prepare(db: Database.Database) {
  return {
    put: db.prepare(
      'INSERT INTO bots (bot, last_beat, json) VALUES (?, ?, ?) ON CONFLICT (bot) DO UPDATE SET last_beat = excluded.last_beat, json = excluded.json',
    ),
    list: db.prepare('SELECT json FROM bots ORDER BY bot'),
    told: db.prepare("UPDATE bots SET json = json_set(json, '$.failureToldAt', ?) WHERE bot = ? AND last_beat = ?"),
  }
}
