/**
 * Weak labels from what the owner already does: which messages of a history the owner (or an
 * admin, or the bot account) treated as breaking a rule.
 *
 *   removal  — a member removed by staff: their last message before it and the burst it ends
 *              (weight 1), and their earlier messages of the `removalWindowMs` before it (0.5: a
 *              marketer's greetings before the ad are the member's, not the violation)
 *   warning  — a staff message that @-mentions a member *with warning intent* (it names a rule
 *              topic or uses a warning word, not just "别吵了"): that member's latest message in
 *              the `warningWindowMs` before it — the latest of the kind the warning names (a
 *              link, a long text …) when it names one — and the burst it ends (earlier messages chained by
 *              pauses of up to a minute), with the kind the warning names, if any
 *   recall   — a member recalling their own message soon after posting it (weak: weight 0.5)
 *
 * Robust to what real owners do: removing a silent member labels nothing (there is nothing of
 * theirs to label), scolding without warning intent labels nothing, and acting late only
 * needs the windows to be long enough. What the owner never acted on stays unlabelled — the
 * rule learner estimates how often the owner acts instead of treating silence as "fine".
 *
 * @example
 *   const labels = extractWeakLabels(events)
 *   labels.get('m42') // { weight: 1, sources: ['removal'], kinds: ['ads'] }
 */
import type { GroupEvent, MessageEvent } from '../events.ts'
import { toMillis } from '../events.ts'
import { parseQuote } from '../quote.ts'
import { hasAddress, hasContact } from './features.ts'

export type LabelSource = 'removal' | 'warning' | 'recall' | 'answer'

export interface WeakLabel {
  /** 1 for a warning or the message a removal followed, 0.5 for a member's earlier messages before a removal or a self-recall only. */
  readonly weight: number
  readonly sources: readonly LabelSource[]
  /** Violation kinds the owner's words named (from warnings), e.g. `ads`, `link`. */
  readonly kinds: readonly string[]
}

export interface WeakLabelOptions {
  /** @default 24 h */
  readonly removalWindowMs?: number
  /**
   * How long after a member's message a warning still labels it. @default learned per room
   * (`reactionWindows`): twice the time this room's staff usually take, 2 to 48 hours
   */
  readonly warningWindowMs?: number
  /** @default 10 min */
  readonly recallWindowMs?: number
  /** Staff a history does not show (admins, a configured owner), per room — e.g. from qunguard.yaml. */
  readonly extraStaff?: ((room: string) => readonly string[]) | undefined
  /**
   * What owners answered about messages the guard asked them about (`ownerVerdicts`): `violation`
   * (Y to a request, or a review left standing) labels the message outright; `fine` (N) clears
   * whatever the owner's other actions seemed to say about it. An owner's word outranks a guess.
   */
  readonly answers?: ReadonlyMap<string, OwnerVerdict> | undefined
}

export type OwnerVerdict = 'violation' | 'fine'

/**
 * Each message's verdict from the requests owners answered (oldest first: a later answer about the
 * same message wins). Y approves a shadow decision or confirms an active one: a violation; N
 * rejects a shadow decision or marks an active one wrong: fine.
 */
export function ownerVerdicts(
  answered: Iterable<{ readonly status: string; readonly request: { readonly messageId: string } }>,
): Map<string, OwnerVerdict> {
  const out = new Map<string, OwnerVerdict>()
  for (const a of answered) {
    if (a.status === 'approved') out.set(a.request.messageId, 'violation')
    else if (a.status === 'rejected') out.set(a.request.messageId, 'fine')
  }
  return out
}

/** Words of a rule topic in an owner's warning, and the kind each names. */
const TOPICS: readonly (readonly [RegExp, string])[] = [
  [/广告|微商|代购|推销|打广告|卖货/, 'ads'],
  [/链接|网址|外链/, 'link'],
  [/小程序|砍一刀|砍价|助力|拼多多/, 'miniprogram'],
  [/名片/, 'card'],
  [/二维码|扫码|码图/, 'qr'],
  [/刷屏|连续发|刷消息/, 'flood'],
  [/@所有人|@全体|艾特全体|艾特所有人|乱艾特/, 'mention-all'],
  [/长文|太长|大段|字太多|长篇|小作文/, 'long-text'],
  [/文件|安装包|压缩包|apk/i, 'file'],
  [/联系方式|手机号|电话|微信号|加好友|私加|留号/, 'contact-info'],
]
/** Words that make a mention a warning even without a topic. */
const WARNING_WORDS = /请勿|禁止|不要发|不许|不准|不让|别发|别再发|勿发|撤回|警告|再发|踢了|踢出|移出|违规|群规|注意群规/

