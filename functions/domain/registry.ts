/**
 * The bot registry: which bot accounts are alive (they beat every `intervalSeconds`), which
 * are dead (three beats missed), and which live bot serves a room when its usual one is dead.
 *
 * @example
 *   const { live, dead } = assessBots(await registry.list(), new Date(), 60)
 *   const bot = botForRoom('r1@chatroom', live) // failover to any live bot in that room
 */
import type { ActionRequest } from '../ports/action-executor.port.ts'
import type { BotCapabilities, BotRecord, BotRegistry } from '../ports/bot-registry.port.ts'
import type { RoomRecord } from '../ports/guard-store.port.ts'
import { type Config, resolveRoomConfig } from './config.ts'
import { stepName } from './owner-words.ts'
import { privateNote } from './session.ts'

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

/** A dead bot's rooms as its owners know them: the room's owner (to tell) and its name. */
export type RoomOwners = (room: string) => Promise<{ readonly owner?: string | undefined; readonly topic: string } | undefined>

/** A room's owner (its WeChat owner, else the config's) and name, from the rooms' records. */
export function roomOwnersOf(rooms: { getRoom(room: string): Promise<RoomRecord | undefined> }, config: Config): RoomOwners {
  return async (room) => {
    const record = await rooms.getRoom(room)
    return { owner: record?.owner ?? resolveRoomConfig(config, room).owner, topic: record?.topic ?? '' }
  }
}

/**
 * What each owner of a dead bot's rooms is told, once per silence (BotRegistry.markFailureTold):
 * which account stopped, since when, and for each of their groups whether another live bot in it
 * carries on or nobody guards it now.
 */
export async function failureNotices(
  dead: BotHealth,
  live: readonly BotHealth[],
  roomOwners: RoomOwners,
  utcOffsetMinutes: number,
): Promise<{ readonly to: string; readonly text: string }[]> {
  const byOwner = new Map<string, { covered: string[]; alone: string[] }>()
  for (const room of dead.record.rooms) {
    const info = await roomOwners(room)
    if (!info?.owner || info.owner === dead.bot) continue
    const mine = byOwner.get(info.owner) ?? { covered: [], alone: [] }
    const topic = info.topic.trim() || room
    ;(botForRoom(room, live) ? mine.covered : mine.alone).push(`「${topic}」`)
    byOwner.set(info.owner, mine)
  }
  const since = new Date(Date.parse(dead.record.lastBeat) + utcOffsetMinutes * 60_000).toISOString().slice(5, 16).replace('T', ' ')
  return [...byOwner].map(([to, g]) => ({
    to,
    text: [
      `[qunguard] 守卫账号${dead.record.name ? `「${dead.record.name}」` : ` ${dead.bot}`}${dead.record.host ? `（${dead.record.host}）` : ''} 已失联：连续 ${dead.missed} 次心跳没有收到，最后一次在 ${since}。`,
      ...(g.covered.length ? [`${g.covered.join('、')} 由其他守卫账号接手。`] : []),
      ...(g.alone.length ? [`${g.alone.join('、')} 现在没有守卫：请检查这个账号是否掉线，或让另一个守卫账号加入这些群。`] : []),
    ].join('\n'),
  }))
}

/**
 * What an owner is told when an action in their group cannot be carried out because no live guard
 * account is in it: what the guard decided, about whom, and what to do by hand.
 */
export function strandedActionText(o: {
  readonly topic: string
  readonly member: string
  readonly action: string
  readonly reason: string
  readonly warning?: string | undefined
}): string {
  const what = o.action === 'warn' && o.warning ? `在群里提醒：${o.warning}` : `对 ${o.member} ${stepName(o.action)}`
  return [
    `[qunguard] 「${o.topic}」里现在没有在线的守卫账号，这一步没能执行：${what}`,
    ...(o.reason ? [`原因：${o.reason}`] : []),
    '请手动处理，并检查守卫账号是否掉线，或让另一个守卫账号加入这个群。',
  ].join('\n')
}

/**
 * The private note to the group's owner about an action no live guard account in the group can
 * carry out, naming the group and member by `names` (else their ids); undefined for a private
 * note itself or a room with no owner to tell.
 */
export function strandedNote(
  request: ActionRequest,
  names: { readonly room?: string | undefined; readonly target?: string | undefined } | undefined = request.names,
): ActionRequest | undefined {
  const { room, target, action, reason } = request.decision
  if (room === 'private' || !request.ownerId) return undefined
  const text = strandedActionText({
    topic: names?.room ?? room,
    member: names?.target ?? target,
    action,
    reason,
    warning: action === 'warn' ? request.text : undefined,
  })
  return privateNote(request.ownerId, text)
}

/** A note to one owner that a bot account stopped beating; `key` is the same for every retelling of it. */
export interface FailureNote {
  readonly to: string
  readonly text: string
  readonly key: string
}

/**
 * The registry read once: which bots are live and which dead, and — for each dead one whose
 * owners were not told yet — what to tell them, now marked as told (a bot that beat again
 * meanwhile is skipped). Run by the AWS monitor each minute and by the embedded guard each beat.
 */
export async function checkBots(
  registry: BotRegistry,
  now: Date,
  o: { readonly heartbeatSeconds: number; readonly roomOwners: RoomOwners; readonly utcOffsetMinutes: number },
): Promise<{ live: BotHealth[]; dead: BotHealth[]; notes: FailureNote[] }> {
  const { live, dead } = assessBots(await registry.list(), now, o.heartbeatSeconds)
  const notes: FailureNote[] = []
  for (const d of dead) {
    if (d.record.failureToldAt) continue
    const mine = await failureNotices(d, live, o.roomOwners, o.utcOffsetMinutes)
    if (!(await registry.markFailureTold(d.bot, d.record.lastBeat, now.toISOString()))) continue // it beat again meanwhile
    for (const n of mine) notes.push({ ...n, key: `bot-failed-${d.bot}-${d.record.lastBeat}-${n.to}`.slice(0, 128) })
  }
  return { live, dead, notes }
}

/**
 * The live bot that should carry an action out: one in its room (any, for a private note) that
 * can do it — for a removal the room owner's own account first (an owner can always remove) —
 * ranked by what each said it can do (yes, then unknown, then no), then the most recently heard.
 * Undefined when no live bot is in the room.
 */
export function botForAction(
  request: {
    readonly decision: { readonly room: string; readonly action: string }
    readonly ownerId?: string | undefined
    readonly invite?: boolean | undefined
  },
  live: readonly BotHealth[],
): string | undefined {
  const { room, action } = request.decision
  const need: keyof BotCapabilities | undefined = request.invite
    ? 'invite'
    : action === 'remove'
      ? 'remove'
      : action === 'recall'
        ? 'recall'
        : undefined
  const rank = (b: BotHealth) => {
    if (need === 'remove' && b.bot === request.ownerId) return 3
    const can = need ? b.record.can?.[need] : true
    return can === true ? 2 : can === undefined ? 1 : 0
  }
  return [...live]
    .filter((b) => room === 'private' || b.record.rooms.includes(room))
    .sort((a, b) => rank(b) - rank(a) || Date.parse(b.record.lastBeat) - Date.parse(a.record.lastBeat))[0]?.bot
}
