/**
 * Applies a learned policy to a time-ordered stream of events: for each member's message, the
 * first rule of its room that matches (most precise first) gives one decision. Shadow rules
 * propose (`ask-owner`, mode shadow); active rules act.
 *
 * @example
 *   const runner = new PolicyRunner(policy)
 *   for (const e of events) for (const d of runner.observe(e)) write(d)
 */
import type { Decision, GroupEvent } from '../events.ts'
import { type FeatureOptions, FeatureTracker } from './features.ts'
import type { LearnedPolicy } from './rule-learner.ts'
import { matches, needsScore, TEXT_TYPES } from './rules.ts'

export class PolicyRunner {
  private readonly tracker: FeatureTracker

  constructor(
    private readonly policy: LearnedPolicy,
    options: FeatureOptions = {},
  ) {
    this.tracker = new FeatureTracker(options)
  }

  observe(e: GroupEvent): Decision[] {
    const f = this.tracker.observe(e)
    if (!f || f.staff) return []
    const rules = this.policy.rooms[f.room]?.rules ?? []
    if (!rules.length) return []
    // Score the text only when this room has a rule that needs it (the classifier is the costly part).
    const classifier = this.policy.classifier
    const score = classifier && TEXT_TYPES.has(f.type) && f.text && rules.some(needsScore) ? classifier.score(f.text) : undefined
    const rule = rules.find((r) => matches(r, f, score))
    if (!rule) return []
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
