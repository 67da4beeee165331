/**
 * A rulebook as owners and operators read it — `qunguard rules`, and the per-room text the AWS
 * learn function leaves next to the rulebook (models/policy/rooms/) for operators to open.
 *
 * @example
 *   formatRules(policy) // '群「亲子群」：…\n  [试运行] 入群不满 1 天的成员发链接 → 移出群聊；…'
 */
import { groupName, withoutEvidence } from '../owner-words.ts'
import { stateName } from '../supervision/texts.ts'
import { count, evidenceWords, FIGURES_LEGEND, knownActionRate, ownerWords, ruleFigures } from './figures.ts'
import type { LearnedPolicy } from './rule-learner.ts'

/**
 * One line a rule, as owners read it: each group by name with what the history says of its owner,
 * each rule's state, name, action and evidence (the figures of figures.ts), then their legend.
 */
export function formatRules(policy: LearnedPolicy): string {
  const lines: string[] = []
  for (const [room, p] of Object.entries(policy.rooms)) {
    const actionRate = knownActionRate(p)
    lines.push(`群「${groupName(p.topic, room)}」：${ownerWords(p, actionRate)}`)
    if (!p.rules.length) lines.push('  （无规则）')
    for (const r of p.rules) {
      const e = r.evidence
      const basis = [
        e.announced ? '群公告写明' : undefined,
        e.preset ? `预设规则（各群合计历史：命中 ${e.matched} 次，群主处理 ${count(e.labelled)} 次）` : undefined,
        e.preset
          ? undefined
          : evidenceWords(ruleFigures({ matched: e.matched, handled: e.labelled, ownerActions: p.ownerActions ?? 1, actionRate })),
      ].filter(Boolean)
      lines.push(`  [${stateName(r.mode)}] ${withoutEvidence(r.sentence)}；${basis.join('；')}`)
    }
  }
  lines.push(...FIGURES_LEGEND)
  return lines.join('\n')
}

/** The S3 key of one room's rulebook text for operators (room ids made safe for a key). */
export function roomRulebookKey(room: string): string {
  return `models/policy/rooms/${room.replace(/[^\w@.-]/g, '_')}.txt`
}
