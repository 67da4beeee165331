/**
 * Member reports (举报): a member writes `@某人 举报` (the message's `mentions` names the reported
 * member) or quotes a message and writes 举报 (WeChat puts the quote first: 「小王：加微信…」).
 * Reports from `threshold` distinct members within `windowHours` (trusted reporters and staff
 * weigh `trustedWeight`) put the reported member to the owner as a numbered request, once per
 * crossing; the owner's answer teaches the `report` rule's record like any rule's. Nobody is told
 * who else reported.
 *
 * Pure parsing here; the Guard keeps the reports in the FactsStore.
 *
 * @example
 *   parseReport(message({ text: '@小王 举报', mentions: ['wxid_w'] })) // { ids: ['wxid_w'], names: [], quoted: undefined }
 *   parseReport(message({ text: '「小王：加微信 领红包」\n- - - - -\n举报' })) // { ids: [], names: ['小王'], quoted: '加微信 领红包' }
 */
import type { MessageEvent } from './events.ts'
import { parseQuote } from './quote.ts'

/** The rule id of the requests reports make. */
export const REPORT_RULE_ID = 'report'

const REPORT_WORD = /举报/u
export interface ParsedReport {
  /** Reported members by WeChat id (@-mentions). */
  readonly ids: readonly string[]
  /** Reported members by the display name a quote gives. */
  readonly names: readonly string[]
  /** What the quoted message said, when there is a quote. */
  readonly quoted?: string | undefined
}

/** A report, when the message is one: 举报 with an @-mention, or 举报 under a quote; the reply must be short (the word, a few more). */
export function parseReport(msg: MessageEvent): ParsedReport | undefined {
  if (msg.type !== 'text' || !msg.text) return undefined
  const text = msg.text.normalize('NFKC').trim()
  const quote = parseQuote(text)
  const reply = quote ? quote.reply : text.replace(/@\S+/gu, '')
  if (!REPORT_WORD.test(reply) || [...reply.trim()].length > 20) return undefined
  const ids = (msg.mentions ?? []).filter((m) => m !== msg.sender)
  const names = quote ? [quote.name] : []
  if (!ids.length && !names.length) return undefined
  return { ids, names, ...(quote ? { quoted: quote.quoted.slice(0, 100) } : {}) }
}
