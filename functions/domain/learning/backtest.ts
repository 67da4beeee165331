/**
 * Backtest: what each rule of a policy would have done on a past history, against what the
 * owner actually did there (the weak labels: removals, warnings, recalls) — before the rule is
 * switched on. Per rule: how often it would have fired, how often the owner had acted on the
 * same message (agreement; also the share of the owner's actions in the room it would have
 * caught), and the would-be false positives with examples.
 *
 * Each rule is judged on its own (not only where it would be the first to match), so a rule
 * that a broader one hides still gets its record. Judged on the history it was learned from,
 * the figures flatter it: use a later period.
 *
 * @example
 *   const report = backtest(events, policy)
 *   report.rooms['r1@chatroom'].rules[0] // { id, fired: 12, agreed: 11, falsePositives: [...] }
 */
import type { GroupEvent } from '../events.ts'
import { type FeatureOptions, FeatureTracker, RECENT_MS } from './features.ts'
import { OffenderMemory } from './offenders.ts'
import type { LearnedPolicy } from './rule-learner.ts'
import { matches, needsScore, TEXT_TYPES } from './rules.ts'
import { extractWeakLabels, type WeakLabelOptions } from './weak-labels.ts'

export interface BacktestExample {
  readonly event: string
  readonly sender: string
  readonly text: string
}

export interface RuleBacktest {
  readonly id: string
  readonly mode: 'shadow' | 'active'
  readonly sentence: string
  /** Members' messages it would have acted on. */
  readonly fired: number
  /** Of those, how many the owner had acted on too. */
  readonly agreed: number
  /** agreed / fired (0 when it never fired). */
  readonly agreement: number
  /** Would-be false positives (the owner did nothing), up to `examples` of them. */
  readonly falsePositives: readonly BacktestExample[]
  readonly falsePositiveCount: number
}

export interface BacktestReport {
  readonly rooms: Readonly<
    Record<string, { readonly ownerActions: number; readonly messages: number; readonly rules: readonly RuleBacktest[] }>
  >
}

export interface BacktestOptions extends WeakLabelOptions, FeatureOptions {
  /** Would-be false positives to show per rule. @default 3 */
  readonly examples?: number
}

export function backtest(events: readonly GroupEvent[], policy: LearnedPolicy, options: BacktestOptions = {}): BacktestReport {
  const labels = extractWeakLabels(events, options)
  const tracker = new FeatureTracker(options)
  const keep = options.examples ?? 3
  type Tally = { fired: number; agreed: number; fp: number; examples: BacktestExample[] }
  const tallies = new Map<string, Tally>()
  const rooms = new Map<string, { ownerActions: number; messages: number }>()
  // Second offences: members one of the room's rules caught before (as PolicyRunner keeps them).
  const offenders = new OffenderMemory(options.recentMs ?? RECENT_MS)
  for (const e of events) {
    const observed = tracker.observe(e)
    if (!observed || observed.staff) continue
    const f = offenders.mark(observed)
    const room = rooms.get(f.room) ?? { ownerActions: 0, messages: 0 }
    rooms.set(f.room, room)
    room.messages++
    const acted = labels.has(f.id)
    if (acted) room.ownerActions++
    const rules = policy.rooms[f.room]?.rules ?? []
    if (!rules.length) continue
    const classifier = policy.classifier
    const score = classifier && TEXT_TYPES.has(f.type) && f.text && rules.some(needsScore) ? classifier.score(f.text) : undefined
    let caught = false
    for (const rule of rules) {
      if (!matches(rule, f, score)) continue
      caught = true
      const key = `${f.room}\n${rule.id}`
      const t = tallies.get(key) ?? { fired: 0, agreed: 0, fp: 0, examples: [] }
      tallies.set(key, t)
      t.fired++
      if (acted) t.agreed++
      else {
        t.fp++
        if (t.examples.length < keep) t.examples.push({ event: f.id, sender: f.sender, text: f.text ? f.text.slice(0, 80) : `[${f.type}]` })
      }
    }
    if (caught) offenders.note(f)
  }
  const out: Record<string, { ownerActions: number; messages: number; rules: RuleBacktest[] }> = {}
  for (const [room, p] of Object.entries(policy.rooms)) {
    const r = rooms.get(room) ?? { ownerActions: 0, messages: 0 }
    out[room] = {
      ...r,
      rules: p.rules.map((rule) => {
        const t = tallies.get(`${room}\n${rule.id}`) ?? { fired: 0, agreed: 0, fp: 0, examples: [] }
        return {
          id: rule.id,
          mode: rule.mode,
          sentence: rule.sentence,
          fired: t.fired,
          agreed: t.agreed,
          agreement: t.fired ? t.agreed / t.fired : 0,
          falsePositives: t.examples,
          falsePositiveCount: t.fp,
        }
      }),
    }
  }
  return { rooms: out }
}
