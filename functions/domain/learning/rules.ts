/**
 * Learned rules: a condition on what was posted ("what") and on who posted it ("who"), with an
 * action, a mode and the evidence behind it, and a sentence a group owner understands.
 *
 * @example
 *   matches({ what: 'link', who: 'newcomer', … }, facts, score) // a link from someone who joined < 24 h ago
 *   sentence(rule) // "入群不满一天的成员发链接 → 警告（历史：命中 10 次，群主处理 8 次（处理率 80%），估计准确率 96%）"
 */
import type { MessageEvent } from '../events.ts'
import { BURST_WINDOWS_S, type MessageFacts, type Poster } from './features.ts'
import { count, evidenceWords, ruleFigures } from './figures.ts'

export const WHATS = [
  'ad-text',
  'link',
  'address',
  'miniprogram',
  'card',
  'qr',
  'image',
  'contact',
  'flood',
  'mention-all',
  'cross-room',
  'duplicate',
  'repeat',
  'ad-words',
  'long-text',
  'quiet-hours',
  /** A message type (`value`): red packets, transfers, files, videos … whatever the room forbids. */
  'type',
  /** A file whose extension is `value` (`apk`, `zip`). */
  'file-ext',
  /** A link (or an address typed in text) to the domain `value` (`t.cn`). */
  'domain',
  /** A message that @-mentions `threshold` members or more. */
  'mentions',
] as const
export type What = (typeof WHATS)[number]
/** Who, by tenure: the learner tries each of these with every condition. */
export const TENURES = ['anyone', 'recent', 'newcomer', 'qrcode-newcomer'] as const
/**
 * …and `offender`: a member of under three days whom one of the room's rules already caught
 * (`OffenderMemory`). Not learned: a preset rule for ad-like text only (rule-learner.ts).
 */
/**
 * …and tenures learned per room: `joined`, a member of under `tenureH` hours; `qrcode-joined`,
 * the same who joined by QR code (rule-learner.ts searches 1 hour to 14 days).
 */
export const LEARNED_TENURES = ['joined', 'qrcode-joined'] as const
export const WHOS = [...TENURES, 'offender', ...LEARNED_TENURES] as const
export type Who = (typeof WHOS)[number]

export interface RuleEvidence {
  /** Members' messages in the history the condition matched. */
  readonly matched: number
  /** Of those, how many the owner acted on (weighted weak labels). */
  readonly labelled: number
  /** labelled / matched. */
  readonly rate: number
  /** Estimated precision: the rate over how often this owner acts on clear violations. */
  readonly precision: number
  /** Whether the group announcement states this rule. */
  readonly announced: boolean
  /**
   * A preset of qunguard's, not learned from this history (the `offender` rules): `matched` and
   * `labelled` are what the history shows, pooled over its rooms; `precision` is 0.5, unknown.
   */
  readonly preset?: boolean | undefined
}

export interface LearnedRule {
  readonly id: string
  readonly room: string
  readonly what: What
  readonly who: Who
  /**
   * For `ad-text`: the classifier score from which it matches; `flood`: messages per minute;
   * `ad-words`: marketing words; `long-text`: characters.
   */
  readonly threshold?: number | undefined
  /** For `flood`: the window the messages are counted in, seconds. @default 60 (policies before windows were learned) */
  readonly windowS?: number | undefined
  /**
   * For `flood`: the longest typed text (characters) that counts towards the burst when said
   * once; longer texts count only when pasted again. @default FLOOD_TEXT_CHARS
   */
  readonly textChars?: number | undefined
  /** For `type`: the message type; `file-ext`: the extension. */
  readonly value?: string | undefined
  /** For `joined` and `qrcode-joined`: the tenure, hours. */
  readonly tenureH?: number | undefined
  readonly action: 'warn' | 'remove'
  readonly mode: 'shadow' | 'active'
  readonly evidence: RuleEvidence
  readonly sentence: string
}

export type RuleCondition = Pick<LearnedRule, 'what' | 'who' | 'threshold' | 'windowS' | 'textChars' | 'value' | 'tenureH'>

/**
 * A condition's id: `learned:<what>[=value][@threshold][/<window>s][~<text chars>]:<who>[@<tenure>h]` —
 * `learned:flood@4/20s:anyone`, `learned:link:joined@168h`, `learned:type=redpacket:anyone`.
 */
