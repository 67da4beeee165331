/**
 * What the rule learner and the learned rules look at in a message, computed in one pass over
 * a time-ordered stream of events (history or live): the message's type and content signals,
 * and its context — who sent it, how long they have been in the room and how they joined, how
 * fast they are posting, whether someone else posted a near-identical text (a campaign) and
 * whether they posted it themselves a few minutes before (a paste repeated).
 *
 * @example
 *   const tracker = new FeatureTracker()
 *   for (const e of events) { const f = tracker.observe(e); if (f) use(f) }
 */
import type { GroupEvent, MessageEvent } from '../events.ts'
import { toMillis } from '../events.ts'
import { NearDuplicateIndex, type SightingPoster, type TextSighting } from './near-duplicates.ts'

export interface MessageFacts {
  readonly id: string
  readonly room: string
  readonly sender: string
  readonly ms: number
  readonly type: MessageEvent['type']
  /** The text a person would read: text, link title and address. */
  readonly text: string
  /** Owner, admin or the bot account. */
  readonly staff: boolean
  /** Joined this room less than `newcomerMs` before (unknown join: false). */
  readonly newcomer: boolean
  /** Joined this room less than `recentMs` before (unknown join: false). */
  readonly recent: boolean
  readonly via: 'qrcode' | 'invite' | 'unknown'
  /** A phone number, WeChat id or QQ number, including the usual evasions (V信, 薇, spaced digits). */
  readonly contact: boolean
  /** A web address typed in a text message (a link message's own address is not counted here). */
  readonly address: boolean
  readonly mentionAll: boolean
  /** Messages by this sender in this room in the last `burstMs`, this one included. */
  readonly burst: number
  /**
   * Messages by this sender in this room in each window of `BURST_WINDOWS_S`, this one
   * included: what a flood rule with a learned window counts.
   */
  readonly bursts: readonly number[]
  /** How long the sender has been in the room (undefined when the history does not show the join). */
  readonly tenureMs?: number | undefined
  /** A file message's extension, lower case without the dot (`apk`, `zip`). */
  readonly fileExt?: string | undefined
  /** The web domain a link message points to, or the first address typed in a text (`t.cn`, `abc777.top`), lower case without `www.`. */
  readonly domain?: string | undefined
  /** How many members the message @-mentions. */
  readonly mentions: number
  /** A near-identical text (10+ characters) was posted in another room by another member recently. */
  readonly crossRoom: boolean
  /** A near-identical text (10+ characters) was posted by another member recently, in any room (a campaign). */
  readonly duplicate: boolean
  /**
   * Who posted the copies `crossRoom` and `duplicate` count, as they were when they posted them:
   * a campaign rule counts only the copies of members it is about itself (rules.ts `isWho`).
   */
  readonly crossRoomBy: readonly Poster[]
  readonly duplicateBy: readonly Poster[]
  /**
   * The sender already posted a near-identical text (10+ characters) in this room within
   * `repeatMs`: the same message pasted again and again (刷屏 by copy, an ad repeated).
   */
  readonly repeat: boolean
  /**
   * Posted in an hour of the day when this room is normally quiet (under a fifth of its average
   * hourly traffic so far, once it has 500 messages to go by): the room's rhythm.
   */
  readonly quietHour: boolean
  /** How many different words of marketing language (优惠, 代购, 日赚, 退订 …) the text uses. */
  readonly adWords: number
  /** The picture holds a QR code, when the caller knows (vision). */
  readonly qr?: boolean | undefined
  /**
   * One of the room's rules already caught the sender. Not the tracker's to know: whoever
   * applies the rules sets it (`OffenderMemory.mark`).
   */
  readonly offender?: boolean | undefined
}

/** Who posted a message, as a rule's `who` reads it (rules.ts `isWho`). */
export type Poster = Pick<MessageFacts, 'staff' | 'newcomer' | 'recent' | 'via' | 'tenureMs' | 'offender'>

