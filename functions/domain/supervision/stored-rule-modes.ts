/**
 * StoredRuleModes: the Guard's view of supervision where the Supervisor itself does not run (the
 * AWS moderate function): each rule's state and the owners' quiet switches read from the
 * SupervisionStore, a room's rules in one read, cached for `ttlMs` so that a busy function does
 * not read them per message (an owner's answer shows within that time).
 *
 * @example
 *   const guard = new Guard({ store, config, supervision: new StoredRuleModes(approvalStore) })
 */
import type { SupervisionStore } from '../../ports/supervision-store.port.ts'
import type { RuleModes } from '../guard.ts'
import { effectiveMode, type RuleState, type SupervisedRule } from './lifecycle.ts'

export class StoredRuleModes implements RuleModes {
  private readonly rooms = new Map<string, { at: number; rules: Map<string, SupervisedRule> }>()
  private readonly quietness = new Map<string, { at: number; quiet: boolean | undefined }>()

  constructor(
    private readonly store: Pick<SupervisionStore, 'listRules' | 'getRoomOverrides'>,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async modeOf(room: string, rule: string, initial: RuleState): Promise<'active' | 'shadow' | 'off'> {
    let hit = this.rooms.get(room)
    if (!hit || this.now() - hit.at > this.ttlMs) {
      hit = { at: this.now(), rules: new Map((await this.store.listRules(room)).map((r) => [r.rule, r])) }
      this.rooms.set(room, hit)
    }
    return effectiveMode(hit.rules.get(rule), initial)
  }

  async quiet(room: string): Promise<boolean | undefined> {
    let hit = this.quietness.get(room)
    if (!hit || this.now() - hit.at > this.ttlMs) {
      hit = { at: this.now(), quiet: (await this.store.getRoomOverrides(room)).quiet }
      this.quietness.set(room, hit)
    }
    return hit.quiet
  }
}