/** The rule kinds a staff message names, and whether it reads as a warning at all. */
export function warningIntent(text: string): { warning: boolean; kinds: string[] } {
  const body = text.replace(/@\S+\s?/g, (m) => (m.startsWith('@所有人') ? m : ' ')).normalize('NFKC')
  const kinds = TOPICS.filter(([re]) => re.test(body)).map(([, k]) => k)
  return { warning: kinds.length > 0 || WARNING_WORDS.test(body), kinds }
}

interface Posted {
  readonly id: string
  readonly ms: number
  /** What a warning's named kind can be checked against. */
  readonly type?: MessageEvent['type']
  readonly text?: string
  readonly mentionAll?: boolean
}

/** Whether a posted message is of the kind a warning names (undefined: the kind says nothing checkable about one message). */
function ofKind(p: Posted, kind: string): boolean | undefined {
  const text = p.text ?? ''
  if (kind.startsWith('type:')) return p.type === kind.slice('type:'.length)
  switch (kind) {
    case 'link':
      return p.type === 'link' || hasAddress(text)
    case 'miniprogram':
      return p.type === 'miniprogram'
    case 'card':
      return p.type === 'card'
    case 'qr':
      return p.type === 'image'
    case 'file':
      return p.type === 'file'
    case 'contact-info':
      return hasContact(text)
    case 'mention-all':
      return p.mentionAll === true || text.includes('@所有人')
    case 'long-text':
      return p.type === 'text' && [...text].length >= LONG_WARNED_CHARS
    case 'ads':
      return p.type === 'text' || p.type === 'link' || p.type === 'miniprogram'
    default:
      return undefined
  }
}
/** What a mention is checked to follow (`learnedWarnings`), and the phrasings a mention needs to be judged by them. */
const UNNAMED = ['link', 'miniprogram', 'card', 'qr', 'file', 'contact-info', 'mention-all', 'long-text']
/**
 * Message types no kind above reads, checked too as `type:<type>` (a phrasing that follows red
 * packets or videos is about them, in whatever words), each only in rooms whose members post it
 * (`learnedWarnings` counts it among the kinds tried there). Not stickers and pictures, which a
 * flood's or a QR code's warning follows as often; not voice messages, ordinary talk in WeChat
 * (tried: precision 0.954 → 0.952 under `--stress rephrase`, where one phrasing answers every rule).
 */
const TYPED: readonly MessageEvent['type'][] = ['video', 'redpacket', 'transfer', 'location', 'other']
const PRECEDED_MIN = 2
/**
 * Burst sizes (a member's messages chained by pauses of up to a minute) a mention is checked to
 * follow: a quick exchange of three is common chat in some rooms, a burst of eight is not.
 */
const BURST_SIZES = [3, 5, 8] as const
/** How surely (one-sided binomial, over all the categories tried) a phrasing must follow one kind of post. */
const PRECEDED_P = 0.01
const PRECEDING_CATEGORIES = UNNAMED.length + BURST_SIZES.length
/** How many times the room's own share of a kind of post a phrasing must follow it (a large room makes small excesses significant). */
const ENRICHED = 2
/** Thanks, praise, greetings: a mention with these is not read as a warning by what precedes it alone. */
const FRIENDLY_WORDS =
  /收到|好的|明白|了解|谢谢|感谢|多谢|谢啦|辛苦|欢迎|恭喜|祝|快乐|生日|厉害|赞|不错|好看|漂亮|支持|加油|thank|thx|welcome|congrat|nice|great|👍|🌹|❤|😄|😊/i
/** What may stand either side of a member's name written without an @. */
const SEPARATOR = /[\s\p{P}]/u
/** How many of a room's latest messages a warning that names nobody is checked against. */
const ROOM_RECENT_MAX = 2000
/** The shortest text a warning about long texts (太长了) can be about. */
const LONG_WARNED_CHARS = 30

/** 刷屏: a message with two more of the member's own within a minute either side. */
const inBurst = (mine: readonly Posted[], p: Posted) => mine.filter((q) => Math.abs(q.ms - p.ms) <= 60_000).length >= 3

/** The message at `upTo` of a member's time-ordered messages and the burst it ends: earlier ones chained back by pauses of up to a minute. */
function burstEnding(mine: readonly Posted[], upTo: number): Posted[] {
  const out: Posted[] = []
  for (let k = upTo; k >= 0; k--) {
    const p = mine[k] as Posted
    const next = out.at(-1)
    if (next && next.ms - p.ms > 60_000) break
    out.push(p)
  }
  return out
}