/** The sighting's poster as a rule's `who` reads them; a sighting that does not say is a member of unknown tenure. */
export function poster(by: SightingPoster | undefined, w: Pick<FactsWindows, 'newcomerMs' | 'recentMs'>): Poster {
  const tenureMs = by?.tenureMs
  return {
    staff: by?.staff ?? false,
    newcomer: tenureMs !== undefined && tenureMs < w.newcomerMs,
    recent: tenureMs !== undefined && tenureMs < w.recentMs,
    via: by?.via ?? 'unknown',
    tenureMs,
  }
}

/** A message's poster as a sighting keeps them: staff or not, their tenure in the room then, how they joined. */
export function sightingPoster(ms: number, staff: boolean, join: FactsContext['join']): SightingPoster {
  const tenureMs = join !== undefined && ms - join.ms >= 0 ? ms - join.ms : undefined
  return { staff, via: join?.via ?? 'unknown', ...(tenureMs !== undefined ? { tenureMs } : {}) }
}

/**
 * The windows a flood can be counted in, in seconds: the learner searches them with counts of
 * 3 to 15 for each room (docs/learning.md).
 */
export const BURST_WINDOWS_S = [10, 20, 30, 60, 120, 300] as const
const LONGEST_BURST_MS = Math.max(...BURST_WINDOWS_S) * 1000

/** A file name's extension, lower case (`赚钱软件.APK` → `apk`), if it has a short one. */
export function fileExtension(name: string): string | undefined {
  const m = /\.([a-z0-9]{1,8})$/i.exec(name.trim())
  return m?.[1]?.toLowerCase()
}

/** Default tenures: a newcomer joined under a day ago, a recent member under three days ago. */
export const NEWCOMER_MS = 24 * 3_600_000
export const RECENT_MS = 3 * 24 * 3_600_000

export interface FeatureOptions {
  /** @default 24 h */
  readonly newcomerMs?: number
  /** @default 3 days */
  readonly recentMs?: number
  /** @default 60 s */
  readonly burstMs?: number
  /** @default 7 days */
  readonly crossRoomMs?: number
  /** How far back a sender's own repeated text counts (`repeat`). @default 10 min */
  readonly repeatMs?: number
  /** Staff a history does not show (admins, a configured owner), per room — e.g. from qunguard.yaml. */
  readonly extraStaff?: ((room: string) => readonly string[]) | undefined
  /**
   * Each room's messages per hour of the day seen before this stream (a learned policy's
   * `rhythm`), so quiet hours are known from the first message instead of after 500.
   */
  readonly rhythms?: Readonly<Record<string, readonly number[]>> | undefined
  /** Whether a message's picture holds a QR code (e.g. from a QR decoder over the media files). */
  readonly qr?: ((msg: MessageEvent) => boolean | undefined) | undefined
}

const PHONE = /(?<!\d)1[3-9]\d(?:\d{4}|\*{4})\d{4}(?!\d)/ // also as the guard stores it: 138****5678
/**
 * Between a keyword and the id: spaces and colons, doubled too (`Vx：：abc123`, `qq: : 12345`).
 * A bare `v` run on into letters is mostly the start of an English word (vocal, vape, vip15):
 * it counts with a colon (`V: abcde`), before an id with a digit or an underscore after a space
 * (`V abc_123`; `V bored` is SMS English for "very"), or before an id that ends in two digits (`Vfard82`).
 */
const WECHAT_ID =
  /(?:微信|威信|薇信|v信|vx|wx|加v|\+v|薇)[\s:：]*(?:[a-z][a-z0-9_-]{3,}|\d{4,})|(?<![a-z])v(?:\s*[:：][\s:：]*[a-z][a-z0-9_-]{3,}|\s+(?=[a-z][a-z]*[\d_-])[a-z][a-z0-9_-]{3,}|(?!ip\d)[a-z][a-z0-9_-]{2,}\d{2})/i
const QQ = /(?:qq|扣扣|企鹅|球球|q号)[\s:：]*\d{5,}/i
/**
 * A web address typed in text: with a scheme or www., or a name under a common top-level
 * domain (taobao.com, abc777.top). Not an e-mail address (the @ before it).
 */
