/**
 * A rule's life under the owner's supervision: `shadow` (it only proposes, the owner approves
 * or rejects), `active` (it acts on its own, the owner can still mark a decision wrong) or
 * `retired` (it does nothing). Any rule can also be paused by the owner (it does nothing until
 * resumed, and keeps its state).
 *
 * Promotion and demotion follow the rule's record (defaults, all configurable):
 *   shadow → active  once it has ≥ 5 approvals and the 90% Wilson lower bound of its precision
 *                    (approved / answered) is ≥ 0.6 — five approvals in a row suffice, after a
 *                    rejection it takes more;
 *   active → shadow  after 2 rejections among its last 10 decisions.
 * The owner can promote, retire, pause and resume by command. Every change of state is kept in
 * the record with when and why, and told to the owner.
 *
 * Pure functions; the Supervisor stores the records.
 *
 * @example
 *   const { rule, change } = recordAnswer(rule, decisionId, 'approved', at, DEFAULT_LIFECYCLE)
 */

import { wilsonLowerBound } from '../wilson.ts'

export type RuleState = 'shadow' | 'active' | 'retired'
export const RULE_STATES: readonly RuleState[] = ['shadow', 'active', 'retired']

export type DecisionOutcome = 'pending' | 'approved' | 'rejected' | 'expired'

export interface StateChange {
  readonly at: string
  readonly from: RuleState
  readonly to: RuleState
  /** Why, in words for the owner. */
  readonly why: string
  /** `record`: by the promotion/demotion rules; `owner`: by the owner's command. */
  readonly by: 'record' | 'owner'
}

export interface SupervisedRule {
  readonly room: string
  readonly rule: string
  readonly state: RuleState
  readonly paused: boolean
  /** Decisions it made (shadow proposals and active actions). */
  readonly fired: number
  readonly approved: number
  readonly rejected: number
  readonly expired: number
  /** Its latest decisions, newest last (at most `window`), with how the owner answered. */
  readonly recent: readonly { readonly decisionId: number; readonly outcome: DecisionOutcome }[]
  /** Changes of state, oldest first (the latest 20). */
  readonly changes: readonly StateChange[]
  /**
   * How many times the record was saved (absent: never, or before versions were kept). A save
   * of a copy read before someone else's save fails (`RuleConflictError`) rather than lose theirs.
   */
  readonly version?: number | undefined
}

export interface LifecyclePolicy {
  /** Approvals a shadow rule needs before it may act alone. @default 5 */
  readonly promoteApprovals: number
  /** Least lower confidence bound of its precision. @default 0.6 */
  readonly promoteLowerBound: number
  /** Confidence of that bound. @default 0.9 */
  readonly confidence: number
  /** Rejections among its last `window` decisions that send an active rule back to shadow. @default 2 */
  readonly demoteRejections: number
  /** @default 10 */
  readonly window: number
}

export const DEFAULT_LIFECYCLE: LifecyclePolicy = {
  promoteApprovals: 5,
  promoteLowerBound: 0.6,
  confidence: 0.9,
  demoteRejections: 2,
  window: 10,
}

const MAX_CHANGES = 20

/** Precision as the owner's answers show it: the share approved, and its lower bound. */
export function precisionOf(rule: SupervisedRule, confidence = DEFAULT_LIFECYCLE.confidence): { estimate: number; lower: number } {
  const answered = rule.approved + rule.rejected
  return { estimate: answered ? rule.approved / answered : 0, lower: wilsonLowerBound(rule.approved, answered, confidence) }
}

export function newRule(room: string, rule: string, state: RuleState): SupervisedRule {
  return { room, rule, state, paused: false, fired: 0, approved: 0, rejected: 0, expired: 0, recent: [], changes: [] }
}

function withChange(rule: SupervisedRule, to: RuleState, at: string, why: string, by: StateChange['by']): SupervisedRule {
  const change: StateChange = { at, from: rule.state, to, why, by }
  return { ...rule, state: to, changes: [...rule.changes, change].slice(-MAX_CHANGES) }
}