export function ruleId(c: RuleCondition): string {
  const what = `${c.what}${c.value !== undefined ? `=${c.value}` : ''}${c.threshold !== undefined ? `@${c.threshold}` : ''}${c.windowS !== undefined ? `/${c.windowS}s` : ''}${c.textChars !== undefined ? `~${c.textChars}` : ''}`
  return `learned:${what}:${c.who}${c.tenureH !== undefined ? `@${c.tenureH}h` : ''}`
}

/** Message types whose text the ad classifier scores. */
export const TEXT_TYPES: ReadonlySet<MessageFacts['type']> = new Set(['text', 'link', 'miniprogram', 'card', 'file'])

/** Whether a rule needs the ad classifier's score to decide. */
export const needsScore = (rule: RuleCondition): boolean => rule.what === 'ad-text'

/**
 * Who lies within whom: a newcomer by QR code is a newcomer, a newcomer (or an offender, who is
 * under three days in the room by definition) a member of under three days, everyone a member.
 */
const WITHIN: Readonly<Record<Who, readonly Who[]>> = {
  anyone: WHOS,
  recent: ['recent', 'newcomer', 'qrcode-newcomer', 'offender'],
  newcomer: ['newcomer', 'qrcode-newcomer'],
  'qrcode-newcomer': ['qrcode-newcomer'],
  offender: ['offender'],
  joined: ['joined', 'qrcode-joined'],
  'qrcode-joined': ['qrcode-joined'],
}

/**
 * Whether every message `narrow` matches, `broad` matches too: the same content condition, an
 * equal or wider tenure and an equal or lower threshold (every threshold is an "at least").
 * Assumes the newcomer window lies within the recent one (the defaults: a day, three days).
 */
export function subsumes(broad: RuleCondition, narrow: RuleCondition): boolean {
  return (
    broad.what === narrow.what &&
    broad.value === narrow.value &&
    WITHIN[broad.who].includes(narrow.who) &&
    // A learned tenure covers a shorter one; a burst counted in a longer window is at least as large.
    (broad.tenureH ?? Number.POSITIVE_INFINITY) >= (narrow.tenureH ?? Number.POSITIVE_INFINITY) &&
    (broad.windowS ?? 60) >= (narrow.windowS ?? 60) &&
    (broad.textChars ?? FLOOD_TEXT_CHARS) >= (narrow.textChars ?? FLOOD_TEXT_CHARS) &&
    (broad.threshold ?? 0) <= (narrow.threshold ?? 0)
  )
}

/** Messages of the flood window `windowS` (seconds) the sender posted, this one included (no window: `burst`, a minute). */
export function burstIn(f: MessageFacts, windowS: number | undefined): number {
  const i = windowS === undefined ? -1 : BURST_WINDOWS_S.indexOf(windowS as (typeof BURST_WINDOWS_S)[number])
  return i < 0 ? f.burst : (f.bursts[i] ?? f.burst)
}

/** Whether the sender joined under `hours` ago (unknown join: no). */
const joinedWithin = (f: Poster, hours: number | undefined) => f.tenureMs !== undefined && f.tenureMs < (hours ?? 24) * 3_600_000

/**
 * A flood rule flags the stickers, pictures and short lines of a burst, and a text pasted again;
 * a typed text longer than this (in characters), said once, counts towards the burst but is left
 * to the rules that read what it says. Someone writing several sentences in a minute is in a
 * conversation; a flood is the short stuff, or the same text again.
 */
export const FLOOD_TEXT_CHARS = 20
/** A flood's `textChars` meaning every text counts, however long. */
export const ANY_TEXT = 10_000

/** Whether a message's sender is whom a rule is about (its `who`, with the tenure it learned); staff never are. */
export function isWho(rule: Pick<RuleCondition, 'who' | 'tenureH'>, f: Poster): boolean {
  if (f.staff) return false
  switch (rule.who) {
    case 'anyone':
      return true
    case 'recent':
      return f.recent
    case 'newcomer':
      return f.newcomer
    case 'qrcode-newcomer':
      return f.newcomer && f.via === 'qrcode'
    case 'offender':
      return f.recent && f.offender === true
    case 'joined':
      return joinedWithin(f, rule.tenureH)
    case 'qrcode-joined':
      return joinedWithin(f, rule.tenureH) && f.via === 'qrcode'
  }
}

