/**
 * The `kinds` stress: every room forbids one more kind of message that the shared generator
 * never draws, and the learner must find that rule from the owner's actions alone (no code
 * names these kinds as rules): red packets, transfers, locations, videos, `.apk` files (other
 * files stay allowed), links to one shop's domain (other links stay allowed) or a message that
 * @-mentions six members or more (one or two stay allowed).
 *
 * Both periods get the room's extra violations: some from members of long standing, some from
 * newcomers who join by QR code shortly before. In the training period the owner warns a member
 * of long standing (an @-mention and a few words naming the kind) or removes a newcomer, about
 * seven times in ten, minutes later; the test period holds no owner actions and its new
 * messages are written to the truth (violations, and the allowed look-alikes as innocent).
 *
 * @example
 *   const train = injectKinds(trainEvents, 'train', forbids).events
 *   const { events: test, truth } = injectKinds(testEvents, 'test', forbids)
 */
import type { GroupEvent, MessageEvent } from '../functions/domain/events.ts'
import { fnv1a } from '../functions/domain/fnv.ts'
import { seeded } from './seeded.ts'

/** The kinds a room may forbid besides the generator's, with what the owner says and what stays allowed. */
const KINDS = {
  redpacket: { words: ['群里不要发红包', '红包引流的别发了'] },
  transfer: { words: ['不要在群里转账', '转账的撤回'] },
  location: { words: ['别发定位了', '定位请撤回'] },
  video: { words: ['视频别在群里发', '不要发视频'] },
  apk: { words: ['安装包不许发', 'apk 别发'] },
  domain: { words: ['拼多多链接别发了', '别发砍价链接'] },
  mentions: { words: ['不要一次艾特这么多人', '别乱艾特人'] },
} as const
export type ExtraKind = keyof typeof KINDS
const NAMES = Object.keys(KINDS) as ExtraKind[]

/** A line of the truth file (`score-decisions.mjs`). */
export interface TruthLine {
  readonly event: string
  readonly violation: boolean
  readonly kind: string | null
}

/**
 * The kind a room forbids besides the generator's: the same in both periods, drawn per room and
 * owner (every history names its rooms alike). `.apk` files and one shop's links only where the
 * room's drawn rules (`forbids`, from the generator's policy.json) leave other files and links
 * allowed to everyone, so that their look-alikes are innocent; without them, neither.
 */
export function extraKind(room: string, owner: string, forbids?: readonly string[]): ExtraKind {
  const clash: Partial<Record<ExtraKind, readonly string[]>> = { apk: ['file', 'newcomer-file'], domain: ['link', 'newcomer-link'] }
  const names = NAMES.filter((k) => !clash[k] || (forbids !== undefined && !clash[k].some((x) => forbids.includes(x))))
  return names[fnv1a(`kinds:${room}:${owner}`) % names.length] as ExtraKind
}

const iso = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().replace('Z', '+08:00')

