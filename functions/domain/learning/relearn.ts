/**
 * Learning a rulebook from a stored history with the guard's config — the one call behind
 * `qunguard learn` (history files) and the AWS `learn` function (the DynamoDB history): the
 * config's owner, admins and whitelist count as staff (never labelled, never judged). And what
 * changed since the last rulebook, told to each group's owner in Chinese by group name: rules
 * new or changed start in shadow (试运行) and ask before they act.
 *
 * @example
 *   const policy = learnFromHistory(events, config, { qr: (m) => qr.get(m.id) })
 *   for (const c of rulebookChanges(previous, policy)) tell(ownerOf(c.room), rulebookChangeText(c))
 */
import { type Config, groupKey, resolveRoomConfig, roomTopics } from '../config.ts'
import type { GroupEvent } from '../events.ts'
import { groupName, ruleName } from '../owner-words.ts'
import { type LearnedPolicy, type LearnOptions, learnPolicy } from './rule-learner.ts'
import type { LearnedRule } from './rules.ts'

export function learnFromHistory(
  events: readonly GroupEvent[],
  config: Config,
  options: Omit<LearnOptions, 'extraStaff'> = {},
): LearnedPolicy {
  const topics = roomTopics(events)
  const staff = (room: string): readonly string[] => {
    const c = resolveRoomConfig(config, groupKey(config, room, topics.get(room)))
    return [...c.admins, ...c.whitelist, ...(c.owner ? [c.owner] : [])]
  }
  return learnPolicy(events, { ...options, extraStaff: staff })
}

export interface RulebookChange {
  readonly room: string
  readonly topic: string | undefined
  /** Rules the new rulebook has and the old one did not (by id: a changed threshold is a new rule). */
  readonly added: readonly LearnedRule[]
  /** Rules the old rulebook had and the new one does not. */
  readonly dropped: readonly LearnedRule[]
}

/** Per room, what a new rulebook adds and drops (rooms with no change are left out). */
export function rulebookChanges(before: LearnedPolicy | undefined, after: LearnedPolicy): RulebookChange[] {
  const rooms = new Set([...Object.keys(before?.rooms ?? {}), ...Object.keys(after.rooms)])
  const out: RulebookChange[] = []
  for (const room of [...rooms].sort()) {
    const old = before?.rooms[room]?.rules ?? []
    const now = after.rooms[room]?.rules ?? []
    const oldIds = new Set(old.map((r) => r.id))
    const newIds = new Set(now.map((r) => r.id))
    const added = now.filter((r) => !oldIds.has(r.id))
    const dropped = old.filter((r) => !newIds.has(r.id))
    if (added.length || dropped.length) out.push({ room, topic: after.rooms[room]?.topic ?? before?.rooms[room]?.topic, added, dropped })
  }
  return out
}

/**
 * Who is told what of a new rulebook: each changed room's owner (the config's, else the room's
 * own), one private text per room, the group named by its stored name when the history had none.
 */
export function rulebookNotices(
  changes: readonly RulebookChange[],
  config: Config,
  rooms: ReadonlyMap<string, { readonly topic?: string | undefined; readonly owner?: string | undefined }>,
): { readonly room: string; readonly to: string; readonly text: string }[] {
  const out: { room: string; to: string; text: string }[] = []
  for (const c of changes) {
    const topic = c.topic ?? rooms.get(c.room)?.topic
    const owner = resolveRoomConfig(config, groupKey(config, c.room, topic)).owner ?? rooms.get(c.room)?.owner
    if (owner) out.push({ room: c.room, to: owner, text: rulebookChangeText({ ...c, topic }) })
  }
  return out
}

/** What a group's owner is told of a new rulebook. */
export function rulebookChangeText(c: RulebookChange): string {
  const lines = [`[qunguard] 群「${groupName(c.topic, c.room)}」的规则已按最近的聊天记录重新学习：`]
  for (const r of c.added) lines.push(`新规则（试运行，先问您再处理）：${ruleName(r.id, { sentence: r.sentence })}`)
  for (const r of c.dropped) lines.push(`不再使用：${ruleName(r.id, { sentence: r.sentence })}`)
  lines.push('回复「规则」查看全部规则；试运行的规则触发时会私信请您确认（Y/N）。')
  return lines.join('\n')
}