/** A decision the rule made (proposed in shadow, or carried out when active). */
export function recordFired(rule: SupervisedRule, decisionId: number, policy: LifecyclePolicy = DEFAULT_LIFECYCLE): SupervisedRule {
  if (rule.recent.some((r) => r.decisionId === decisionId)) return rule
  return { ...rule, fired: rule.fired + 1, recent: [...rule.recent, { decisionId, outcome: 'pending' as const }].slice(-policy.window) }
}

/**
 * The owner's answer about one of the rule's decisions (or its expiry), and any change of state
 * it brings about.
 */
export function recordAnswer(
  rule: SupervisedRule,
  decisionId: number,
  outcome: Exclude<DecisionOutcome, 'pending'>,
  at: string,
  policy: LifecyclePolicy = DEFAULT_LIFECYCLE,
): { rule: SupervisedRule; change?: StateChange | undefined } {
  const recent = rule.recent.map((r) => (r.decisionId === decisionId ? { decisionId, outcome } : r))
  let next: SupervisedRule = { ...rule, [outcome]: rule[outcome] + 1, recent }
  const answered = next.approved + next.rejected
  if (next.state === 'shadow' && outcome === 'approved') {
    const lower = wilsonLowerBound(next.approved, answered, policy.confidence)
    if (next.approved >= policy.promoteApprovals && lower >= policy.promoteLowerBound) {
      next = withChange(
        next,
        'active',
        at,
        `群主同意了 ${next.approved}/${answered} 次（准确率下限 ${Math.round(lower * 100)}%），转为自动执行`,
        'record',
      )
    }
  } else if (next.state === 'active' && outcome === 'rejected') {
    const rejections = recent.filter((r) => r.outcome === 'rejected').length
    if (rejections >= policy.demoteRejections) {
      next = withChange(next, 'shadow', at, `最近 ${recent.length} 次处理中有 ${rejections} 次被群主判为误判，退回试运行`, 'record')
    }
  }
  const change = next.state !== rule.state ? next.changes.at(-1) : undefined
  return { rule: next, change }
}

/**
 * The owner marks one of the rule's decisions wrong after the fact (误判 D12: no request was open
 * for it any more, or never was): counted as a rejection, as N<n> would have been — an approval
 * given earlier is taken back, an expiry becomes the answer; marked wrong twice counts once.
 */
export function recordCorrection(
  rule: SupervisedRule,
  decisionId: number,
  at: string,
  policy: LifecyclePolicy = DEFAULT_LIFECYCLE,
): { rule: SupervisedRule; change?: StateChange | undefined; already: boolean } {
  const was = rule.recent.find((r) => r.decisionId === decisionId)?.outcome
  if (was === 'rejected') return { rule, already: true }
  const base: SupervisedRule =
    was === 'approved'
      ? { ...rule, approved: Math.max(0, rule.approved - 1) }
      : was === 'expired'
        ? { ...rule, expired: Math.max(0, rule.expired - 1) }
        : rule
  return { ...recordAnswer(base, decisionId, 'rejected', at, policy), already: false }
}

export type OwnerRuleCommand = 'promote' | 'retire' | 'pause' | 'resume' | 'shadow'

/** The owner's command on a rule. Returns the rule unchanged when there is nothing to do. */
export function applyOwnerCommand(
  rule: SupervisedRule,
  command: OwnerRuleCommand,
  at: string,
): { rule: SupervisedRule; change?: StateChange | undefined } {
  switch (command) {
    case 'pause':
      return { rule: { ...rule, paused: true } }
    case 'resume':
      return { rule: { ...rule, paused: false } }
    case 'promote':
    case 'retire':
    case 'shadow': {
      const to: RuleState = command === 'promote' ? 'active' : command === 'retire' ? 'retired' : 'shadow'
      if (rule.state === to) return { rule }
      const why = { active: '群主手动启用', retired: '群主停用', shadow: '群主改为试运行' }[to]
      const next = withChange(rule, to, at, why, 'owner')
      return { rule: next, change: next.changes.at(-1) }
    }
  }
}

/** Whether the rule may decide anything now, and how. */
export function effectiveMode(rule: SupervisedRule | undefined, initial: RuleState): 'active' | 'shadow' | 'off' {
  const state = rule?.state ?? initial
  if (rule?.paused || state === 'retired') return 'off'
  return state
}
