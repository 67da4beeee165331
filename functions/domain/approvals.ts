/**
 * Approvals: a shadow rule's proposal put to the group's owner in a private chat, and the
 * owner's answer. Pure functions; the ApprovalStore keeps the numbered requests.
 *
 * Requests are numbered from 1 per owner, so an owner answers `Y3` or `拒绝3` and nobody else's
 * answer can reach their requests (the store looks answers up by the sender's WeChat id).
 *
 * @example
 *   parseAnswer('同意 １２') // { verdict: 'approve', number: 12 }
 *   approvalRequestText(7, proposal, 24) // "[qunguard] 审批 #7 …"
 */
import type { MessageEvent } from './events.ts'
import type { Proposal } from './guard.ts'
import { groupName, memberName, stepName, typeName } from './owner-words.ts'

export type ApprovalVerdict = 'approve' | 'reject'
export type ApprovalStatus = 'open' | 'approved' | 'rejected' | 'expired'

export interface OwnerAnswer {
  readonly verdict: ApprovalVerdict
  readonly number: number
}

const FULL_WIDTH_DIGIT = /[\uFF10-\uFF19]/g
const ANSWER = /^(y|yes|同意|n|no|拒绝)#?(\d{1,9})$/i

/** Reads `Y<n>` / `同意<n>` / `N<n>` / `拒绝<n>`; full-width digits and letters and any spaces are tolerated. */
export function parseAnswer(text: string): OwnerAnswer | undefined {
  const compact = text
    .normalize('NFKC') // full-width Ｙ１ → Y1
    .replace(FULL_WIDTH_DIGIT, (d) => String(d.charCodeAt(0) - 0xff10))
    .replace(/[\s\u3000]+/g, '')
  const m = ANSWER.exec(compact)
  if (!m?.[1] || !m[2]) return undefined
  const number = Number(m[2])
  if (number < 1) return undefined
  const word = m[1].toLowerCase()
  return { verdict: word === 'y' || word === 'yes' || word === '同意' ? 'approve' : 'reject', number }
}

/** What was posted, for a person: the text, or `[图片: <text read from it>]`, `[小程序: 标题 url]`. */
export function describeMessage(msg: MessageEvent, imageText?: string): string {
  const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s)
  if (msg.type === 'text') return clip(msg.text ?? '', 200)
  const detail = [msg.text, msg.url, imageText].filter(Boolean).join(' ')
  return detail ? `[${typeName(msg.type)}: ${clip(detail, 120)}]` : `[${typeName(msg.type)}]`
}

/** A decision's action in words for the owner (`remove` → 移出群聊); kept here for its callers. */
export { stepName } from './owner-words.ts'

/** The private message to the owner: number, group, member, what was posted, why, what would be done, how to answer. */
export function approvalRequestText(number: number, proposal: Proposal, expiresInHours: number, imageText?: string): string {
  const { message: msg, about, request, roomTopic } = proposal
  const step = stepName(request.decision.action)
  const { room, target } = request.decision
  return [
    `[qunguard] 审批 #${number}`,
    `群：${groupName(roomTopic, room)}`,
    `成员：${memberName(msg?.senderName ?? about?.name, target)}`,
    `${msg ? '内容' : '事件'}：${msg ? describeMessage(msg, imageText) : (about?.what ?? '')}`,
    `原因：${request.decision.reason}`,
    `建议：${step}`,
    `回复 Y${number} 执行，N${number} 不处理（${expiresInHours} 小时内有效）`,
  ].join('\n')
}

/** The owner's confirmation after an answer (or why nothing happened). */
export function answerReceiptText(answer: OwnerAnswer, outcome: 'approved' | 'rejected' | 'unknown'): string {
  if (outcome === 'unknown') return `[qunguard] 没有待处理的审批 #${answer.number}（已处理、已过期或不存在）。`
  return outcome === 'approved'
    ? `[qunguard] 已同意 #${answer.number}，正在执行。`
    : `[qunguard] 已拒绝 #${answer.number}，不处理该成员，规则记录已更新。`
}
