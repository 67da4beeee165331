/**
 * Reads the moderation signals out of WeChat's group system messages (系统消息), as chat
 * exports record them:
 *
 *   你将"X"移出了群聊                      → the account removed X (a kick)
 *   "X"撤回了一条消息 / 你撤回了一条消息    → a recall
 *   "A"邀请"B、C"加入了群聊                → B and C joined, invited by A
 *   "B"通过扫描"A"分享的二维码加入群聊      → B joined by scanning A's QR code
 *
 * Tolerant of straight, curly and corner quotes ("…" “…” 「…」), a space before 撤回, and
 * spaces inside the quotes. Names are display names; the caller maps them to ids.
 * These patterns are our own, fixed and anchored; no user input becomes a pattern.
 */

/** `undefined` for the account itself ("你"); otherwise the quoted display name. */
export type Who = string | undefined

export type SystemSignal =
  | { readonly kind: 'kick'; readonly members: readonly string[]; readonly byYou: true }
  | { readonly kind: 'recall'; readonly sender: Who }
  | { readonly kind: 'join'; readonly members: readonly Who[]; readonly inviter: Who; readonly via: 'invite' | 'qrcode' }

const OPEN = '["“「\'‘]'
const CLOSE = '["”」\'’]'
// A quoted name (group 1) or 你.
const QUOTED = `${OPEN}\\s*([^"“”「」'‘’]+?)\\s*${CLOSE}`
const WHO = `(?:${QUOTED}|(你))`

const KICK = new RegExp(`^\\s*你将${QUOTED}移出了群聊`)
const RECALL = new RegExp(`^\\s*${WHO}\\s?撤回了一条消息`)
const INVITE = new RegExp(`^\\s*${WHO}邀请${WHO}(?:和.+?)?加入了群聊`)
const QR = new RegExp(`^\\s*${WHO}通过扫描${WHO}分享的二维码加入群聊`)

/** Several names in one quote are joined by 、 (or ，). */
const splitNames = (names: string): string[] =>
  names
    .split(/[、，,]/)
    .map((n) => n.trim())
    .filter(Boolean)

const who = (quoted: string | undefined, you: string | undefined): Who => (you ? undefined : quoted?.trim())

/** The signal in a system message's text, or undefined when it carries none we use. */
export function parseSystemMessage(text: string): SystemSignal | undefined {
  let m = KICK.exec(text)
  if (m) return { kind: 'kick', members: splitNames(m[1] ?? ''), byYou: true }
  m = RECALL.exec(text)
  if (m) return { kind: 'recall', sender: who(m[1], m[2]) }
  m = QR.exec(text)
  if (m) return { kind: 'join', members: joined(m[1], m[2]), inviter: who(m[3], m[4]), via: 'qrcode' }
  m = INVITE.exec(text)
  if (m) return { kind: 'join', members: joined(m[3], m[4]), inviter: who(m[1], m[2]), via: 'invite' }
  return undefined
}

/** Members of a join: the quoted names, or the account itself when it was "你". */
function joined(quoted: string | undefined, you: string | undefined): Who[] {
  return you ? [undefined] : splitNames(quoted ?? '')
}
