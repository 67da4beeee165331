/**
 * The rules each room has, for supervision: the config's keyword rules, the learned policy's
 * rules and the ad classifier — with the state each starts in and a short name for owners —
 * and a Supervisor wired to a config.
 *
 * @example
 *   const supervisor = supervisorFor(config, store, { policy, classifier: true })
 */
import type { SupervisionStore } from '../../ports/supervision-store.port.ts'
import { BLACKLIST_RULE_ID, blacklistInitial } from '../blacklist.ts'
import { type Config, groupKey, resolveRoomConfig } from '../config.ts'
import type { LearnedPolicy } from '../learning/rule-learner.ts'
import { ruleName } from '../owner-words.ts'
import { CLASSIFIER_RULE_ID } from '../policy.ts'
import { REPORT_RULE_ID } from '../reports.ts'
import { type RoomDirectory, type RuleInfo, type SupervisionOptions, Supervisor, type SupervisorDeps } from './supervisor.ts'

export interface CatalogueSources {
  readonly policy?: LearnedPolicy | undefined
  /** Whether the ad classifier proposes (it starts in shadow). */
  readonly classifier?: boolean | undefined
  /** The rooms' stored snapshots (the guard store), for a supervisor that does not see the events. */
  readonly rooms?: RoomDirectory | undefined
  /** The guard's decisions and offences (the guard store), for members' appeals. */
  readonly decisions?: SupervisorDeps['decisions']
  /** Members by name (the guard store), for 白名单 G1 小王. */
  readonly members?: SupervisorDeps['members']
  /** The owners' blacklists (the guard store), for 黑名单 / 解除黑名单. */
  readonly blacklist?: SupervisorDeps['blacklist']
  /** Told of every answer and change of a rule's state (metrics). */
  readonly onNote?: SupervisorDeps['onNote']
}

/** The rules of a room. Learned rules are named by their sentence without the evidence. */
export function ruleCatalogue(config: Config, sources: CatalogueSources = {}): (room: string, topic?: string) => RuleInfo[] {
  const cache = new Map<string, RuleInfo[]>()
  return (room, topic) => {
    const key = groupKey(config, room, topic)
    let rules = cache.get(`${room}\u0000${key}`)
    if (rules) return rules
    const cfg = resolveRoomConfig(config, key)
    rules = [
      ...cfg.rules.map((r) => ({ id: r.id, initial: r.mode, name: ruleName(r.id, { reason: r.reason }) })),
      ...(sources.policy?.rooms[room]?.rules ?? []).map((r) => ({
        id: r.id,
        initial: r.mode,
        name: ruleName(r.id, { sentence: r.sentence }),
      })),
      ...(sources.classifier ? [{ id: CLASSIFIER_RULE_ID, initial: 'shadow' as const, name: ruleName(CLASSIFIER_RULE_ID) }] : []),
      ...(cfg.reports.enabled ? [{ id: REPORT_RULE_ID, initial: 'shadow' as const, name: ruleName(REPORT_RULE_ID) }] : []),
      ...(cfg.blacklist.action === 'off'
        ? []
        : [{ id: BLACKLIST_RULE_ID, initial: blacklistInitial(cfg), name: ruleName(BLACKLIST_RULE_ID) }]),
    ]
    cache.set(`${room}\u0000${key}`, rules)
    return rules
  }
}

/** Supervision options from the config's `supervision` section. */
export function supervisionOptions(config: Config): Partial<SupervisionOptions> {
  const s = config.supervision
  return {
    expiryHours: s.expiryHours,
    maxPerHour: s.maxPerHour,
    digestMinutes: s.digestMinutes,
    dailyBudget: s.dailyBudget,
    reportHour: s.reportHour ?? undefined,
    utcOffsetMinutes: s.utcOffsetMinutes,
    reviewActive: s.reviewActive,
    lifecycle: {
      promoteApprovals: s.promote.approvals,
      promoteLowerBound: s.promote.lowerBound,
      confidence: s.promote.confidence,
      demoteRejections: s.demote.rejections,
      window: s.demote.window,
    },
  }
}

/** A Supervisor for a config: its rules, its staff (owner, admins) and its supervision settings. */
export function supervisorFor(config: Config, store: SupervisionStore, sources: CatalogueSources = {}): Supervisor {
  return new Supervisor({
    store,
    rulesOf: ruleCatalogue(config, sources),
    configStaff: (room, topic) => {
      const cfg = resolveRoomConfig(config, groupKey(config, room, topic))
      return { owner: cfg.owner, admins: cfg.admins }
    },
    configRooms: Object.keys(config.groups).filter((g) => g !== '*'),
    rooms: sources.rooms,
    blacklist: sources.blacklist,
    members: sources.members,
    decisions: sources.decisions,
    options: supervisionOptions(config),
    onNote: sources.onNote,
  })
}