const HOUR_MS = 3_600_000

type IsStaff = (room: string, who: string | undefined) => boolean

/**
 * Who is staff in each room by the history's last snapshots (owner, admins, the bot account) and
 * `extraStaff`: for the passes that look ahead of the main one (reaction times, learned warnings).
 */
function staffIn(events: readonly GroupEvent[], extraStaff: WeakLabelOptions['extraStaff']): IsStaff {
  const staff = new Map<string, Set<string>>()
  const bots = new Set<string>()
  for (const e of events) {
    if (e.kind === 'account') bots.add(e.self)
    else if (e.kind === 'room') staff.set(e.room, new Set([...e.admins, ...(e.owner ? [e.owner] : [])]))
  }
  return (room, who) =>
    who !== undefined && (bots.has(who) || (staff.get(room)?.has(who) ?? false) || (extraStaff?.(room).includes(who) ?? false))
}
/** Warnings a room needs before its own reaction time replaces the default window. */
const MIN_REACTIONS = 5
/** The longest reaction window: an owner who comes by every other evening still labels what they act on. */
const WINDOW_MAX_MS = 48 * HOUR_MS

/**
 * How long each room's staff take to warn: for every staff message with warning intent that
 * @-mentions a member, the time since that member's last message (within two days); a room's window
 * is twice the 90th percentile of those, between 2 and 48 hours — an owner who warns after a few
 * minutes gets the 2 hours, one who catches up in the evening a window that reaches back to the
 * day before. Rooms with fewer than five such warnings keep 2 hours.
 */
export function reactionWindows(events: readonly GroupEvent[], isStaff: IsStaff = staffIn(events, undefined)): Map<string, number> {
  const last = new Map<string, number>()
  const gaps = new Map<string, number[]>()
  for (const e of events) {
    if (e.kind !== 'message') continue
    const at = toMillis(e.ts)
    if (!isStaff(e.room, e.sender)) {
      last.set(`${e.room}#${e.sender}`, at)
      continue
    }
    if (!e.mentions?.length || !warningIntent(e.text ?? '').warning) continue
    for (const t of e.mentions) {
      const before = last.get(`${e.room}#${t}`)
      if (before === undefined || at - before > WINDOW_MAX_MS) continue
      const list = gaps.get(e.room) ?? []
      list.push(at - before)
      gaps.set(e.room, list)
    }
  }
  const windows = new Map<string, number>()
  for (const [room, list] of gaps) {
    if (list.length < MIN_REACTIONS) continue
    list.sort((a, b) => a - b)
    const p90 = list[Math.min(list.length - 1, Math.floor(0.9 * list.length))] ?? 0
    windows.set(room, Math.min(WINDOW_MAX_MS, Math.max(2 * HOUR_MS, 2 * p90)))
  }
  return windows
}

/** A staff message's words without its @-mentions, digits folded, as character bigrams. */
function phrasing(text: string): Set<string> {
  const body = text
    .replace(/@\S+\s?/g, ' ')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\d+/g, '0')
    .replace(/[\s\p{P}]+/gu, ' ')
    .trim()
  const grams = new Set<string>()
  const chars = [...body]
  for (let i = 0; i + 1 < chars.length; i++) if (chars[i] !== ' ' || chars[i + 1] !== ' ') grams.add(`${chars[i]}${chars[i + 1]}`)
  if (chars.length === 1) grams.add(body)
  return grams
}

/** What WeChat shows in a quote for a message that is not text. */
const QUOTED_TYPES: Readonly<Record<string, string>> = {
  图片: 'image',
  链接: 'link',
  文件: 'file',
  名片: 'card',
  小程序: 'miniprogram',
  视频: 'video',
  语音: 'voice',
  动画表情: 'emoji',
  表情: 'emoji',
  红包: 'redpacket',
  转账: 'transfer',
  位置: 'location',
}

/** Whether a quote's content is this message: its placeholder ([链接]) names the type, or one text holds the other (WeChat shortens long quotes). */
function quotes(quoted: string, p: Posted): boolean {
  const placeholder = /^\[([^\]]+)\]/.exec(quoted)?.[1]
  if (placeholder && QUOTED_TYPES[placeholder]) return QUOTED_TYPES[placeholder] === p.type
  const q = quoted.replace(/(…|\.\.\.)$/, '').trim()
  const text = (p.text ?? '').normalize('NFKC').trim()
  return [...q].length >= 2 && text.length > 0 && (text.includes(q) || q.includes(text))
}