export function injectKinds(
  events: readonly GroupEvent[],
  period: 'train' | 'test',
  forbids?: (room: string) => readonly string[] | undefined,
): { events: GroupEvent[]; truth: TruthLine[] } {
  const staff = new Map<string, Set<string>>()
  const owner = new Map<string, string>()
  const posts = new Map<string, { ms: number; sender: string }[]>()
  for (const e of events) {
    if (e.kind === 'room') {
      staff.set(e.room, new Set([...e.admins, ...(e.owner ? [e.owner] : [])]))
      if (e.owner) owner.set(e.room, e.owner)
    }
    if (e.kind === 'message' && !staff.get(e.room)?.has(e.sender)) {
      const list = posts.get(e.room) ?? []
      list.push({ ms: Date.parse(e.ts), sender: e.sender })
      posts.set(e.room, list)
    }
  }
  const added: GroupEvent[] = []
  const truth: TruthLine[] = []
  for (const [room, list] of posts) {
    const boss = owner.get(room)
    if (!boss || list.length < 50) continue
    const kind = extraKind(room, boss, forbids?.(room))
    const rnd = seeded(fnv1a(`${period}:${room}:${list.length}`))
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T
    const members = [...new Set(list.map((p) => p.sender))]
    const days = (list[list.length - 1]!.ms - list[0]!.ms) / 86_400_000
    let n = 0
    const id = () => `kinds-${period}-${room}-${n++}`
    const message = (ms: number, sender: string, body: Partial<MessageEvent>): MessageEvent => ({
      id: id(),
      kind: 'message',
      room,
      sender,
      type: 'text',
      ts: iso(ms),
      ...body,
    })
    const others = () => Array.from({ length: 6 + Math.floor(rnd() * 4) }, () => pick(members))
    const violation = (): Partial<MessageEvent> => {
      switch (kind) {
        case 'redpacket':
          return { type: 'redpacket', text: pick(['恭喜发财，大吉大利', '进群领福利', '扫码领红包']) }
        case 'transfer':
          return { type: 'transfer', text: pick(['转账', '收款']) }
        case 'location':
          return { type: 'location', text: pick(['万达广场', '人民路 88 号', '体验店地址']) }
        case 'video':
          return { type: 'video', text: '' }
        case 'apk':
          return { type: 'file', text: `${pick(['福利', '赚钱神器', '免费看片', '抢红包助手'])}.apk` }
        case 'domain':
          return {
            type: 'link',
            text: pick(['帮我砍一刀', '一起拼单更便宜']),
            url: `https://mobile.yangkeduo.com/goods.html?id=${Math.floor(rnd() * 1e9)}`,
          }
        case 'mentions': {
          const to = [...new Set(others())]
          return { text: `${to.map((m) => `@${m.slice(5, 9)}`).join(' ')} 看看这个`, mentions: to }
        }
      }
    }
    /** What stays allowed beside it (empty: the whole type is forbidden). */
    const allowed = (): Partial<MessageEvent> | undefined => {
      switch (kind) {
        case 'apk':
          return { type: 'file', text: pick(['会议纪要.docx', '课件.pdf', '照片.zip', '报名表.xlsx']) }
        case 'domain':
          return {
            type: 'link',
            text: pick(['本周通知', '活动回顾']),
            url: `https://mp.weixin.qq.com/s/${Math.floor(rnd() * 1e9).toString(36)}`,
          }
        case 'mentions': {
          const to = [pick(members)]
          return { text: `@${to[0]!.slice(5, 9)} 收到，谢谢`, mentions: to }
        }
        default:
          return undefined
      }
    }
    const count = Math.max(4, Math.round(days * 0.8))
    for (let k = 0; k < count; k++) {
      const anchor = pick(list)
      const at = anchor.ms + Math.floor(5_000 + rnd() * 55_000)
      const newcomer = rnd() < 0.5
      const who = newcomer ? `wxid_kinds${fnv1a(id()).toString(36)}` : pick(members)
      if (newcomer)
        added.push({ id: id(), kind: 'join', room, members: [who], via: 'qrcode', ts: iso(at - Math.floor(600_000 + rnd() * 3_600_000)) })
      const m = message(at, who, violation())
      added.push(m)
      truth.push({ event: m.id, violation: true, kind: `kinds-${kind}` })
      if (period === 'train' && rnd() < 0.7) {
        const later = at + Math.floor(60_000 + rnd() * 20 * 60_000)
        if (newcomer) added.push({ id: id(), kind: 'leave', room, members: [who], remover: boss, ts: iso(later) })
        else added.push(message(later, boss, { text: `@${who.slice(5, 9)} ${pick(KINDS[kind].words)}`, mentions: [who] }))
      }
      const look = allowed()
      if (look) {
        const other = message(pick(list).ms + Math.floor(5_000 + rnd() * 55_000), pick(members), look)
        added.push(other)
        truth.push({ event: other.id, violation: false, kind: null })
      }
    }
  }
  const all = [...events, ...added]
    .map((e, i) => ({ e, i, t: Date.parse(e.ts) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.e)
  return { events: all, truth: period === 'test' ? truth : [] }
}
