/**
 * Stress generators of our own, as transforms of a generated training history (the test
 * period is untouched: it holds no owner actions). Each changes one thing about the owners
 * that the shared generator keeps within what the learner was built on:
 *
 * - `rephrase`: every staff warning is reworded into phrasings no lexicon of qunguard's holds —
 *   English, Cantonese, emoji, one word, a polite "这个不可以哦" — keeping only the @-mention.
 * - `late`: every staff warning and removal comes 3 to 10 hours later (drawn per room), as an
 *   owner who catches up in the evening.
 * - `admins`: the owner never moderates; an admin does (every warning and removal is the
 *   admin's), as in rooms whose owner leaves it to helpers. Rooms without an admin get one.
 * - `kinds`: every room forbids one more kind of message the shared generator never draws (red
 *   packets, transfers, locations, videos, `.apk` files, one shop's links, mass @-mentions); it
 *   changes the test period too (`stress-kinds.ts`, `stressTest`).
 *
 * @example
 *   const train = stress('rephrase', events)
 */
import type { GroupEvent } from '../functions/domain/events.ts'
import { fnv1a } from '../functions/domain/fnv.ts'
import { injectKinds, type TruthLine } from './stress-kinds.ts'

export const STRESSES = ['rephrase', 'late', 'admins', 'kinds'] as const
export type Stress = (typeof STRESSES)[number]

const PHRASINGS = [
  'pls stop that',
  'not here, thanks',
  '这个不可以哦',
  '咪再搞啦',
  '搞乜啊你',
  '🙅🙅',
  '⚠️',
  '收收',
  '注意点',
  'last chance',
  '再这样就请你出去了',
  '这种东西自己删掉',
]

function staffOf(events: readonly GroupEvent[]): (room: string, who: string | undefined) => boolean {
  const staff = new Map<string, Set<string>>()
  let self: string | undefined
  for (const e of events) {
    if (e.kind === 'account') self = e.self
    if (e.kind === 'room') staff.set(e.room, new Set([...e.admins, ...(e.owner ? [e.owner] : [])]))
  }
  return (room, who) => who !== undefined && (who === self || (staff.get(room)?.has(who) ?? false))
}

/** The test period under a stress, and the truth lines it adds (only `kinds` changes it). */
export function stressTest(kind: Stress, events: readonly GroupEvent[], forbids?: Forbids): { events: GroupEvent[]; truth: TruthLine[] } {
  return kind === 'kinds' ? injectKinds(events, 'test', forbids) : { events: [...events], truth: [] }
}

/** What a room's drawn rules forbid (the generator's policy.json `enabled`), where known. */
export type Forbids = (room: string) => readonly string[] | undefined

export function stress(kind: Stress, events: readonly GroupEvent[], forbids?: Forbids): GroupEvent[] {
  if (kind === 'kinds') return injectKinds(events, 'train', forbids).events
  const isStaff = staffOf(events)
  if (kind === 'rephrase') {
    return events.map((e) => {
      if (e.kind !== 'message' || !isStaff(e.room, e.sender) || !e.mentions?.length) return e
      // One owner keeps a few phrasings of their own: drawn from the room and the message.
      const room = fnv1a(e.room)
      const pick = PHRASINGS[(room + (fnv1a(e.id) % 3) * 5) % PHRASINGS.length] ?? PHRASINGS[0]
      const at = (e.text ?? '').match(/@\S+/g)?.join(' ') ?? ''
      return { ...e, text: `${at} ${pick}`.trim() }
    })
  }
  if (kind === 'admins') {
    const owners = new Map<string, string>()
    const admins = new Map<string, string>()
    for (const e of events)
      if (e.kind === 'room' && e.owner) {
        owners.set(e.room, e.owner)
        admins.set(e.room, e.admins[0] ?? `wxid_helper_${fnv1a(e.room).toString(36)}`)
      }
    const admin = (room: string) => admins.get(room) ?? ''
    return events.map((e) => {
      if (e.kind === 'room')
        return e.admins.length || !e.owner ? e : { ...e, admins: [admin(e.room)], members: [...e.members, admin(e.room)] }
      if (e.kind === 'message' && e.sender === owners.get(e.room) && e.mentions?.length)
        return { ...e, sender: admin(e.room), senderName: '管理员' }
      if (e.kind === 'leave' && e.remover !== undefined && e.remover === owners.get(e.room)) return { ...e, remover: admin(e.room) }
      return e
    })
  }
  const delayH = (room: string) => 3 + (fnv1a(`late${room}`) % 8)
  const shifted = events.map((e) => {
    const late =
      (e.kind === 'message' && isStaff(e.room, e.sender) && (e.mentions?.length ?? 0) > 0) ||
      (e.kind === 'leave' && e.remover !== undefined && isStaff(e.room, e.remover))
    if (!late || !('room' in e)) return e
    return { ...e, ts: new Date(new Date(e.ts).getTime() + delayH(e.room) * 3_600_000).toISOString() }
  })
  return shifted
    .map((e, i) => ({ e, i, t: new Date(e.ts).getTime() }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.e)
}