/** A staff message @-mentioning members who posted in the day before it, and what each target posted last. */
interface Mention {
  readonly id: string
  readonly room: string
  readonly ms: number
  readonly targets: string[]
  readonly text: string
  readonly grams: Set<string>
  /** The categories (`UNNAMED` kinds, `burst3` …) of the targets' latest messages. */
  readonly after: Set<string>
}

/** How long after a mention the member's recall or removal still confirms it as a warning. */
const CONFIRM_RECALL_MS = 30 * 60_000
const CONFIRM_REMOVAL_MS = 2 * HOUR_MS
/** How alike (weighted Jaccard over bigrams, `learnedWarnings`) two mentions must be to count as one phrasing. */
const SAME_PHRASING = 0.5

/**
 * The owner's own way of warning, learned from what surrounds a mention, whatever its words —
 * English, dialect, one word, emoji:
 * - what follows it: a staff message that @-mentions a member who then recalls a message (within
 *   30 minutes) or is removed by staff (within 2 hours), having posted in the day before it, was
 *   a warning; so is a mention phrased like two such ones;
 * - what precedes it: a phrasing (two mentions or more alike) that follows one kind of post —
 *   a link, a card, a QR picture, contact details, a long text, a burst of 3, 5 or 8, a video,
 *   red packet, transfer, location or other message (`TYPED`: `type:video` …) — at least
 *   twice as often as members post that kind, and surely so (one-sided binomial test against the
 *   room's own share, p ≤ 0.01 over all kinds tried), is a warning about that kind.
 * Alike is a Jaccard over character bigrams weighted by their rarity among the room's mentions
 * (≥ 0.5), so an owner's habitual 各位注意，… ，谢谢 does not make every mention one phrasing.
 * Friendly mentions (生日快乐) follow whatever the member said last and nothing follows them;
 * thanks and praise after links (谢谢分享, 收到) are kept from the second test by a word list —
 * the seed lexicon's prior. Returns, per message id of a staff mention read as a warning, the
 * kinds its phrasing follows (burst → `flood`; empty where it follows none in particular).
 */
