/**
 * Backtest: what each rule of a policy would have done on a past history, against what the
 * owner actually did there (the weak labels: removals, warnings, recalls) — before the rule is
 * switched on. Per rule: how often it would have fired, how often the owner had acted on the
 * same message, and the figures of figures.ts on those (the same definitions `rules` uses):
 * handled share, estimated accuracy (with the policy's action rate for the group), messages
 * the owner left alone with examples.
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
import { typeName } from '../owner-words.ts'
import { type FeatureOptions, FeatureTracker, RECENT_MS } from './features.ts'
import { knownActionRate, type RuleFigures, ruleFigures } from './figures.ts'
import { OffenderMemory } from './offenders.ts'
import type { LearnedPolicy } from './rule-learner.ts'
import { matches, needsScore, TEXT_TYPES } from './rules.ts'
import { extractWeakLabels, type WeakLabelOptions } from './weak-labels.ts'

export interface BacktestExample {
  readonly event: string
  readonly sender: string
  /** The member's nickname in the history, when it gives one. */
  readonly senderName?: string | undefined
  readonly text: string
}

export interface RuleBacktest {
  readonly id: string
  readonly mode: 'shadow' | 'active'
  readonly sentence: string
  /** Members' messages it would have acted on. */
  readonly fired: number
  /** Of those, how many the owner had acted on too (weighted as figures.ts defines 群主处理). */
  readonly agreed: number
  /** The figures owners read (figures.ts): handled share, estimated accuracy, not handled. */
  readonly figures: RuleFigures
  /** Messages it would have acted on that the owner left alone, up to `examples` of them. */
  readonly falsePositives: readonly BacktestExample[]
  /** How many messages it would have acted on the owner left alone (not all mistakes: see figures). */
  readonly falsePositiveCount: number
}

export interface BacktestReport {
  readonly rooms: Readonly<
    Record<
      string,
      {
        readonly ownerActions: number
        readonly messages: number
        /** The group's name in the history. */
        readonly topic?: string | undefined
        /** The owner's action rate the policy learned for the group; undefined when unknown. */
        readonly actionRate: number | undefined
        readonly rules: readonly RuleBacktest[]
      }
    >
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
  const topics = new Map<string, string>()
  const names = new Map<string, string>() // members' nicknames, for the examples
  for (const e of events) {
    if (e.kind === 'room' && e.topic) topics.set(e.room, e.topic)
    if (e.kind === 'message' && e.senderName) names.set(e.sender, e.senderName)
    if ((e.kind === 'room' || e.kind === 'join') && e.names) for (const [id, name] of Object.entries(e.names)) names.set(id, name)
    const observed = tracker.observe(e)
    if (!observed || observed.staff) continue
    const f = offenders.mark(observed)
    const room = rooms.get(f.room) ?? { ownerActions: 0, messages: 0 }
    rooms.set(f.room, room)
    room.messages++
    const weight = labels.get(f.id)?.weight ?? 0
    const acted = weight > 0
    room.ownerActions += weight
    const rules = policy.rooms[f.room]?.rules ?? []
    if (!rules.length) continue
    const classifier = policy.classifier
    const score = classifier && TEXT_TYPES.has(f.type) && f.text && rules.some(needsScore) ? classifier.score(f.text, f.room) : undefined
    let caught = false
    for (const rule of rules) {
      if (!matches(rule, f, score)) continue
      caught = true
      const key = `${f.room}\n${rule.id}`
      const t = tallies.get(key) ?? { fired: 0, agreed: 0, fp: 0, examples: [] }
      tallies.set(key, t)
      t.fired++
      if (acted) t.agreed += weight
      else {
        t.fp++
        if (t.examples.length < keep) {
          const senderName = names.get(f.sender)
          t.examples.push({
            event: f.id,
            sender: f.sender,
            ...(senderName ? { senderName } : {}),
            text: f.text ? f.text.slice(0, 80) : `[${typeName(f.type)}]`,
          })
        }
      }
    }
    if (caught) offenders.note(f)
  }
  const out: Record<string, BacktestReport['rooms'][string]> = {}
  for (const [room, p] of Object.entries(policy.rooms)) {
    const r = rooms.get(room) ?? { ownerActions: 0, messages: 0 }
    const actionRate = knownActionRate(p)
    const topic = topics.get(room) ?? p.topic
    out[room] = {
      ...r,
      ...(topic ? { topic } : {}),
      actionRate,
      rules: p.rules.map((rule) => {
        const t = tallies.get(`${room}\n${rule.id}`) ?? { fired: 0, agreed: 0, fp: 0, examples: [] }
        return {
          id: rule.id,
          mode: rule.mode,
          sentence: rule.sentence,
          fired: t.fired,
          agreed: t.agreed,
          figures: ruleFigures({ matched: t.fired, handled: t.agreed, ownerActions: r.ownerActions, actionRate }),
          falsePositives: t.examples,
          falsePositiveCount: t.fp,
        }
      }),
    }
  }
  return { rooms: out }
}