/** Whether a (non-staff) message meets a rule's condition. `score` is the ad classifier's, for text. */
export function matches(rule: RuleCondition, f: MessageFacts, score: number | undefined): boolean {
  if (!isWho(rule, f)) return false
  switch (rule.what) {
    case 'ad-text':
      // Links, cards and mini-programs have rules of their own; their titles are not ad copy.
      return f.type === 'text' && score !== undefined && score >= (rule.threshold ?? 0.7)
    case 'link':
      return f.type === 'link'
    case 'address':
      return f.address
    case 'miniprogram':
      return f.type === 'miniprogram'
    case 'card':
      return f.type === 'card'
    case 'qr':
      return f.type === 'image' && f.qr === true
    case 'image':
      return f.type === 'image'
    case 'contact':
      return f.contact
    case 'flood':
      return (
        burstIn(f, rule.windowS) >= (rule.threshold ?? 5) &&
        (f.type !== 'text' || f.repeat || [...f.text].length <= (rule.textChars ?? FLOOD_TEXT_CHARS))
      )
    case 'mention-all':
      return f.mentionAll
    case 'cross-room':
      return f.crossRoomBy.some((p) => isWho(rule, p))
    case 'duplicate':
      return f.duplicateBy.some((p) => isWho(rule, p))
    case 'repeat':
      return f.repeat
    case 'ad-words':
      return f.type === 'text' && f.adWords >= (rule.threshold ?? 3)
    case 'quiet-hours':
      return f.quietHour
    case 'long-text':
      return f.type === 'text' && [...f.text].length >= (rule.threshold ?? 50)
    case 'type':
      return f.type === rule.value
    case 'file-ext':
      return f.type === 'file' && f.fileExt !== undefined && f.fileExt === rule.value
    case 'domain':
      return f.domain !== undefined && f.domain === rule.value
    case 'mentions':
      return f.mentions >= (rule.threshold ?? 5)
  }
}

/** A message type as owners say it. */
export const TYPE_WORDS: Readonly<Record<MessageEvent['type'], string>> = {
  text: '文字',
  image: '图片',
  voice: '语音',
  video: '视频',
  emoji: '表情',
  link: '链接',
  miniprogram: '小程序',
  card: '名片',
  file: '文件',
  redpacket: '红包',
  transfer: '转账',
  location: '位置',
  other: '其他类型的消息',
}

/** A window in seconds as owners say it: 20 → 「20 秒内」, 60 → 「1 分钟内」. */
function windowWords(s: number): string {
  return s < 60 || s % 60 !== 0 ? `${s} 秒内` : `${s / 60} 分钟内`
}

/** A tenure in hours: 12 → 「12 小时」, 168 → 「7 天」. */
export function tenureWords(h: number): string {
  return h >= 24 && h % 24 === 0 ? `${h / 24} 天` : `${h} 小时`
}

const WHAT_WORDS: Record<What, (t?: number, c?: RuleCondition) => string> = {
  'ad-text': (t) => `发广告类文字（分类器置信度 ≥ ${Math.round((t ?? 0.7) * 100)}%）`,
  link: () => '发链接',
  address: () => '在文字里留网址',
  miniprogram: () => '发小程序（砍一刀、助力等）',
  card: () => '推送名片',
  qr: () => '发含二维码的图片',
  image: () => '发图片',
  contact: () => '留手机号、微信号等联系方式',
  flood: (t, c) => {
    const chars = c?.textChars ?? FLOOD_TEXT_CHARS
    return `${windowWords(c?.windowS ?? 60)}连发 ${t ?? 5} 条以上（刷屏${chars < ANY_TEXT ? `；${chars} 字以上、不重复的文字不算` : ''}）`
  },
  'mention-all': () => '@所有人',
  'cross-room': () => '在多个群发同样的内容',
  duplicate: () => '发和其他成员一模一样的内容（群发广告）',
  repeat: () => '十分钟内把同一段话重复发（复制刷屏）',
  'ad-words': (t) => `发用了 ${t ?? 3} 个以上推销词（优惠、代购、日赚、退订等）的文字`,
  'quiet-hours': () => '在群里平时没人说话的时段发消息',
  'long-text': (t) => `发 ${t ?? 50} 字以上的长段文字`,
  type: (_t, c) => `发${TYPE_WORDS[c?.value as MessageEvent['type']] ?? c?.value ?? '某类消息'}`,
  'file-ext': (_t, c) => `发 .${c?.value ?? '?'} 文件`,
  domain: (_t, c) => `发 ${c?.value ?? '?'} 的链接`,
  mentions: (t) => `一条消息 @ ${t ?? 5} 人以上`,
}
const WHO_WORDS: Record<Who, string> = {
  anyone: '成员',
  recent: '入群不满三天的成员',
  newcomer: '入群不满一天的成员',
  'qrcode-newcomer': '扫码入群不满一天的成员',
  offender: '入群不满三天、已被本群规则抓到过的成员',
  joined: '入群不满一天的成员',
  'qrcode-joined': '扫码入群不满一天的成员',
}

