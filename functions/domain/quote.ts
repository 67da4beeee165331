/**
 * WeChat's quoted reply as puppets and exports give it in a message's text: the quote first,
 * 「name：content」, then a dashed line, then the reply (「小王：加微信领红包」\n- - - - -\n这种别发).
 *
 * @example
 *   parseQuote('「小王：加微信 领红包」\n- - - - -\n举报') // { name: '小王', quoted: '加微信 领红包', reply: '举报' }
 *   parseQuote('举报') // undefined
 */
const QUOTE = /^「([^：:」]{1,40})[：:]([\s\S]*?)」\s*(?:[-－—\s]{3,})?\s*([\s\S]*)$/u

export interface Quote {
  /** The quoted message's sender, by display name. */
  readonly name: string
  /** What the quoted message said (WeChat shows [图片], [链接] … for other types). */
  readonly quoted: string
  /** What the quoting member wrote. */
  readonly reply: string
}

/** The quote a (NFKC-normalised, trimmed) message text starts with, if any. */
export function parseQuote(text: string): Quote | undefined {
  const m = QUOTE.exec(text)
  if (!m?.[1]) return undefined
  return { name: m[1].trim(), quoted: (m[2] ?? '').trim(), reply: (m[3] ?? '').trim() }
}