export function learnedWarnings(events: readonly GroupEvent[], isStaff: IsStaff = staffIn(events, undefined)): Map<string, string[]> {
  // When each member recalled something or was removed by staff.
  const recalls = new Map<string, number[]>()
  const removals = new Map<string, number[]>()
  const push = (m: Map<string, number[]>, k: string, v: number) => {
    const list = m.get(k) ?? []
    list.push(v)
    m.set(k, list)
  }
  const mentions: Mention[] = []
  const lastPost = new Map<string, number>()
  // What each member's latest message was (its `UNNAMED` kinds and the bursts it ends), and how often members' messages are each, per room.
  const lastPosted = new Map<string, readonly string[]>()
  const recent = new Map<string, number[]>()
  const base = new Map<string, { all: number; of: Map<string, number> }>()
  // Members by display name, per room: a quoted reply (「小王：…」) names whom it answers.
  const byName = new Map<string, string>()
  for (const e of events) {
    if (e.kind === 'room' || e.kind === 'join') for (const [id, name] of Object.entries(e.names ?? {})) byName.set(`${e.room}#${name}`, id)
    if (e.kind === 'message' && !isStaff(e.room, e.sender)) {
      if (e.senderName) byName.set(`${e.room}#${e.senderName}`, e.sender)
      const k = `${e.room}#${e.sender}`
      const ms = toMillis(e.ts)
      lastPost.set(k, ms)
      // The burst this message ends: the member's messages chained back by pauses of up to a minute.
      const times = recent.get(k) ?? []
      if (times.length && ms - (times.at(-1) as number) > 60_000) times.length = 0
      times.push(ms)
      if (times.length > Math.max(...BURST_SIZES)) times.shift()
      recent.set(k, times)
      const p: Posted = { id: e.id, ms, type: e.type, text: [e.text, e.url].filter(Boolean).join(' '), mentionAll: e.mentionAll }
      const cats = [
        ...UNNAMED.filter((kind) => ofKind(p, kind) === true),
        ...(TYPED.includes(e.type) ? [`type:${e.type}`] : []),
        ...BURST_SIZES.filter((n) => times.length >= n).map((n) => `burst${n}`),
      ]
      lastPosted.set(k, cats)
      const b = base.get(e.room) ?? { all: 0, of: new Map<string, number>() }
      b.all++
      for (const c of cats) b.of.set(c, (b.of.get(c) ?? 0) + 1)
      base.set(e.room, b)
    }
    if (e.kind === 'recall') push(recalls, `${e.room}#${e.sender}`, toMillis(e.ts))
    else if (e.kind === 'leave' && isStaff(e.room, e.remover)) for (const m of e.members) push(removals, `${e.room}#${m}`, toMillis(e.ts))
    else if (e.kind === 'message' && isStaff(e.room, e.sender)) {
      // An @-mention, or a quoted reply: its words are the reply's.
      const quote = parseQuote((e.text ?? '').normalize('NFKC').trim())
      const quoted = quote ? byName.get(`${e.room}#${quote.name}`) : undefined
      const named = [...(e.mentions ?? []), ...(quoted ? [quoted] : [])]
      if (!named.length) continue
      const ms = toMillis(e.ts)
      // About something the member posted: a mention of someone silent for a day (a welcome) is not.
      const targets = named.filter(
        (t) => !isStaff(e.room, t) && ms - (lastPost.get(`${e.room}#${t}`) ?? Number.NEGATIVE_INFINITY) <= 24 * HOUR_MS,
      )
      const after = new Set(targets.flatMap((t) => lastPosted.get(`${e.room}#${t}`) ?? []))
      const text = quote ? quote.reply : (e.text ?? '')
      if (targets.length) mentions.push({ id: e.id, room: e.room, ms, targets, text, grams: phrasing(text), after })
    }
  }
  const within = (list: number[] | undefined, from: number, span: number) => (list ?? []).some((t) => t >= from && t - from <= span)
  const confirmed = new Set(
    mentions.filter((m) =>
      m.targets.some(
        (t) =>
          within(recalls.get(`${m.room}#${t}`), m.ms, CONFIRM_RECALL_MS) ||
          within(removals.get(`${m.room}#${t}`), m.ms, CONFIRM_REMOVAL_MS),
      ),
    ),
  )
  // What a phrasing follows: the kinds of post (a link, a card, a picture, contact details, a long
  // text, a burst …) its mentions follow far more often than members post that kind at all — a
  // one-sided binomial test against the room's own share of it, over all the kinds tried. One
  // owner may use one phrasing (收收, ⚠️) for every rule, so each kind is tested on its own.
  const follows = (room: string, like: readonly Mention[]): string[] => {
    const b = base.get(room)
    if (!b) return []
    const kinds: string[] = []
    // The kinds tried: those above, and each message type of `TYPED` the room's members post.
    const tried = PRECEDING_CATEGORIES + [...b.of.keys()].filter((c) => c.startsWith('type:')).length
    for (const [cat, n] of b.of) {
      const k = like.filter((c) => c.after.has(cat)).length
      const share = n / b.all
      if (k >= 2 && k >= ENRICHED * share * like.length && binomialTail(like.length, k, share) <= PRECEDED_P / tried) kinds.push(cat)
    }
    return kinds
  }
  const kindsOf = (cats: readonly string[]) => [...new Set(cats.map((c) => (c.startsWith('burst') ? 'flood' : c)))]
  const out = new Map<string, string[]>()
  const alikeTo = phrasedAlike(mentions)
  const followed = new Map<readonly Mention[], string[]>() // what each phrasing follows, worked out once
  for (const m of mentions) {
    if (m.grams.size === 0) {
      if (confirmed.has(m)) out.set(m.id, [])
      continue
    }
    const like = alikeTo(m)
    const cats = followed.get(like) ?? follows(m.room, like)
    followed.set(like, cats)
    // Confirmed, or phrased like two confirmed ones: a warning, about what its phrasing follows.
    if (confirmed.has(m) || like.filter((c) => c !== m && confirmed.has(c)).length >= 2) {
      out.set(m.id, kindsOf(cats))
      continue
    }
    // Else a phrasing the owner uses (twice or more) that follows some kind of post is a warning
    // about it (twice is enough only where that kind is rare: the binomial test); 生日快乐
    // follows whatever the member said last. Thanks and praise (谢谢分享 after links) are not
    // read as warnings this way: the seed lexicon's prior.
    if (like.length < PRECEDED_MIN || !cats.length || FRIENDLY_WORDS.test(m.text.replace(/@\S+\s?/g, ' '))) continue
    out.set(m.id, kindsOf(cats))
  }
  return out
}

/**
 * The mentions phrased alike to each (itself included): a Jaccard over character bigrams, each
 * weighted by how rare it is among the room's mentions (≥ `SAME_PHRASING`), so an owner's
 * habitual openings and closings (各位注意，… ，谢谢) weigh little. Mentions in the same words
 * share one answer, worked out once (a busy owner repeats a few phrasings).
 */
