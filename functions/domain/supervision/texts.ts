/**
 * What the guard says to owners in their private chat about supervision: digests, receipts,
 * changes of a rule's state, the rules list and the daily report. Chinese, as owners read it;
 * short enough for a phone screen.
 *
 * @example
 *   digestText([...asks], [...reviews], 2) // "[qunguard] 待审批 3 条…"
 */
import type { ApprovalRecord } from '../../ports/approval-store.port.ts'
import { precisionOf, type RuleState, type StateChange, type SupervisedRule } from './lifecycle.ts'

const STATE_NAMES: Record<RuleState, string> = { shadow: '试运行', active: '自动执行', retired: '已停用' }

export const stateName = (state: RuleState, paused = false): string => (paused ? `${STATE_NAMES[state]}·暂停` : STATE_NAMES[state])

const MAX_LINES = 10

/** Requests that waited for the digest (to answer) and decisions already carried out (to review). */
export function digestText(asks: readonly ApprovalRecord[], reviews: readonly ApprovalRecord[], expired: number): string {
  const lines = ['[qunguard] 汇总']
  if (asks.length) {
    lines.push(`待审批 ${asks.length} 条（回复 Y编号 执行，N编号 不处理）：`)
    for (const a of asks.slice(0, MAX_LINES)) lines.push(`#${a.number} ${a.summary ?? a.request.decision.reason}`)
    if (asks.length > MAX_LINES) lines.push(`…另有 ${asks.length - MAX_LINES} 条`)
  }
  if (reviews.length) {
    lines.push(`已自动处理 ${reviews.length} 条（如有误判回复 N编号）：`)
    for (const r of reviews.slice(0, MAX_LINES)) lines.push(`#${r.number} ${r.summary ?? r.request.decision.reason}`)
    if (reviews.length > MAX_LINES) lines.push(`…另有 ${reviews.length - MAX_LINES} 条`)
  }
  if (expired) lines.push(`${expired} 条审批超时未答复，已作废（未处理成员）。`)
  return lines.join('\n')
}

export type AnswerOutcome = 'approved' | 'rejected' | 'confirmed' | 'flagged' | 'unknown'

export function receiptText(number: number, outcome: AnswerOutcome): string {
  switch (outcome) {
    case 'approved':
      return `[qunguard] 已同意 #${number}，正在执行。`
    case 'rejected':
      return `[qunguard] 已拒绝 #${number}，不处理该成员，规则记录已更新。`
    case 'confirmed':
      return `[qunguard] 已确认 #${number} 处理无误，规则记录已更新。`
    case 'flagged':
      return `[qunguard] 已将 #${number} 记为误判，规则记录已更新（已执行的处理需要时请手动撤销）。`
    case 'unknown':
      return `[qunguard] 没有待处理的审批 #${number}（已处理、已过期或不存在）。`
  }
}

export function stateChangeText(ruleName: string, topic: string, change: StateChange): string {
  return `[qunguard] 群「${topic}」规则「${ruleName}」：${STATE_NAMES[change.from]} → ${STATE_NAMES[change.to]}。${change.why}。`
}

export interface ListedRule {
  readonly ref: string
  readonly name: string
  readonly record: SupervisedRule
}

export interface ListedRoom {
  /** The room's id. */
  readonly room: string
  readonly ref: string
  readonly topic: string
  readonly quiet: boolean
  readonly rules: readonly ListedRule[]
  /** What the owners changed from the chat (keywords, whitelist), in words. */
  readonly chat?: string | undefined
}

/** The rules of an owner's groups with their records, numbered for commands (R1, G1 …). */
export function rulesListText(rooms: readonly ListedRoom[]): string {
  if (!rooms.length) return '[qunguard] 你管理的群里还没有规则。'
  const lines = ['[qunguard] 规则（回复「暂停 R1」「启用 R1」「试运行 R1」「停用 R1」「恢复 R1」）：']
  for (const room of rooms) {
    lines.push(`${room.ref} ${room.topic}${room.quiet ? '（安静模式）' : ''}`)
    if (room.chat) lines.push(`  聊天中设置：${room.chat}`)
    if (!room.rules.length) lines.push('  （无规则）')
    for (const r of room.rules) {
      const x = r.record
      const answered = x.approved + x.rejected
      const p = precisionOf(x)
      const precision = answered ? `，准确率 ${Math.round(p.estimate * 100)}%（下限 ${Math.round(p.lower * 100)}%）` : ''
      lines.push(
        `  ${r.ref} [${stateName(x.state, x.paused)}] ${r.name} — 触发 ${x.fired}，同意 ${x.approved}，拒绝 ${x.rejected}${precision}`,
      )
    }
  }
  return lines.join('\n')
}

export interface DayCounts {
  acted: number
  asked: number
  approved: number
  rejected: number
  expired: number
  changes: string[]
}

/** A room's counts for a day with an addition (a missing day counts from zero). */
export function addedToDay(
  c: DayCounts | undefined,
  add: Partial<Omit<DayCounts, 'changes'>> & { readonly change?: string | undefined },
): DayCounts {
  const was = c ?? { acted: 0, asked: 0, approved: 0, rejected: 0, expired: 0, changes: [] }
  return {
    acted: was.acted + (add.acted ?? 0),
    asked: was.asked + (add.asked ?? 0),
    approved: was.approved + (add.approved ?? 0),
    rejected: was.rejected + (add.rejected ?? 0),
    expired: was.expired + (add.expired ?? 0),
    changes: add.change === undefined ? was.changes : [...was.changes, add.change],
  }
}

export function reportText(day: string, rooms: readonly { topic: string; counts: DayCounts }[]): string {
  const lines = [`[qunguard] ${day} 日报`]
  for (const { topic, counts: c } of rooms) {
    lines.push(`${topic}：自动处理 ${c.acted}，请你审批 ${c.asked}（同意 ${c.approved}，拒绝 ${c.rejected}，超时 ${c.expired}）`)
    for (const change of c.changes) lines.push(`  ${change}`)
  }
  if (rooms.length === 0) lines.push('今天没有需要处理的事。')
  return lines.join('\n')
}