const ADDRESS =
  /(?:https?:\/\/|www\.)[^\s]+|(?<![\w@.-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org|top|xyz|vip|cc|me|info|shop|club|site|online|app|io|link|ltd|store|tv|co|biz|wang|live|fun|icu|work)(?![a-z0-9])/i
/** Every web address in a text, to take out before looking for numbers. */
const ADDRESSES = new RegExp(ADDRESS.source, 'gi')

/**
 * Words of Chinese marketing and scam language, written from general knowledge of the genre
 * (not learned from any data set): a prior that holds in groups the guard has never seen.
 */
const AD_WORDS = [
  '加微信',
  '加v',
  '加我',
  '私聊',
  '私信',
  '微信号',
  '代购',
  '兼职',
  '日赚',
  '日结',
  '日入',
  '月入',
  '返利',
  '返现',
  '刷单',
  '优惠',
  '红包',
  '免费',
  '领取',
  '限时',
  '秒杀',
  '折扣',
  '打折',
  '特价',
  '促销',
  '低价',
  '包邮',
  '批发',
  '厂家',
  '正品',
  '咨询',
  '热线',
  '详询',
  '详情',
  '致电',
  '来电',
  '报名',
  '招聘',
  '招募',
  '代理',
  '加盟',
  '贷款',
  '无抵押',
  '信用卡',
  '办理',
  '理财',
  '投资',
  '收益',
  '赚钱',
  '佣金',
  '推广',
  '下单',
  '福利',
  '会员',
  '充值',
  '预约',
  '到店',
  '退订',
  '官网',
  '点击',
  '扫码',
  '关注',
  '公众号',
  '活动',
  '惊喜',
  '大礼',
  '赠送',
  '抽奖',
  '中奖',
  '名额',
  '火爆',
  '欢迎',
  '亲',
  '手慢无',
  '抢购',
] as const

/** Distinct marketing words in a text. */
export function countAdWords(text: string): number {
  const t = text.normalize('NFKC').toLowerCase()
  let n = 0
  for (const w of AD_WORDS) if (t.includes(w)) n++
  return n
}

/** Chinese numerals as digits, the way numbers are spelled out to slip past filters. */
const NUMERALS = '〇零一幺二两三四五六七八九'
const NUMERAL_DIGITS = '0011223456789'
/** A run of seven or more Chinese numerals: a spelled-out number, not a phrase like 一五一十. */
const CHINESE_NUMBER = new RegExp(`[${NUMERALS}]{7,}`, 'g')
/** Separators put between the characters of a keyword (薇-信, 企 鹅) so it is not recognised. */
const HAN_SPLIT = /(?<=\p{Script=Han})[\s\-_.*·•|~]+(?=\p{Script=Han})/gu
/** The same between the two letters of v x, w.x, q q (but not inside English words). */
const LETTER_SPLIT = /(?<![a-z])([vwq])[\s\-_.*·•|~]+([xq])(?![a-z])/gi

/**
 * A phone number, WeChat id or QQ number in text, evasions included: digits split by spaces or
 * dashes or spelled in Chinese numerals, keywords split by separators (薇-信, 企 鹅), 薇/V信 for
 * WeChat, 企鹅/扣扣 for QQ. Numbers inside web addresses do not count.
 */
export function hasContact(text: string): boolean {
  const t = text
    .normalize('NFKC')
    .replace(ADDRESSES, ' ')
    .replace(CHINESE_NUMBER, (run) => [...run].map((c) => NUMERAL_DIGITS[NUMERALS.indexOf(c)] ?? c).join(''))
  const digits = t.replace(/(?<=\d)[\s-－—.]+(?=\d)/g, '')
  if (PHONE.test(digits) || WECHAT_ID.test(t) || QQ.test(digits)) return true
  const joined = digits.replace(HAN_SPLIT, '').replace(LETTER_SPLIT, '$1$2')
  return joined !== digits && (WECHAT_ID.test(joined) || QQ.test(joined))
}

/** The domain a link message points to, or of the first web address typed in its text. */
export function linkDomain(m: Pick<MessageEvent, 'type' | 'url' | 'text'>): string | undefined {
  const raw = m.type === 'link' && m.url ? m.url : ADDRESS.exec((m.text ?? '').normalize('NFKC'))?.[0]
  if (!raw) return undefined
  try {
    const host = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`).hostname.toLowerCase()
    return host.replace(/^www\./, '') || undefined
  } catch {
    return undefined
  }
}

/** A web address typed in the text (`www.…`, `abc777.top`), as a link message would carry. */
export function hasAddress(text: string): boolean {
  return ADDRESS.test(text.normalize('NFKC'))
}

/** The hour of the day in the timestamp's own offset (`2026-04-02T18:46:07+08:00` → 18). */
function localHour(ts: string): number {
  const h = Number(ts.slice(11, 13))
  return Number.isInteger(h) && h >= 0 && h < 24 ? h : new Date(ts).getUTCHours()
}

export class FeatureTracker {
  /** The guard's accounts (every account event's). */
  private readonly bots = new Set<string>()
  private readonly staff = new Map<string, Set<string>>()
  private readonly joined = new Map<string, { ms: number; via: 'qrcode' | 'invite' | 'unknown' }>()
  private readonly recent = new Map<string, number[]>()
  private readonly texts: NearDuplicateIndex
  /** Per room, messages per hour of the day (the poster's local time as the timestamp gives it). */
  private readonly hours = new Map<string, { byHour: number[]; total: number }>()
  private readonly w: FactsWindows

  constructor(private readonly options: FeatureOptions = {}) {
    this.w = factsWindows(options)
    this.texts = new NearDuplicateIndex({ windowMs: this.w.crossRoomMs })
    for (const [room, byHour] of Object.entries(options.rhythms ?? {})) {
      if (byHour.length !== 24) continue
      this.hours.set(room, { byHour: [...byHour], total: byHour.reduce((a, b) => a + b, 0) })
    }
  }

  /** A room's messages per hour of the day so far (24 counts), for a policy to carry. */
  rhythm(room: string): number[] | undefined {
    const r = this.hours.get(room)
    return r ? [...r.byHour] : undefined
  }

  isStaff(room: string, who: string): boolean {
    return this.bots.has(who) || (this.staff.get(room)?.has(who) ?? false) || (this.options.extraStaff?.(room).includes(who) ?? false)
  }

  /** Takes the next event; for a message, returns its facts. */
  observe(e: GroupEvent): MessageFacts | undefined {
    switch (e.kind) {
      case 'account':
        this.bots.add(e.self)
        return undefined
      case 'room': {
        const s = new Set<string>(e.admins)
        if (e.owner) s.add(e.owner)
        this.staff.set(e.room, s)
        return undefined
      }
      case 'join':
        for (const m of e.members) this.joined.set(`${e.room}#${m}`, { ms: toMillis(e.ts), via: e.via })
        return undefined
      case 'message':
        return this.message(e)
      default:
        return undefined
    }
  }

  private message(m: MessageEvent): MessageFacts {
    const ms = toMillis(m.ts)
    const who = `${m.room}#${m.sender}`
    const keep = activityWindowMs(this.w.burstMs)
    const times = (this.recent.get(who) ?? []).filter((t) => ms - t < keep)
    const rhythm = this.hours.get(m.room) ?? { byHour: new Array<number>(24).fill(0), total: 0 }
    const staff = this.isStaff(m.room, m.sender)
    const join = this.joined.get(who)
    const seen = m.text ? this.texts.add(m.text, { room: m.room, sender: m.sender, ms, by: sightingPoster(ms, staff, join) }) : []
    const facts = messageFacts(
      m,
      {
        staff,
        join,
        times,
        rhythm,
        seen,
        qr: m.type === 'image' ? this.options.qr?.(m) : undefined,
      },
      this.w,
    )
    times.push(ms)
    this.recent.set(who, times)
    const hour = localHour(m.ts)
    rhythm.byHour[hour] = (rhythm.byHour[hour] ?? 0) + 1
    rhythm.total++
    this.hours.set(m.room, rhythm)
    return facts
  }
}

