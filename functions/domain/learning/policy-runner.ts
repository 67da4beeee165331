/**
 * Applies a learned policy to a time-ordered stream of events: for each member's message, the
 * first rule of its room that matches (most precise first) gives one decision. Shadow rules
 * propose (`ask-owner`, mode shadow); active rules act. The Guard uses `match` to let learned
 * rules judge what the keyword rules let pass; `observe` gives the decision line directly.
 *
 * @example
 *   const runner = new PolicyRunner(policy)
 *   for (const e of events) for (const d of runner.observe(e)) write(d)
 */
import { type Decision, type GroupEvent, type MessageEvent, toMillis } from '../events.ts'
import { type FeatureOptions, FeatureTracker, type MessageFacts, RECENT_MS } from './features.ts'
import { OffenderMemory } from './offenders.ts'
import type { LearnedPolicy } from './rule-learner.ts'
import { type LearnedRule, matches, needsScore, TEXT_TYPES } from './rules.ts'

/** The first of the message's room's rules its facts meet (rules are kept most precise first). */
export function firstRule(policy: LearnedPolicy, f: MessageFacts): LearnedRule | undefined {
  const rules = policy.rooms[f.room]?.rules ?? []
  if (!rules.length) return undefined
  // Score the text only when this room has a rule that needs it (the classifier is the costly part).
  const classifier = policy.classifier
  const score = classifier && TEXT_TYPES.has(f.type) && f.text && rules.some(needsScore) ? classifier.score(f.text, f.room) : undefined
  return rules.find((r) => matches(r, f, score))
}

export class PolicyRunner {
  private readonly tracker: FeatureTracker
  private qrNow: boolean | undefined
  /** Members the rules caught, for the `offender` rules. */
  private readonly offenders: OffenderMemory

  constructor(
    readonly policy: LearnedPolicy,
    options: FeatureOptions = {},
  ) {
    // The rooms' rhythms from the history, so quiet hours hold from the first message.
    const rhythms: Record<string, readonly number[]> = {}
    for (const [room, p] of Object.entries(policy.rooms)) if (p.rhythm) rhythms[room] = p.rhythm
    this.tracker = new FeatureTracker({ rhythms, ...options, qr: (m) => this.qrNow ?? options.qr?.(m) })
    this.offenders = new OffenderMemory(options.recentMs ?? RECENT_MS)
  }

  /**
   * Takes the next event (every kind: joins and room snapshots matter) and, for a member's
   * message, returns the first of its room's rules it meets. `qr`: whether its picture holds a
   * QR code, when the caller knows.
   */
  match(e: GroupEvent, qr?: boolean): { rule: LearnedRule; facts: MessageFacts } | undefined {
    this.qrNow = qr
    const observed = this.tracker.observe(e)
    this.qrNow = undefined
    if (!observed || observed.staff) return undefined
    const f = this.offenders.mark(observed)
    const rule = firstRule(this.policy, f)
    if (!rule) return undefined
    this.offenders.note(f)
    return { rule, facts: f }
  }

  /**
   * Another of the room's rules (a keyword rule of the config) caught this message: it counts
   * towards a second offence as a learned rule's catch does.
   */
  caught(msg: MessageEvent): void {
    this.offenders.note({ room: msg.room, sender: msg.sender, ms: toMillis(msg.ts) })
  }

  observe(e: GroupEvent): Decision[] {
    const hit = this.match(e)
    if (!hit) return []
    const { rule, facts: f } = hit
    return [
      {
        event: f.id,
        room: f.room,
        target: f.sender,
        action: rule.mode === 'shadow' ? 'ask-owner' : rule.action,
        mode: rule.mode,
        rule: rule.id,
        score: Math.round(rule.evidence.precision * 1000) / 1000,
        reason: rule.sentence,
      },
    ]
  }
}
