/**
 * The bot registry: which bot accounts are alive (they beat every `intervalSeconds`), which
 * are dead (three beats missed), and which live bot serves a room when its usual one is dead.
 *
 * @example
 *   const { live, dead } = assessBots(await registry.list(), new Date(), 60)
 *   const bot = botForRoom('r1@chatroom', live) // failover to any live bot in that room
 */
import type { BotRecord } from '../ports/bot-registry.port.ts'

/** A bot is dead after this many missed heartbeats. */
export const MISSED_BEATS_DEAD = 3

export interface BotHealth {
  readonly bot: string
  /** Whole heartbeat intervals since the last beat (0 while on time). */
  readonly missed: number
  readonly record: BotRecord
}

export function assessBots(
  records: readonly BotRecord[],
  now: Date,
  intervalSeconds: number,
  missedBeatsDead = MISSED_BEATS_DEAD,
): { live: BotHealth[]; dead: BotHealth[] } {
  if (!(intervalSeconds > 0)) throw new RangeError('intervalSeconds must be positive')
  const live: BotHealth[] = []
  const dead: BotHealth[] = []
  for (const record of records) {
    const age = now.getTime() - Date.parse(record.lastBeat)
    // Within one interval of the last beat nothing is missed; each further interval is one more missed beat.
    const missed = Math.max(0, Math.ceil(age / (intervalSeconds * 1000)) - 1)
    const health = { bot: record.bot, missed: Number.isFinite(missed) ? missed : missedBeatsDead, record }
    ;(health.missed >= missedBeatsDead ? dead : live).push(health)
  }
  return { live, dead }
}

/** The live bot that should act in a room: one that is in it, the most recently heard first. */
export function botForRoom(room: string, live: readonly BotHealth[]): string | undefined {
  return [...live]
    .filter((b) => b.record.rooms.includes(room))
    .sort((a, b) => Date.parse(b.record.lastBeat) - Date.parse(a.record.lastBeat))[0]?.bot
}