/** What a message's facts are computed from besides the message: what was seen before it. */
export interface FactsContext {
  /** Owner, admin or the bot account. */
  readonly staff: boolean
  /** When and how the sender joined the room, if known. */
  readonly join?: { readonly ms: number; readonly via: 'qrcode' | 'invite' | 'unknown' } | undefined
  /** The sender's earlier message times in the room (ms), at least those of `activityWindowMs`. */
  readonly times: readonly number[]
  /** The room's messages per hour of the day before this one. */
  readonly rhythm: { readonly byHour: readonly number[]; readonly total: number }
  /** Earlier sightings (within the campaign window) of a near-identical text. */
  readonly seen: readonly TextSighting[]
  /** Whether the picture holds a QR code, when known. */
  readonly qr?: boolean | undefined
}

export interface FactsWindows {
  readonly newcomerMs: number
  readonly recentMs: number
  readonly burstMs: number
  readonly repeatMs: number
  /** How long a text counts as seen (campaigns across rooms). */
  readonly crossRoomMs: number
}

/** The windows of FeatureOptions, defaults filled in (one place for the learner and the live guard). */
export function factsWindows(options: FeatureOptions = {}): FactsWindows {
  return {
    newcomerMs: options.newcomerMs ?? NEWCOMER_MS,
    recentMs: options.recentMs ?? RECENT_MS,
    burstMs: options.burstMs ?? 60_000,
    repeatMs: options.repeatMs ?? 10 * 60_000,
    crossRoomMs: options.crossRoomMs ?? 7 * 86_400_000,
  }
}

