/**
 * The figures owners read about a rule, one definition each, for `qunguard rules` (the evidence
 * a rule was learned from) and `qunguard backtest` (what it would have done on a history):
 *
 * - 命中 (matched): members' messages the rule's condition matches (staff are never counted).
 * - 群主处理 (handled): of those, the ones the owner acted on — removed the member, warned them
 *   (an @-mention naming them), or recalled the message; a member's own quick recall counts half
 *   (weak labels, weak-labels.ts).
 * - 处理率 (handled share): handled / matched.
 * - 出手率 (action rate): how often this owner acts on a clear violation at all, estimated per
 *   group from the conditions the owner plainly enforces (rule-learner.ts). Owners let many
 *   violations pass, so the handled share understates how often a rule is right.
 * - 估计准确率 (estimated accuracy): the handled share over the action rate, at most 100% — the
 *   share of the rule's hits that are violations by this owner's standard.
 * - 群主未处理 (not handled): matched − handled. Not all are mistakes: about
 *   matched × (1 − accuracy) of them are (估计误判).
 *
 * A history in which the owner acted on nothing tells nothing about what the owner minds: every
 * figure above but 命中 then reads 无法估计 (cannot be estimated), never "0%".
 *
 * @example
 *   const f = ruleFigures({ matched: 41, handled: 25, ownerActions: 60, actionRate: 0.55 })
 *   evidenceWords(f) // "命中 41 次，群主处理 25 次（处理率 61%），估计准确率 100%"
 */

/** What a rule's figures are computed from. */
export interface FigureInputs {
  readonly matched: number
  /** Weighted: a weak label counts its weight. */
  readonly handled: number
  /** Messages in the group's history the owner acted on at all (weighted); 0: nothing can be estimated. */
  readonly ownerActions: number
  /** The owner's action rate, undefined when it could not be estimated. */
  readonly actionRate: number | undefined
}

export interface RuleFigures {
  readonly matched: number
  readonly handled: number
  /** handled / matched; undefined when nothing matched or the owner acted on nothing. */
  readonly handledShare: number | undefined
  /** handledShare / actionRate, at most 1; undefined when either is unknown. */
  readonly accuracy: number | undefined
  /** matched − handled. */
  readonly notHandled: number
  /** About how many of the matches were mistakes: matched × (1 − accuracy); undefined with the accuracy. */
  readonly estimatedMistakes: number | undefined
}

export function ruleFigures(x: FigureInputs): RuleFigures {
  const handledShare = x.ownerActions > 0 && x.matched > 0 ? x.handled / x.matched : undefined
  const accuracy =
    handledShare !== undefined && x.actionRate !== undefined && x.actionRate > 0 ? Math.min(1, handledShare / x.actionRate) : undefined
  return {
    matched: x.matched,
    handled: x.handled,
    handledShare,
    accuracy,
    notHandled: Math.max(0, x.matched - x.handled),
    estimatedMistakes: accuracy === undefined ? undefined : Math.round(x.matched * (1 - accuracy)),
  }
}

/** The owner's action rate as owners read it, or undefined when the history cannot tell it. */
export function knownActionRate(room: {
  readonly actionRate: number
  readonly actionRateEstimated?: boolean | undefined
  readonly ownerActions?: number | undefined
}): number | undefined {
  if (room.ownerActions === 0 || room.actionRateEstimated === false) return undefined
  return room.actionRate
}

export const UNKNOWN = '无法估计'

/** A share as a percentage, or 无法估计. */
export const percent = (x: number | undefined): string => (x === undefined ? UNKNOWN : `${Math.round(x * 100)}%`)

/** A weighted count: whole, or with one decimal when a half-weight label makes it fractional. */
export const count = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(1))

/** A rule's figures in one phrase: "命中 41 次，群主处理 25 次（处理率 61%），估计准确率 100%". */
export function evidenceWords(f: RuleFigures): string {
  if (f.matched === 0) return '历史中没有命中'
  return `命中 ${f.matched} 次，群主处理 ${count(f.handled)} 次（处理率 ${percent(f.handledShare)}），估计准确率 ${percent(f.accuracy)}`
}

/** The group's line about the owner: "群主出手率约 55%（群主处理过 60 条消息）". */
export function ownerWords(room: { readonly ownerActions?: number | undefined }, actionRate: number | undefined): string {
  if (room.ownerActions === 0) return '历史中群主没有处理过任何消息：处理率、出手率和准确率都无法估计'
  const handled = room.ownerActions === undefined ? '' : `（群主处理过 ${count(room.ownerActions)} 条消息）`
  if (actionRate === undefined)
    return `群主对明显违规的出手率${UNKNOWN}${handled}：没有命中 10 次以上、群主明显在管的情况，准确率也${UNKNOWN}`
  return `群主对明显违规的出手率约 ${percent(actionRate)}${handled}`
}

/** The short legend printed under `rules` and `backtest`. */
export const FIGURES_LEGEND: readonly string[] = [
  '说明：',
  '  命中 = 规则条件命中的成员消息数（群主、管理员不算）',
  '  群主处理 = 其中群主移出、警告或撤回过的（成员自己撤回算半次）；处理率 = 群主处理 ÷ 命中',
  '  出手率 = 群主对明显违规出手的比例（群主常常放过一部分违规），从群主明显在管的情况估计',
  '  估计准确率 = 处理率 ÷ 出手率（最高 100%），即命中中真正违规的估计比例',
  '  群主未处理 = 命中 − 群主处理，其中约 命中 ×（1 − 估计准确率）条是误判',
  `  历史中群主没有处理过任何消息时，这些比例${UNKNOWN}`,
]
