/**
 * A keyword rule (the config's, or the keywords an owner added in the chat) backtested on a
 * history like a learned rule (backtest.ts): how often it would have fired on members' messages,
 * how often the owner had acted on the same message (the weak labels), and the messages it would
 * have acted on that the owner left alone, with the same figures (figures.ts).
 *
 * @example
 *   keywordBacktest(events, rule, cfg, { examples: 20 }).falsePositives // what it would have caught that the owner let pass
 */
import type { KeywordRule, RoomConfig } from '../config.ts'
import type { GroupEvent } from '../events.ts'
import { ruleName, typeName } from '../owner-words.ts'
import { CompiledRules, findViolation } from '../policy.ts'
import type { BacktestExample, RuleBacktest } from './backtest.ts'
import { ruleFigures } from './figures.ts'
import { extractWeakLabels } from './weak-labels.ts'

export function keywordBacktest(
  events: readonly GroupEvent[],
  rule: KeywordRule,
  cfg: RoomConfig,
  o: { readonly examples?: number; readonly actionRate?: number | undefined } = {},
): RuleBacktest {
  const labels = extractWeakLabels(events)
  const compiled = new CompiledRules([rule])
  // The rule alone, whatever else the room switches on: no privacy or picture checks, judged as if active.
  const alone: RoomConfig = {
    ...cfg,
    mode: 'active',
    privacy: { ...cfg.privacy, action: 'off' },
    pictures: { ...cfg.pictures, nsfw: 'off' },
  }
  const keep = o.examples ?? 3
  const bots: string[] = []
  const staff = new Map<string, { owner?: string | undefined; admins: readonly string[] }>()
  const joined = new Map<string, string>()
  let fired = 0
  let agreed = 0
  let ownerActions = 0
  let notHandled = 0
  const examples: BacktestExample[] = []
  for (const e of events) {
    if (e.kind === 'account') bots.push(e.self)
    else if (e.kind === 'room') staff.set(e.room, { owner: e.owner, admins: e.admins })
    else if (e.kind === 'join') for (const m of e.members) joined.set(`${e.room}\u0000${m}`, e.ts)
    if (e.kind !== 'message') continue
    const room = staff.get(e.room)
    const ctx = { bots, owner: room?.owner, admins: room?.admins ?? [], joinedAt: joined.get(`${e.room}\u0000${e.sender}`) }
    const weight = labels.get(e.id)?.weight ?? 0
    ownerActions += weight
    const v = findViolation(e, alone, compiled, ctx, {}, undefined, (id) => id === rule.id)
    if (v?.rule.id !== rule.id) continue
    fired++
    agreed += weight
    if (weight > 0) continue
    notHandled++
    if (examples.length < keep)
      examples.push({ event: e.id, sender: e.sender, senderName: e.senderName, text: e.text ?? `[${typeName(e.type)}]` })
  }
  return {
    id: rule.id,
    mode: rule.mode === 'shadow' ? 'shadow' : 'active',
    sentence: rule.reason ?? ruleName(rule.id),
    fired,
    agreed,
    figures: ruleFigures({ matched: fired, handled: agreed, ownerActions, actionRate: o.actionRate }),
    falsePositives: examples,
    falsePositiveCount: notHandled,
  }
}