/** How long a member's message times matter (the longest flood window). */
export function activityWindowMs(burstMs = 60_000): number {
  return Math.max(burstMs, LONGEST_BURST_MS)
}

/** The hour of the day a message was posted, in its timestamp's own offset. */
export function messageHour(m: Pick<MessageEvent, 'ts'>): number {
  return localHour(m.ts)
}

/**
 * A message's facts from the message and what was seen before it — the one computation behind
 * the learner's `FeatureTracker` (state in memory) and the live guard's stored facts (state
 * behind the FactsStore port).
 */
export function messageFacts(m: MessageEvent, ctx: FactsContext, w: FactsWindows): MessageFacts {
  const ms = toMillis(m.ts)
  const within = (windowMs: number) => ctx.times.reduce((n, t) => (ms - t < windowMs ? n + 1 : n), 1)
  const join = ctx.join
  const tenureMs = join !== undefined && ms - join.ms >= 0 ? ms - join.ms : undefined
  const text = [m.text, m.url].filter(Boolean).join(' ')
  const hour = localHour(m.ts)
  const quietHour = ctx.rhythm.total >= 500 && (ctx.rhythm.byHour[hour] ?? 0) < (0.2 * ctx.rhythm.total) / 24
  return {
    id: m.id,
    room: m.room,
    sender: m.sender,
    ms,
    type: m.type,
    text,
    staff: ctx.staff,
    newcomer: tenureMs !== undefined && tenureMs < w.newcomerMs,
    recent: tenureMs !== undefined && tenureMs < w.recentMs,
    via: join?.via ?? 'unknown',
    contact: hasContact(text),
    address: m.type === 'text' && hasAddress(m.text ?? ''),
    adWords: countAdWords(text),
    mentionAll: m.mentionAll === true || /@所有人/.test(m.text ?? ''),
    burst: within(w.burstMs),
    bursts: BURST_WINDOWS_S.map((s) => within(s * 1000)),
    tenureMs,
    fileExt: m.type === 'file' ? fileExtension(m.text ?? '') : undefined,
    domain: linkDomain(m),
    mentions: m.mentions?.length ?? 0,
    quietHour,
    crossRoom: ctx.seen.some((s) => s.room !== m.room && s.sender !== m.sender),
    duplicate: ctx.seen.some((s) => s.sender !== m.sender),
    crossRoomBy: ctx.seen.filter((s) => s.room !== m.room && s.sender !== m.sender).map((s) => poster(s.by, w)),
    duplicateBy: ctx.seen.filter((s) => s.sender !== m.sender).map((s) => poster(s.by, w)),
    repeat: ctx.seen.some((s) => s.sender === m.sender && s.room === m.room && ms - s.ms < w.repeatMs),
    qr: m.type === 'image' ? ctx.qr : undefined,
  }
}
