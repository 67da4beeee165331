/**
 * Reads the moderation signals out of WeChat's group system messages (系统消息), as chat
 * exports record them. This module is the one place that knows their wording:
 *
 *   你将"X"移出了群聊 / "A"将"X"移出了群聊   → X was removed (a kick) by the account / by A
 *   你被"A"移出群聊                          → the account was removed by A
 *   "X"退出了群聊                            → X left
 *   "X"撤回了一条消息 / 你撤回了一条消息      → a recall
 *   "A"邀请"B、C"加入了群聊 / "A"邀请你和"B"加入了群聊 → B and C joined, invited by A
 *   "B"通过扫描"A"分享的二维码加入群聊        → B joined by scanning A's QR code
 *   你通过扫描二维码加入群聊…                → the account joined by a QR code
 *   "X"加入了群聊                            → X joined (route unknown)
 *
 * and the notices that carry no moderation signal (拍一拍, a new group name, red packets, …),
 * which the importer counts rather than drops silently. Anything else is "not understood".
 *
 * Tolerant of straight, curly and corner quotes ("…" “…” 「…」 '…'), of spaces (including the
 * U+2005 WeChat puts after a name, and full-width spaces) around the quotes and the words, and
 * of spaces inside the quotes. Names are display names; the caller maps them to ids.
 * These patterns are our own, fixed and anchored; no user input becomes a pattern.
 */

/** `undefined` for the account itself ("你"); otherwise the quoted display name. */
export type Who = string | undefined

export type SystemSignal =
  | { readonly kind: 'kick'; readonly members: readonly Who[]; readonly remover: Who }
  | { readonly kind: 'leave'; readonly members: readonly Who[] }
  | { readonly kind: 'recall'; readonly sender: Who }
  | {
      readonly kind: 'join'
      readonly members: readonly Who[]
      /** `null` when the notice names no one who brought them in. */
      readonly inviter: Who | null
      readonly via: 'invite' | 'qrcode' | 'unknown'
    }
  /** A notice we recognise that carries no moderation signal; `what` names it (拍一拍, 改群名, …). */
  | { readonly kind: 'notice'; readonly what: string }

const QUOTES = `"“”「」'‘’`
const OPEN = '["“「\'‘]'
const CLOSE = '["”」\'’]'
/** A quoted name (group 1) or 你 (group 2). */
const WHO = `(?:${OPEN}\\s*([^${QUOTES}]+?)\\s*${CLOSE}|(你))`
/** One or more quoted names, or 你, joined by 、，和 (parsed by `names`). */
const NAMES = `((?:${OPEN}[^${QUOTES}]+${CLOSE}|你|[\\s、，,和])+?)`

/** Pieces of a notice, any amount of space allowed between them; anchored at the start. */
const notice = (...pieces: string[]) => new RegExp(`^\\s*${pieces.join('\\s*')}`)

/** The i-th WHO of a match (each WHO is two groups). */
const whoAt = (m: RegExpExecArray, i: number): Who => (m[2 * i + 2] ? undefined : m[2 * i + 1]?.trim())

/** Names in a NAMES chunk: every quoted name (several in one quote joined by 、 or ，) and 你. */
export function names(chunk: string): Who[] {
  const out: Who[] = []
  const quoted = new RegExp(`${OPEN}([^${QUOTES}]+)${CLOSE}|你`, 'g')
  for (const m of chunk.matchAll(quoted)) {
    if (m[1] === undefined) out.push(undefined)
    else
      out.push(
        ...m[1]
          .split(/[、，,]/)
          .map((n) => n.trim())
          .filter(Boolean),
      )
  }
  return out
}

type Reader = (m: RegExpExecArray) => SystemSignal

/** Signal notices, most specific first (an invitation also ends in 加入了群聊). */
const SIGNALS: readonly (readonly [RegExp, Reader])[] = [
  [notice(WHO, '将', NAMES, '移出了群聊'), (m) => ({ kind: 'kick', members: names(m[3] ?? ''), remover: whoAt(m, 0) })],
  [notice('你被', WHO, '移出(?:了)?群聊'), (m) => ({ kind: 'kick', members: [undefined], remover: whoAt(m, 0) })],
  [notice(WHO, '(?:已)?退出(?:了)?群聊'), (m) => ({ kind: 'leave', members: [whoAt(m, 0)] })],
  [notice(WHO, '撤回了一条消息'), (m) => ({ kind: 'recall', sender: whoAt(m, 0) })],
  [
    notice(WHO, '通过扫描', WHO, '分享的二维码加入(?:了)?群聊'),
    (m) => ({ kind: 'join', members: [whoAt(m, 0)], inviter: whoAt(m, 1), via: 'qrcode' }),
  ],
  [notice(WHO, '通过扫描二维码加入(?:了)?群聊'), (m) => ({ kind: 'join', members: [whoAt(m, 0)], inviter: null, via: 'qrcode' })],
  [
    notice(WHO, '邀请', NAMES, '加入(?:了)?群聊'),
    (m) => ({ kind: 'join', members: names(m[3] ?? ''), inviter: whoAt(m, 0), via: 'invite' }),
  ],
  [notice(NAMES, '加入(?:了)?群聊'), (m) => ({ kind: 'join', members: names(m[1] ?? ''), inviter: null, via: 'unknown' })],
]

/** Notices without a moderation signal, named for the import summary. */
const NOTICES: readonly (readonly [RegExp, string])[] = [
  [/拍了拍/, '拍一拍'],
  [/修改群名为|修改了群名/, '改群名'],
  [/朋友关系|注意隐私安全/, '非好友提示'],
  [/红包/, '红包'],
  [/群聊邀请确认|邀请确认/, '邀请确认'],
  [/群主|群管理员/, '群主或管理员变更'],
  [/打招呼|开始聊天|添加了.*为朋友/, '加好友提示'],
  [/拒收/, '拒收'],
  [/置顶|群待办|群接龙|群公告/, '群工具提示'],
  [/撤回了.*消息/, '撤回（未注明成员）'],
]

/**
 * The signal in a system message's text; a `notice` for one we know carries none; undefined
 * for one we do not understand (the caller reports it).
 */
export function parseSystemMessage(text: string): SystemSignal | undefined {
  for (const [re, read] of SIGNALS) {
    const m = re.exec(text)
    if (m) {
      const signal = read(m)
      if (signal.kind !== 'join' && signal.kind !== 'kick' && signal.kind !== 'leave') return signal
      if (signal.members.length > 0) return signal
    }
  }
  const known = NOTICES.find(([re]) => re.test(text))
  return known ? { kind: 'notice', what: known[1] } : undefined
}

/**
 * The readable text of a system message: WeChat stores some (recalls, 10002) as XML with the
 * sentence in `<replacemsg>`; plain text passes through.
 */
export function systemText(raw: string): string {
  if (!raw.trimStart().startsWith('<')) return raw
  const m = /<replacemsg>\s*(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))\s*<\/replacemsg>/.exec(raw)
  return m?.[1] ?? m?.[2] ?? raw
}