function phrasedAlike(mentions: readonly Mention[]): (m: Mention) => readonly Mention[] {
  const rarity = new Map<string, Map<string, number>>()
  const count = new Map<string, number>()
  for (const m of mentions) {
    const df = rarity.get(m.room) ?? new Map<string, number>()
    for (const g of m.grams) df.set(g, (df.get(g) ?? 0) + 1)
    rarity.set(m.room, df)
    count.set(m.room, (count.get(m.room) ?? 0) + 1)
  }
  const weightOf = (room: string, g: string) => Math.log((1 + (count.get(room) ?? 0)) / (rarity.get(room)?.get(g) ?? 1))
  // Each mention's bigrams with their weights, and their sum.
  const weighted = new Map<Mention, { of: Map<string, number>; sum: number }>()
  for (const m of mentions) {
    const of = new Map([...m.grams].map((g) => [g, weightOf(m.room, g)] as const))
    weighted.set(m, { of, sum: [...of.values()].reduce((x, y) => x + y, 0) })
  }
  const alike = (a: Mention, b: Mention) => {
    const wa = weighted.get(a) as { of: Map<string, number>; sum: number }
    const wb = weighted.get(b) as { of: Map<string, number>; sum: number }
    let both = 0
    for (const [g, w] of wa.of) if (wb.of.has(g)) both += w
    const either = wa.sum + wb.sum - both
    return either > 0 && both / either >= SAME_PHRASING
  }
  const inRoom = new Map<string, Mention[]>()
  for (const m of mentions) {
    const list = inRoom.get(m.room) ?? []
    list.push(m)
    inRoom.set(m.room, list)
  }
  // Which mentions hold each bigram, per room: a phrasing is compared only with mentions sharing
  // one of its rarer bigrams (one in every tenth mention or fewer) or all of them — two mentions
  // alike share weight, and the commonest bigrams weigh next to nothing.
  const holding = new Map<string, Mention[]>()
  for (const m of mentions)
    for (const g of m.grams) {
      const list = holding.get(`${m.room}\u0000${g}`) ?? []
      list.push(m)
      holding.set(`${m.room}\u0000${g}`, list)
    }
  const wordsOf = (m: Mention) => `${m.room}\u0000${[...m.grams].sort().join('\u0001')}`
  const sameWords = new Map<string, Mention[]>()
  for (const m of mentions) {
    const list = sameWords.get(wordsOf(m)) ?? []
    list.push(m)
    sameWords.set(wordsOf(m), list)
  }
  const candidates = (m: Mention): Mention[] => {
    const all = inRoom.get(m.room) ?? []
    const rare = [...m.grams].map((g) => holding.get(`${m.room}\u0000${g}`) ?? []).filter((l) => l.length * 10 <= all.length)
    if (rare.length === 0) return all.filter((c) => c.grams.size > 0)
    const found = new Set<Mention>(rare.flat())
    // Said in exactly these (common) words: the same phrasing too.
    for (const c of sameWords.get(wordsOf(m)) ?? []) found.add(c)
    return [...found]
  }
  const phrasings = new Map<string, readonly Mention[]>()
  return (m) => {
    const said = wordsOf(m)
    let like = phrasings.get(said)
    if (!like) {
      like = candidates(m).filter((c) => c === m || alike(c, m))
      phrasings.set(said, like)
    }
    return like
  }
}

/** P(X ≥ k) for X ~ Binomial(n, p). */
function binomialTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1
  if (p <= 0) return 0
  if (p >= 1) return 1
  let term = Math.exp(k * Math.log(p) + (n - k) * Math.log(1 - p) + logChoose(n, k))
  let sum = 0
  for (let i = k; i <= n; i++) {
    sum += term
    term *= ((n - i) / (i + 1)) * (p / (1 - p))
  }
  return Math.min(1, sum)
}

function logChoose(n: number, k: number): number {
  let s = 0
  for (let i = 1; i <= k; i++) s += Math.log((n - k + i) / i)
  return s
}