function whoWords(c: RuleCondition): string {
  if (c.who === 'joined') return `入群不满 ${tenureWords(c.tenureH ?? 24)}的成员`
  if (c.who === 'qrcode-joined') return `扫码入群不满 ${tenureWords(c.tenureH ?? 24)}的成员`
  return WHO_WORDS[c.who]
}
const ACTION_WORDS = { warn: '警告', remove: '移出群聊' } as const

/** What a rule's condition says, without action or evidence: 「入群不满一天的成员发链接」. */
export function conditionWords(rule: RuleCondition): string {
  const what = WHAT_WORDS[rule.what](rule.threshold, rule)
  // 「成员 10 秒内连发…」: a number keeps a space on each side, as in 「连发 7 条」.
  return `${whoWords(rule)}${/^\d/.test(what) ? ' ' : ''}${what}`
}

/** A learned rule's condition read back from its id (`ruleId`; older ids `learned:<what>[@threshold]:<who>` too), or undefined. */
export function parseRuleId(id: string): RuleCondition | undefined {
  const m = /^learned:([a-z-]+)(?:=([a-z0-9.-]+))?(?:@([\d.]+))?(?:\/(\d+)s)?(?:~(\d+))?:([a-z-]+)(?:@([\d.]+)h)?$/.exec(id)
  if (!m?.[1] || !m[6]) return undefined
  const what = m[1] as What
  const who = m[6] as Who
  if (!(WHATS as readonly string[]).includes(what) || !(WHOS as readonly string[]).includes(who)) return undefined
  return {
    what,
    who,
    ...(m[2] !== undefined ? { value: m[2] } : {}),
    ...(m[3] !== undefined ? { threshold: Number(m[3]) } : {}),
    ...(m[4] !== undefined ? { windowS: Number(m[4]) } : {}),
    ...(m[5] !== undefined ? { textChars: Number(m[5]) } : {}),
    ...(m[7] !== undefined ? { tenureH: Number(m[7]) } : {}),
  }
}

/**
 * The rule in one sentence, with its evidence in the figures' one wording (figures.ts).
 * @param owner the group's owner figures: how many messages the owner acted on and the action
 *   rate, undefined when it could not be estimated. @default estimated, as `evidence.precision` assumes
 */
export function sentence(
  rule: Omit<LearnedRule, 'sentence' | 'id'>,
  owner?: { readonly ownerActions: number; readonly actionRate: number | undefined },
): string {
  const e = rule.evidence
  const history = () => {
    if (e.matched === 0) return undefined
    const actionRate = owner ? owner.actionRate : e.rate > 0 ? e.rate / Math.max(e.precision, 1e-9) : undefined
    return `历史：${evidenceWords(ruleFigures({ matched: e.matched, handled: e.labelled, ownerActions: owner?.ownerActions ?? 1, actionRate }))}`
  }
  const basis = [
    e.announced ? '群公告写明' : undefined,
    e.preset ? '预设规则' : undefined,
    e.preset && e.matched > 0 ? `各群合计历史：命中 ${e.matched} 次，群主处理 ${count(e.labelled)} 次` : undefined,
    !e.preset ? history() : undefined,
  ]
    .filter(Boolean)
    .join('；')
  return `${conditionWords(rule)} → ${ACTION_WORDS[rule.action]}（${basis || '无历史'}）`
}
