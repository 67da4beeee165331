/**
 * StoredRuleModes: the Guard's view of supervision where the Supervisor itself does not run (the
 * AWS moderate function): each rule's state and what owners switched from the chat (quiet mode,
 * keywords added, members whitelisted) read from the
 * SupervisionStore, a room's rules in one read, cached for `ttlMs` so that a busy function does
 * not read them per message (an owner's answer shows within that time).
 *
 * @example
 *   const guard = new Guard({ store, config, supervision: new StoredRuleModes(approvalStore) })
 */
import type { RoomOverrides, SupervisionStore } from '../../ports/supervision-store.port.ts'
import type { RuleModes } from '../guard.ts'
import { effectiveMode, type RuleState, type SupervisedRule } from './lifecycle.ts'

export class StoredRuleModes implements RuleModes {
  private readonly rooms = new Map<string, { at: number; rules: Map<string, SupervisedRule> }>()
  private readonly switches = new Map<string, { at: number; overrides: RoomOverrides }>()

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
    return (await this.overrides(room)).quiet
  }

  async overrides(room: string): Promise<RoomOverrides> {
    let hit = this.switches.get(room)
    if (!hit || this.now() - hit.at > this.ttlMs) {
      hit = { at: this.now(), overrides: await this.store.getRoomOverrides(room) }
      this.switches.set(room, hit)
    }
    return hit.overrides
  }
}