export function extractWeakLabels(input: Iterable<GroupEvent>, options: WeakLabelOptions = {}): Map<string, WeakLabel> {
  const events = [...input]
  const staffByEnd = staffIn(events, options.extraStaff)
  const byBehaviour = learnedWarnings(events, staffByEnd)
  const removalWindow = options.removalWindowMs ?? 24 * 3_600_000
  const learnedWindows = options.warningWindowMs === undefined ? reactionWindows(events, staffByEnd) : new Map<string, number>()
  const windowOf = (room: string) => options.warningWindowMs ?? learnedWindows.get(room) ?? 2 * HOUR_MS
  const recallWindow = options.recallWindowMs ?? 10 * 60_000
  const labels = new Map<string, { weight: number; sources: Set<LabelSource>; kinds: Set<string> }>()
  const staff = new Map<string, Set<string>>() // room → owner, admins, the bot
  const names = new Map<string, Map<string, string>>() // room → display name → member
  const recent = new Map<string, Posted[]>() // room#member → their recent messages
  const inRoom = new Map<string, (Posted & { sender: string })[]>() // room → its recent members' messages
  const bots = new Set<string>()

  const label = (id: string, source: LabelSource, weight: number, kinds: readonly string[] = []) => {
    const l = labels.get(id) ?? { weight: 0, sources: new Set<LabelSource>(), kinds: new Set<string>() }
    l.weight = Math.max(l.weight, weight)
    l.sources.add(source)
    for (const k of kinds) l.kinds.add(k)
    labels.set(id, l)
  }
  const isStaff = (room: string, who: string | undefined) =>
    who !== undefined && (bots.has(who) || (staff.get(room)?.has(who) ?? false) || (options.extraStaff?.(room).includes(who) ?? false))
  const key = (room: string, member: string) => `${room}#${member}`

  for (const e of events) {
    switch (e.kind) {
      case 'account':
        bots.add(e.self)
        break
      case 'room': {
        const s = new Set<string>(e.admins)
        if (e.owner) s.add(e.owner)
        for (const b of bots) s.add(b)
        staff.set(e.room, s)
        const byName = names.get(e.room) ?? new Map<string, string>()
        for (const [id, name] of Object.entries(e.names)) byName.set(name, id)
        names.set(e.room, byName)
        break
      }
      case 'join': {
        const byName = names.get(e.room) ?? new Map<string, string>()
        for (const [id, name] of Object.entries(e.names ?? {})) byName.set(name, id)
        names.set(e.room, byName)
        break
      }
      case 'message':
        onMessage(e)
        break
      case 'leave': {
        if (!isStaff(e.room, e.remover)) break
        const at = toMillis(e.ts)
        for (const m of e.members) {
          const mine = (recent.get(key(e.room, m)) ?? []).filter((p) => at - p.ms <= removalWindow && p.ms <= at)
          // The last message and the burst it ends are what the owner most likely acted on; the
          // member's earlier messages of the day count half (a marketer's greetings before the ad).
          const last = new Set(burstEnding(mine, mine.length - 1).map((p) => p.id))
          for (const p of mine) label(p.id, 'removal', last.has(p.id) ? 1 : 0.5)
        }
        break
      }
      case 'recall': {
        const at = toMillis(e.ts)
        const mine = recent.get(key(e.room, e.sender)) ?? []
        const target = e.messageId ? mine.find((p) => p.id === e.messageId) : mine.at(-1)
        if (target && at - target.ms <= recallWindow) label(target.id, 'recall', 0.5)
        break
      }
      default:
        break
    }
  }

  function onMessage(m: MessageEvent): void {
    const at = toMillis(m.ts)
    if (isStaff(m.room, m.sender)) {
      const targets = new Set(m.mentions ?? [])
      // A quoted reply (「小王：加微信领红包」 - - - 这种别发) answers the quoted member, in its reply's words.
      const quote = parseQuote((m.text ?? '').normalize('NFKC').trim())
      const said = quote ? quote.reply : (m.text ?? '')
      const quotedId = quote ? names.get(m.room)?.get(quote.name) : undefined
      if (quotedId) targets.add(quotedId)
      // Exports often keep only "@name" in the text: resolve names too.
      for (const [, name] of said.matchAll(/@([^\s@]+)/g)) {
        const id = name ? names.get(m.room)?.get(name) : undefined
        if (id) targets.add(id)
      }
      const read = warningIntent(said)
      const learned = byBehaviour.get(m.id)
      if (!read.warning && !learned) return
      // A phrasing learned from what it follows names the kind it follows (a burst: 刷屏).
      const intent = read.kinds.length || !learned?.length ? read : { warning: true, kinds: learned }
      // Named without an @ (老王 文件请撤回): a member's display name standing as a word of the text.
      if (targets.size === 0) for (const id of namedIn(m.room, said)) targets.add(id)
      // Named by what they did (刚刚传文件的，请撤回; 上面刷屏的那位): whoever last posted that kind here.
      if (targets.size === 0) {
        const who = lastPosterOf(m.room, intent.kinds, at)
        if (who) targets.add(who)
      }
      for (const t of targets) {
        if (isStaff(m.room, t)) continue
        const mine = (recent.get(key(m.room, t)) ?? []).filter((p) => at - p.ms <= windowOf(m.room) && p.ms <= at)
        // A warning that names a kind (链接请撤回) is about the member's latest message of that
        // kind, though they may have chatted on since; else about the latest message. With it,
        // the burst it ends (messages chained back by pauses of up to a minute): a warning about
        // a slow flood is about all of it.
        // 刷屏: the latest message of a burst (three or more within a minute either side).
        const fits = (p: Posted, k: string) => (k === 'flood' ? inBurst(mine, p) : ofKind(p, k))
        const checkable = intent.kinds.filter((k) => mine.some((p) => fits(p, k) !== undefined))
        const about = checkable.length ? mine.filter((p) => checkable.some((k) => fits(p, k))) : mine
        // A quote says which message: the member's latest that it quotes.
        const quotedPost = quote && t === quotedId ? [...mine].reverse().find((p) => quotes(quote.quoted, p)) : undefined
        const end = quotedPost ?? (about.length ? about : mine).at(-1)
        // Kinds learned from what a phrasing follows name the message only where it is of them.
        const kinds = intent === read ? intent.kinds : intent.kinds.filter((k) => end && fits(end, k))
        for (const p of burstEnding(mine, end ? mine.indexOf(end) : -1)) label(p.id, 'warning', 1, kinds)
      }
      return
    }
    const k = key(m.room, m.sender)
    const list = recent.get(k) ?? []
    const posted: Posted = {
      id: m.id,
      ms: at,
      type: m.type,
      text: m.type === 'image' ? '' : [m.text, m.url].filter(Boolean).join(' ').slice(0, 2000),
      mentionAll: m.mentionAll,
    }
    list.push(posted)
    // Keep a day's worth (bounded) per member.
    while (list.length > 200 || (list[0] && at - list[0].ms > Math.max(removalWindow, windowOf(m.room)))) list.shift()
    recent.set(k, list)
    if (m.senderName) nameOf(m.room).set(m.senderName, m.sender)
    // The room's latest messages, for a warning that names a kind but nobody.
    const room = inRoom.get(m.room) ?? []
    room.push({ ...posted, sender: m.sender })
    while (room.length > ROOM_RECENT_MAX || (room[0] && at - room[0].ms > windowOf(m.room))) room.shift()
    inRoom.set(m.room, room)
  }

  function nameOf(room: string): Map<string, string> {
    const byName = names.get(room) ?? new Map<string, string>()
    names.set(room, byName)
    return byName
  }

  /**
   * Members a staff message names without an @: a display name of two characters or more at the
   * start of the text or between separators (老王 文件请撤回; 大花，压缩包撤了吧). Where one matched
   * name holds another (王大雪15 and 大雪), the longer one.
   */
  function namedIn(room: string, text: string): string[] {
    const found: [string, string][] = []
    for (const [name, id] of names.get(room) ?? []) {
      if ([...name].length < 2) continue
      let from = text.indexOf(name)
      while (from >= 0) {
        const before = from === 0 ? '' : (text[from - 1] as string)
        const after = text[from + name.length] ?? ''
        if ((before === '' || SEPARATOR.test(before)) && (after === '' || SEPARATOR.test(after))) {
          found.push([name, id])
          break
        }
        from = text.indexOf(name, from + 1)
      }
    }
    return found.filter(([n]) => !found.some(([o]) => o !== n && o.includes(n))).map(([, id]) => id)
  }

  /** Who last posted, in the room's recent messages, something of one of these kinds (a burst, for 刷屏). */
  function lastPosterOf(room: string, kinds: readonly string[], at: number): string | undefined {
    const checkable = kinds.filter((k) => k === 'flood' || UNNAMED.includes(k))
    if (!checkable.length) return undefined
    const list = inRoom.get(room) ?? []
    for (let i = list.length - 1; i >= 0; i--) {
      const p = list[i] as Posted & { sender: string }
      if (p.ms > at || isStaff(room, p.sender)) continue
      const fits = (k: string) => (k === 'flood' ? inBurst(recent.get(key(room, p.sender)) ?? [], p) : ofKind(p, k) === true)
      if (checkable.some(fits)) return p.sender
    }
    return undefined
  }

  const posted = options.answers?.size ? new Set(events.flatMap((e) => (e.kind === 'message' ? [e.id] : []))) : undefined
  for (const [id, verdict] of options.answers ?? []) {
    if (!posted?.has(id)) continue // a message outside this history
    if (verdict === 'fine') labels.delete(id)
    else label(id, 'answer', 1)
  }
  return new Map([...labels].map(([id, l]) => [id, { weight: l.weight, sources: [...l.sources], kinds: [...l.kinds] }]))
}
