/**
 * Guard: the pipeline for one event — validate, store, judge, and (optionally) act.
 *
 * It talks to the world only through ports: a GuardStore for state and an optional
 * ActionExecutor for carrying decisions out. The same Guard runs behind Wechaty (embedded),
 * in `qunguard replay` (no executor: decisions only) and in the Lambda handlers.
 *
 * One room's events must be handed to `handle` one at a time, in order (the room queue does
 * that); events of different rooms may be handled concurrently.
 *
 * @example
 *   const guard = new Guard({ store, config, executor })
 *   const outcome = await guard.handle(rawEventFromAnywhere)
 */
import type { ActionExecutor, ActionOutcome, ActionRequest } from '../ports/action-executor.port.ts'
import type { FactsStore } from '../ports/facts-store.port.ts'
import type {
  About,
  BlacklistEntry,
  Cleanup,
  DecisionToStore,
  GuardStore,
  MemberRecord,
  OffenceRecord,
  PendingVerification,
  RecallItem,
  RoomRecord,
} from '../ports/guard-store.port.ts'
import { BLACKLIST_RULE_ID, blacklistInitial, blacklistReason, listsFor, readsListOf } from './blacklist.ts'
import { CLEANUP_MAX, CLEANUP_RULE_ID, cleanupLine, cleanupText } from './cleanup.ts'
import type { Config, KeywordRule, RoomConfig } from './config.ts'
import { groupKey, resolveRoomConfig } from './config.ts'
import type { Decision, GroupEvent, MessageEvent } from './events.ts'
import { parseEvent, toMillis } from './events.ts'
import { announcedRules, groupRulesText, isRulesRequest, welcomeText } from './group-rules.ts'
import type { LearnedPolicy } from './learning/rule-learner.ts'
import type { LearnedRule } from './learning/rules.ts'
import { type SenderInfo, StoredPolicyRunner } from './learning/stored-policy-runner.ts'
import { floodWindowS, LOCKABLE, type Lockable, limitBroken } from './limits.ts'
import { groupName, memberName, ruleName, withoutEvidence } from './owner-words.ts'
import {
  CLASSIFIER_RULE_ID,
  type ClassifierRuleOptions,
  CompiledRules,
  decide,
  findViolation,
  isProtected,
  type MessageFeatures,
  NSFW_RULE_ID,
  ownerAlertText,
  PRIVACY_RULE_ID,
  type SenderContext,
  type Violation,
  warningText,
} from './policy.ts'
import { maskEvent, maskPii } from './privacy.ts'
import { type ParsedReport, parseReport, REPORT_RULE_ID } from './reports.ts'
import type { RuleState } from './supervision/lifecycle.ts'
import {
  challengeText,
  expectedAnswers,
  heldBack,
  heldBackReason,
  passedText,
  passes,
  timedOutWhat,
  VERIFICATION_RULE_ID,
  verificationCode,
} from './verification.ts'

export interface GuardOptions {
  readonly store: GuardStore
  readonly config: Config
  /** Carries active decisions out; without one (replay) decisions are only recorded. */
  readonly executor?: ActionExecutor | undefined
  /** Wall clock for action records; injectable for deterministic tests. */
  readonly now?: (() => Date) | undefined
  /** Turns a classifier's spam score (given in MessageFeatures) into shadow proposals. @default off */
  readonly classifierRule?: ClassifierRuleOptions | undefined
  /**
   * A learned policy (qunguard learn), whose rules judge what the keyword rules let pass, and
   * where what they remember between messages (bursts, catches, rhythm, campaigns) is kept.
   */
  readonly learned?: { readonly policy: LearnedPolicy; readonly facts: FactsStore } | undefined
  /**
   * Where the owner's flood limit (`limits.flood`) counts members' messages between events; the
   * learned policy's store when there is one. @default the learned policy's, else floods are not counted
   */
  readonly facts?: FactsStore | undefined
  /** Each rule's state and the owners' switches (the Supervisor); without it rules keep their configured mode. */
  readonly supervision?: RuleModes | undefined
  /**
   * Told once when a `groups` entry keyed by a name turns out to apply to several rooms of that
   * name (operator log). @default ignored
   */
  readonly onWarning?: ((line: string) => void) | undefined
}

/** What supervision tells the Guard: how a rule may decide now, and what an owner changed for a room from the chat. */
export interface RuleModes {
  modeOf(room: string, rule: string, initial: RuleState): Promise<'active' | 'shadow' | 'off'>
  quiet(room: string): Promise<boolean | undefined>
  /** Keywords and whitelisted members an owner added from the private chat. @default none */
  overrides?(room: string): Promise<ChatChanges>
}

/** What the Guard reads of an owner's changes from the chat (the supervision store's RoomOverrides). */
export interface ChatChanges {
  readonly quiet?: boolean | undefined
  readonly keywords?: readonly string[] | undefined
  readonly whitelist?: readonly { readonly id: string }[] | undefined
  readonly limits?:
    | {
        readonly lock?: readonly string[] | undefined
        readonly flood?: { readonly count: number; readonly windowS: number } | null | undefined
      }
    | undefined
  /** Newcomer verification switched on or off in the chat (验证 G1 开). */
  readonly verification?: boolean | undefined
}

/** The keyword rule made of the keywords owners add from the private chat (加关键词). */
export const OWNER_KEYWORDS_RULE_ID = 'owner-keywords'

/** The keywords an owner added in the chat (加关键词) as the room's one more keyword rule, on its ladder. */
export function ownerKeywordsRule(keywords: readonly string[]): KeywordRule {
  return {
    id: OWNER_KEYWORDS_RULE_ID,
    any: [...keywords],
    all: [],
    exclude: [],
    newcomerHours: 0,
    action: 'escalate',
    mode: 'active',
    reason: undefined,
  }
}

export interface HandledDecision {
  readonly id: number
  readonly decision: Decision
  /** For active decisions: what to carry out (sent to an executor or an action queue). */
  readonly request?: ActionRequest | undefined
  /** What the executor did, when the Guard has one. */
  readonly outcome?: ActionOutcome | undefined
  /** For shadow decisions: what the owner is asked to approve. */
  readonly proposal?: Proposal | undefined
  /** The message it is about. */
  readonly message?: MessageEvent | undefined
  /** For a decision about no message of its room (a blacklisted member joining): who, and what happened. */
  readonly about?: About | undefined
}

export type { About }

/** A shadow decision put to the owner: what approving it would carry out, and what it is about. */
export interface Proposal {
  readonly request: ActionRequest
  /** The message it is about; absent for a decision about no message (then `about` says what). */
  readonly message?: MessageEvent | undefined
  readonly about?: About | undefined
  readonly roomTopic: string
}

export type HandleResult =
  | { readonly status: 'invalid'; readonly error: string }
  | { readonly status: 'duplicate'; readonly event: GroupEvent }
  /** An event with an id already stored for different content: not stored, not judged — report it. */
  | { readonly status: 'conflict'; readonly event: GroupEvent; readonly stored: GroupEvent }
  | { readonly status: 'stored'; readonly event: GroupEvent; readonly decisions: readonly HandledDecision[] }

/** Thrown for an event that fails validation when the caller asked for exceptions. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError'
}

const DAY_MS = 86_400_000

export class Guard {
  private readonly store: GuardStore
  private readonly config: Config
  private readonly executor: ActionExecutor | undefined
  private readonly now: () => Date
  private readonly classifierRule: ClassifierRuleOptions | undefined
  private readonly rooms = new Map<string, { cfg: RoomConfig; rules: CompiledRules }>()
  private readonly learned: StoredPolicyRunner | undefined
  private readonly facts: FactsStore | undefined
  private readonly supervision: RuleModes | undefined
  private readonly onWarning: (line: string) => void
  /** Keyword rules compiled with keywords an owner added from the chat, by group key and keywords. */
  private readonly withChat = new Map<string, CompiledRules>()
  /** Per `groups` key that is a name: the rooms it was applied to (only to warn about ambiguity). */
  private readonly named = new Map<string, Set<string>>()

  constructor(options: GuardOptions) {
    this.store = options.store
    this.config = options.config
    this.executor = options.executor
    this.now = options.now ?? (() => new Date())
    this.classifierRule = options.classifierRule
    this.learned = options.learned ? new StoredPolicyRunner(options.learned.policy, options.learned.facts) : undefined
    this.facts = options.facts ?? options.learned?.facts
    this.supervision = options.supervision
    this.onWarning = options.onWarning ?? (() => {})
  }

  /**
   * The effective settings of a room (defaults merged with its own entry, found by room id or
   * by the room's name), compiled once per entry.
   */
  /** A room's settings, found by its stored name (topic) as well as by its id. */
  async settingsOf(room: string): Promise<RoomConfig> {
    return this.roomConfig(room, (await this.store.getRoom(room))?.topic).cfg
  }

  roomConfig(room: string, topic?: string | undefined): { cfg: RoomConfig; rules: CompiledRules } {
    // Rooms without an entry of their own share the compiled defaults.
    const key = groupKey(this.config, room, topic)
    if (key !== '*' && key !== room) this.noteNamed(key, room)
    let entry = this.rooms.get(key)
    if (!entry) {
      const cfg = resolveRoomConfig(this.config, key)
      entry = { cfg, rules: new CompiledRules(cfg.rules) }
      this.rooms.set(key, entry)
    }
    return entry
  }

  /**
   * A room's settings as they are now: the config's (found by id or name), with what its owner
   * changed from the private chat over them — quiet mode, keywords added (one more keyword rule,
   * `owner-keywords`), members whitelisted.
   */
  private async effectiveConfig(room: string, topic: string | undefined): Promise<{ cfg: RoomConfig; rules: CompiledRules }> {
    const base = this.roomConfig(room, topic)
    // One read of what the owner switched: the quiet switch is part of it where overrides are known.
    const o: ChatChanges = this.supervision?.overrides
      ? await this.supervision.overrides(room)
      : { quiet: await this.supervision?.quiet(room) }
    const quiet = o.quiet
    const keywords = o.keywords ?? []
    const whitelist = (o.whitelist ?? []).map((w) => w.id)
    const limits = withChatLimits(base.cfg.limits, o.limits)
    const verification =
      o.verification === undefined || o.verification === base.cfg.verification.enabled
        ? base.cfg.verification
        : { ...base.cfg.verification, enabled: o.verification }
    if (!keywords.length && !whitelist.length && limits === base.cfg.limits && verification === base.cfg.verification)
      return quiet === undefined ? base : { ...base, cfg: { ...base.cfg, quiet } }
    const rule = ownerKeywordsRule(keywords)
    const cfg: RoomConfig = {
      ...base.cfg,
      ...(quiet === undefined ? {} : { quiet }),
      whitelist: [...base.cfg.whitelist, ...whitelist],
      rules: keywords.length ? [...base.cfg.rules, rule] : base.cfg.rules,
      limits,
      verification,
    }
    // Compiled once per set of added keywords (owners change them rarely).
    const key = `${groupKey(this.config, room, topic)}\u0000${keywords.join('\u0001')}`
    let rules = this.withChat.get(key)
    if (!rules) {
      rules = new CompiledRules(cfg.rules)
      this.withChat.set(key, rules)
    }
    return { cfg, rules }
  }

  private noteNamed(name: string, room: string): void {
    const rooms = this.named.get(name) ?? new Set<string>()
    this.named.set(name, rooms)
    if (rooms.has(room)) return
    rooms.add(room)
    if (rooms.size === 2) {
      this.onWarning(
        `groups."${name}" applies to several groups of that name (${[...rooms].join(', ')}): key the entry by room id to choose one`,
      )
    }
  }

  /** Validates and handles one event from any source. Never throws for bad input. */
  async handle(input: unknown, features?: MessageFeatures): Promise<HandleResult> {
    const parsed = parseEvent(input)
    if (!parsed.ok) return { status: 'invalid', error: parsed.error }
    return this.handleEvent(parsed.value, features)
  }

  /**
   * Handles an already validated event (masked again here: nothing reaches the store, the
   * decisions or the logs with a personal number in it, whoever parsed the event).
   * @param features what vision and the classifier found in a message (AWS pipeline and, later, embedded)
   */
  async handleEvent(input: GroupEvent, features?: MessageFeatures): Promise<HandleResult> {
    const event = maskEvent(input)
    switch (event.kind) {
      case 'account':
        return this.commitPlain(event, { self: event.self })
      case 'room':
        return this.commitPlain(event, { room: event })
      case 'join':
        return this.onJoin(event)
      case 'leave':
        return this.onLeave(event)
      case 'message':
        return this.onMessage(event, features)
      case 'announcement':
        return this.commitPlain(event, { announcement: { room: event.room, text: event.text, ts: event.ts } })
      default:
        return this.commitPlain(event, {})
    }
  }

  private async commitPlain(
    event: GroupEvent,
    parts: {
      self?: string
      room?: GroupEvent & { kind: 'room' }
      announcement?: { room: string; text: string; ts: string }
      members?: MemberRecord[]
    },
  ): Promise<HandleResult> {
    const r = await this.store.commit({ event, ...parts })
    return r.stored ? { status: 'stored', event, decisions: [] } : this.notStored(event)
  }

  /** An event whose id is stored already: the same event again (a redelivery), or a different one reusing the id. */
  private async notStored(event: GroupEvent, stored?: GroupEvent): Promise<HandleResult> {
    const before = stored ?? (await this.store.getEvent(event.id))
    return before === undefined || sameEvent(before, event) ? { status: 'duplicate', event } : { status: 'conflict', event, stored: before }
  }

  private joined(event: GroupEvent & { kind: 'join' }): MemberRecord[] {
    return event.members.map((member) => ({
      room: event.room,
      member,
      name: event.names?.[member],
      joinedAt: event.ts,
      inviter: event.inviter,
      via: event.via,
    }))
  }

  private async left(event: GroupEvent & { kind: 'leave' }): Promise<MemberRecord[]> {
    const out: MemberRecord[] = []
    for (const member of event.members) {
      const known = await this.store.getMember(event.room, member)
      out.push({ ...(known ?? { room: event.room, member, via: 'unknown' as const }), leftAt: event.ts, remover: event.remover })
    }
    return out
  }

  private async onMessage(msg: MessageEvent, features: MessageFeatures = {}): Promise<HandleResult> {
    const before = features.firstDelivery ? undefined : await this.store.getEvent(msg.id)
    if (before) return this.notStored(msg, before)
    const { room, member, ctx } = await this.senderOf(msg)
    // A `groups` entry may name the room instead of giving its id: its topic decides, now.
    const { cfg, rules } = await this.effectiveConfig(msg.room, room?.topic)
    const newMember: MemberRecord[] =
      member === undefined ? [{ room: msg.room, member: msg.sender, name: msg.senderName, via: 'unknown' as const }] : []
    const learned = (await this.learned?.match(msg, senderInfo(msg.sender, ctx, member), features.qr))?.rule
    const recent = await this.noteRecent(msg, cfg)
    // A newcomer still to verify: their answer closes it; until then links, QR codes and cards are held back.
    const pending = await this.pendingOf(msg, cfg, member)
    const answered = pending !== undefined && passes(msg.text, pending.answers)
    const verified = answered ? [{ room: msg.room, member: msg.sender }] : []
    const held = pending && !answered ? heldBack(msg, features.qr ?? false) : undefined
    const violation = await this.judge(msg, cfg, rules, ctx, features, learned, recent.count, held)
    // A keyword rule's catch counts towards a second offence for the learned rules too.
    if (violation && !violation.learned) await this.learned?.caught(msg)
    if (!violation) {
      // A member's 群规: answered in the group with the rules enforced here.
      const rules =
        cfg.rulesOnRequest && cfg.mode === 'active' && isRulesRequest(msg.text) ? await this.rulesOf(msg.room, cfg, room) : undefined
      const replies = rules ? [replyDecision(msg, msg.room, msg.sender, 'rules', '成员询问群规', rules)] : []
      if (answered)
        replies.push(
          replyDecision(msg, msg.room, msg.sender, VERIFICATION_RULE_ID, '新成员通过入群验证', passedText(msg.senderName, msg.sender)),
        )
      // A member's 举报: counted, and the reported member put to the owner when enough members report.
      const report = cfg.reports.enabled && cfg.mode !== 'off' && this.facts ? parseReport(msg) : undefined
      if (report) replies.push(...(await this.reported(msg, report, await this.placeOf(msg.room, room))))
      const r = await this.store.commit({ event: msg, members: newMember, decisions: replies, verified })
      if (!r.stored) return this.notStored(msg)
      return this.handledOf(msg, replies, r.decisionIds, () => room?.topic ?? '')
    }

    const mode = cfg.mode === 'shadow' || violation.mode === 'shadow' ? 'shadow' : 'active'
    const since = new Date(toMillis(msg.ts) - cfg.offenceWindowDays * DAY_MS).toISOString()
    // Only offences the member saw count (docs/rules.md), so the warnings' numbers are the ladder's.
    const prior = await this.store.countOffences(msg.room, msg.sender, since, mode)
    const verdict = decide(msg, violation, cfg, prior)
    const offence: OffenceRecord = {
      room: msg.room,
      member: msg.sender,
      rule: violation.rule.id,
      event: msg.id,
      // Stored in UTC so that offence windows compare correctly whatever offset events carry.
      ts: new Date(toMillis(msg.ts)).toISOString(),
      mode,
      counted: verdict.counted,
    }
    const ownerId = cfg.owner ?? room?.owner
    // Removing (now, or once the owner approves): the member's recent messages to clean up after.
    const cleanup =
      cfg.cleanup.enabled && verdict.intended === 'remove' ? await this.cleanupOf(msg, cfg, recent, room?.topic ?? '') : undefined
    // What each decision sends — for a shadow one, what approving it would send — is stored with it.
    const toStore: DecisionToStore[] = verdict.decisions.map((decision) => {
      const sent = decision.mode === 'active' ? decision.action : verdict.intended
      const text =
        sent === 'warn'
          ? warningText(violation.rule, verdict.position)
          : ownerAlertText(
              msg,
              room?.topic ?? '',
              { ...decision, action: sent, mode: 'active' },
              verdict.intended,
              ruleName(violation.rule.id, violation.learned ? { sentence: violation.rule.reason } : { reason: violation.rule.reason }),
            )
      // Masked again: a topic or a learned rule's sentence from before masking (an older store or policy) may hold a number.
      return {
        ...decision,
        reason: maskPii(decision.reason),
        outgoing: {
          text: maskPii(text),
          ownerId,
          ...(decision.mode === 'shadow' ? { proposed: verdict.intended, ...(cleanup ? { cleanup } : {}) } : {}),
        },
      }
    })
    // Removed by the guard itself: on the owner's blacklist, and flagged in the owner's other groups.
    const removing = toStore.some((d) => d.mode === 'active' && d.action === 'remove')
    const listed = removing
      ? await this.listRemoved(msg, await this.placeOf(msg.room, room), [{ member: msg.sender, name: msg.senderName }], violation.rule.id)
      : { entries: [], decisions: [], topics: new Map<string, string>() }
    const cleaning = removing && cleanup ? [this.cleanupDecision(msg, cfg.cleanup.minutes, cleanup, ownerId)] : []
    const all = [...toStore, ...cleaning, ...listed.decisions]
    const r = await this.store.commit({
      event: msg,
      members: newMember,
      offences: [offence],
      decisions: all,
      blacklist: listed.entries,
      verified,
    })
    if (!r.stored) return this.notStored(msg)

    const handled: HandledDecision[] = []
    for (const [i, d] of all.entries()) {
      const elsewhere = d.room !== msg.room
      const h = elsewhere
        ? toHandled(r.decisionIds[i] ?? -1, d, undefined, listed.topics.get(d.room) ?? '')
        : toHandled(r.decisionIds[i] ?? -1, d, msg, room?.topic ?? '')
      handled.push(h.request && this.executor ? { ...h, outcome: await this.execute(this.executor, h.request) } : h)
    }
    return { status: 'stored', event: msg, decisions: handled }
  }

  // —— the owner's blacklist (blacklist.ts) ————————————————————————————————————————

  /** The rules of a room for its members (group-rules.ts): its announcement's, keyword rules and learned rules acting alone, the blacklist. */
  private async rulesOf(room: string, cfg: RoomConfig, record: RoomRecord | undefined): Promise<string | undefined> {
    const acting = async (id: string, initial: 'active' | 'shadow') =>
      (this.supervision ? await this.supervision.modeOf(room, id, initial) : initial) === 'active'
    const keyword: KeywordRule[] = []
    for (const r of cfg.rules) if (await acting(r.id, r.mode)) keyword.push(r)
    const learned: string[] = []
    for (const r of this.learned?.policy.rooms[room]?.rules ?? []) if (await acting(r.id, r.mode)) learned.push(withoutEvidence(r.sentence))
    return groupRulesText(groupName(record?.topic, room), cfg, keyword, learned, announcedRules(record?.announcement))
  }

  /**
   * A report (reports.ts): kept per reported member; when the reporters' weight reaches the
   * room's threshold, a request to the owner about the reported member (the `report` rule).
   */
  private async reported(msg: MessageEvent, parsed: ParsedReport, place: Place): Promise<DecisionToStore[]> {
    const r = place.cfg.reports
    if (!this.facts) return []
    const targets = new Map<string, string | undefined>(parsed.ids.map((id) => [id, undefined]))
    for (const name of parsed.names) {
      const found = (await this.store.findMembers(msg.room, name)).filter((m) => m.name === name || m.member === name)
      if (found.length === 1 && found[0]) targets.set(found[0].member, found[0].name)
    }
    const ms = toMillis(msg.ts)
    const windowMs = r.windowHours * 3_600_000
    const weightOf = (who: string) => (r.trusted.includes(who) || this.isProtectedIn(place, who) ? r.trustedWeight : 1)
    const out: DecisionToStore[] = []
    for (const [target, knownName] of targets) {
      if (target === msg.sender || this.isProtectedIn(place, target)) continue
      await this.facts.addReport(msg.room, target, { reporter: msg.sender, ms, event: msg.id }, ms + windowMs)
      const reports = await this.facts.reports(msg.room, target, ms - windowMs)
      const weight = reports.reduce((sum, x) => sum + weightOf(x.reporter), 0)
      const before = weight - weightOf(msg.sender)
      if (weight < r.threshold || before >= r.threshold) continue // not yet, or asked already
      const name = knownName ?? (await this.store.getMember(msg.room, target))?.name
      const reason = `被 ${reports.length} 位成员举报`
      const what = `${reason}${parsed.quoted ? `，被举报的内容：「${parsed.quoted}」` : ''}`
      const score = Math.min(1, weight / (r.threshold * 2))
      const d = await this.removalDecision(msg, place, {
        rule: REPORT_RULE_ID,
        initial: 'shadow',
        target,
        name,
        reason,
        what,
        score,
        note: what,
        step: false,
      })
      if (d) out.push(d)
    }
    return out
  }

  /** The owners' local hour of a time (supervision's `utcOffsetMinutes`). */
  private localHour(ts: string): number {
    return new Date(toMillis(ts) + this.config.supervision.utcOffsetMinutes * 60_000).getUTCHours()
  }

  /**
   * For a room with a flood limit or cleanup on removal: notes the message (time and id) among
   * the member's recent ones (the FactsStore, apart from what learned rules keep), for the flood
   * limit to count per window and a cleanup to recall. Without a FactsStore, or either setting,
   * every message is counted alone and a cleanup recalls the removal's own message only.
   */
  private async noteRecent(msg: MessageEvent, cfg: RoomConfig): Promise<Recent> {
    const keepS = Math.max(floodWindowS(cfg.limits) ?? 0, cfg.cleanup.enabled ? cfg.cleanup.minutes * 60 : 0)
    if (!keepS || !this.facts) return { count: () => 1, ids: () => [msg.id] }
    const key = `limits#${msg.sender}`
    const ms = toMillis(msg.ts)
    const before = await this.facts.getActivity(msg.room, key)
    const kept = (before?.times ?? [])
      .map((t, i) => ({ t, id: before?.ids?.[i] ?? '' }))
      .filter((x) => ms - x.t < keepS * 1000 && x.t <= ms)
      .slice(-RECENT_MAX)
    const all = [...kept, { t: ms, id: msg.id }]
    await this.facts.saveActivity(msg.room, key, { times: all.map((x) => x.t), ids: all.map((x) => x.id) }, ms + keepS * 1000)
    return {
      count: (w) => all.filter((x) => ms - x.t < w * 1000).length,
      ids: (sinceMs) => all.filter((x) => x.t >= sinceMs && x.id).map((x) => x.id),
    }
  }

  /** The cleanup after removing `msg`'s sender (cleanup.ts): their messages of the room's last `cleanup.minutes`, this one included, oldest first. */
  private async cleanupOf(msg: MessageEvent, cfg: RoomConfig, recent: Recent, topic: string): Promise<Cleanup> {
    const since = toMillis(msg.ts) - cfg.cleanup.minutes * 60_000
    const offset = this.config.supervision.utcOffsetMinutes
    const items: RecallItem[] = []
    for (const id of recent.ids(since).slice(-CLEANUP_MAX)) {
      const m = id === msg.id ? msg : await this.store.getEvent(id)
      if (m?.kind === 'message') items.push({ id, line: cleanupLine(m, offset) })
    }
    const name = memberName(msg.senderName, msg.sender)
    return { text: maskPii(cleanupText(name, groupName(topic, msg.room), cfg.cleanup.minutes, items.length)), items }
  }

  /** The `cleanup` decision that follows an active removal: carried out at once, supervised by nobody. */
  private cleanupDecision(msg: MessageEvent, minutes: number, cleanup: Cleanup, ownerId: string | undefined): DecisionToStore {
    return {
      event: msg.id,
      room: msg.room,
      target: msg.sender,
      action: 'recall',
      mode: 'active',
      rule: CLEANUP_RULE_ID,
      score: 1,
      reason: `清理被移出成员 ${minutes} 分钟内的 ${cleanup.items.length} 条消息`,
      outgoing: { text: cleanup.text, ownerId, cleanup },
    }
  }

  /** A room as the blacklist sees it: its record, settings, owner and the bot's own id. */
  private async placeOf(room: string, known?: RoomRecord | undefined): Promise<Place> {
    const record = known ?? (await this.store.getRoom(room))
    const { cfg } = await this.effectiveConfig(room, record?.topic)
    return { room, record, cfg, owner: record?.owner ?? cfg.owner, bots: await this.store.getBots() }
  }

  private isProtectedIn(place: Place, member: string, joinedAt?: string | undefined): boolean {
    const ctx: SenderContext = { bots: place.bots, owner: place.record?.owner, admins: place.record?.admins ?? [], joinedAt }
    return isProtected(member, place.cfg, ctx)
  }

  /** Joins recorded; a joining member on a list this room reads is removed or put to the owner. */
  private async onJoin(event: GroupEvent & { kind: 'join' }): Promise<HandleResult> {
    const members = this.joined(event)
    const place = await this.placeOf(event.room)
    const decisions: DecisionToStore[] = []
    if (place.cfg.mode !== 'off' && place.cfg.blacklist.action !== 'off') {
      for (const m of members) {
        if (this.isProtectedIn(place, m.member, m.joinedAt)) continue
        const entry = await this.store.getBlacklisted(listsFor(place.owner, place.cfg), m.member)
        const d = entry && (await this.blacklistDecision(event, place, m.member, m.name ?? entry.name, entry, '入群'))
        if (d) decisions.push(d)
      }
    }
    const listed = new Set(decisions.map((d) => d.target))
    const staying = members.filter((m) => !listed.has(m.member) && !this.isProtectedIn(place, m.member))
    // Verification (opt-in): the newcomers staying are asked for the code, in one message that greets them too.
    const verifying = await this.toVerify(event, place, staying)
    const first = verifying[0]
    if (first) {
      const names = verifying.map((v) => ({ id: v.member, name: v.name }))
      const code = verificationCode(place.room, event.id)
      const text = challengeText(names, place.cfg.verification, code, groupName(place.record?.topic, place.room))
      decisions.push(replyDecision(event, place.room, first.member, VERIFICATION_RULE_ID, '新成员入群验证', text))
    }
    // Welcome (opt-in): the other members who joined and are not being removed, in one message with the rules.
    const asked = new Set(verifying.map((v) => v.member))
    const welcomed = staying.filter((m) => !asked.has(m.member))
    if (place.cfg.welcome.enabled && place.cfg.mode === 'active' && welcomed.length) {
      const topic = groupName(place.record?.topic, place.room)
      const names = welcomed.map((m) => ({ id: m.member, name: m.name }))
      const text = welcomeText(topic, names, await this.rulesOf(place.room, place.cfg, place.record), place.cfg.welcome.text)
      decisions.push(replyDecision(event, place.room, welcomed[0]?.member ?? '', 'welcome', '欢迎新成员', text))
    }
    const r = await this.store.commit({ event, members, decisions, verifying })
    if (!r.stored) return this.notStored(event)
    return this.handledOf(event, decisions, r.decisionIds, () => place.record?.topic ?? '')
  }

  // —— newcomer verification (verification.ts) ——————————————————————————————————————

  /** The verifications a join opens: none unless the room asks for them, it is active, the rule is not off, and the inviter is not staff (when exempt). */
  private async toVerify(
    event: GroupEvent & { kind: 'join' },
    place: Place,
    staying: readonly MemberRecord[],
  ): Promise<PendingVerification[]> {
    const v = place.cfg.verification
    if (!v.enabled || place.cfg.mode !== 'active' || !staying.length) return []
    if (v.exemptInvitedByStaff && event.inviter && this.isProtectedIn(place, event.inviter)) return []
    if (this.supervision && (await this.supervision.modeOf(place.room, VERIFICATION_RULE_ID, v.mode)) === 'off') return []
    const answers = expectedAnswers(v, verificationCode(place.room, event.id))
    const since = toMillis(event.ts)
    return staying.map((m) => ({
      room: place.room,
      member: m.member,
      ...(m.name ? { name: m.name } : {}),
      event: event.id,
      since: new Date(since).toISOString(),
      until: new Date(since + v.minutes * 60_000).toISOString(),
      answers,
    }))
  }

  /** The sender's open verification, read only where the room verifies and for members of under a day. */
  private async pendingOf(msg: MessageEvent, cfg: RoomConfig, member: MemberRecord | undefined): Promise<PendingVerification | undefined> {
    if (!cfg.verification.enabled || !member?.joinedAt || toMillis(msg.ts) - toMillis(member.joinedAt) > DAY_MS) return undefined
    return this.store.getVerification(msg.room, msg.sender)
  }

  /**
   * Newcomers whose time to verify is up by `at`: each removed (or the owner alerted) by the
   * `verification` rule in its mode — unless they left, the room stopped verifying or the rule is
   * off — and the verification closed with that decision, once (a second run finds it closed).
   * The periodic tick calls it: the embedded guard every minute, replay on the events' clock, the
   * monitor function on AWS.
   */
  async settleDueVerifications(at: Date): Promise<HandledDecision[]> {
    const out: HandledDecision[] = []
    for (const v of await this.store.listDueVerifications(at.toISOString())) {
      const place = await this.placeOf(v.room)
      const member = await this.store.getMember(v.room, v.member)
      const still = place.cfg.verification.enabled && place.cfg.mode !== 'off' && member !== undefined && !member.leftAt
      const d = still ? await this.timeoutDecision(v, place) : undefined
      const r = await this.store.settleVerification(v, d ? [d] : [], at.toISOString())
      if (r.stored && d) out.push(...(await this.handledList([d], r.decisionIds, () => place.record?.topic ?? '')))
    }
    return out
  }

  private async timeoutDecision(v: PendingVerification, place: Place): Promise<DecisionToStore | undefined> {
    const cfg = place.cfg.verification
    const what = timedOutWhat(cfg.minutes)
    if (cfg.onTimeout === 'remove')
      return this.removalDecision({ id: v.event }, place, {
        rule: VERIFICATION_RULE_ID,
        initial: cfg.mode,
        target: v.member,
        name: v.name,
        reason: what,
        what,
        score: 1,
        note: what,
        step: true,
      })
    const mode = this.supervision ? await this.supervision.modeOf(place.room, VERIFICATION_RULE_ID, cfg.mode) : cfg.mode
    if (mode === 'off') return undefined
    const text = `[qunguard] 群「${groupName(place.record?.topic, place.room)}」成员 ${memberName(v.name, v.member)}：${what}，请留意。`
    return {
      event: v.event,
      room: place.room,
      target: v.member,
      action: 'alert-owner',
      mode: 'active',
      rule: VERIFICATION_RULE_ID,
      score: 1,
      reason: what,
      outgoing: {
        text: maskPii(text),
        ownerId: place.cfg.owner ?? place.record?.owner,
        about: { ...(v.name ? { name: maskPii(v.name) } : {}), what },
      },
    }
  }

  /** Leaves recorded; a member the owner, an admin or the bot removed for a violation is listed and flagged elsewhere. */
  private async onLeave(event: GroupEvent & { kind: 'leave' }): Promise<HandleResult> {
    const members = await this.left(event)
    const place = await this.placeOf(event.room)
    const byStaff = event.remover !== undefined && this.isProtectedIn(place, event.remover) && !place.cfg.whitelist.includes(event.remover)
    const listed = byStaff
      ? await this.listRemoved(
          event,
          place,
          members.map((m) => ({ member: m.member, name: m.name })),
          undefined,
        )
      : undefined
    const r = await this.store.commit({ event, members, decisions: listed?.decisions ?? [], blacklist: listed?.entries ?? [] })
    if (!r.stored) return this.notStored(event)
    if (!listed) return { status: 'stored', event, decisions: [] }
    return this.handledOf(event, listed.decisions, r.decisionIds, (d) => listed.topics.get(d.room) ?? '')
  }

  /**
   * Members removed from `place` for a violation: each not yet on its owner's list is listed
   * (a removal the guard did not decide needs an offence in the offence window) and flagged in
   * every other group that reads that list where they still are.
   */
  private async listRemoved(
    event: GroupEvent,
    place: Place,
    removed: readonly { member: string; name?: string | undefined }[],
    rule: string | undefined,
  ): Promise<Listing> {
    const out: Listing = { entries: [], decisions: [], topics: new Map() }
    const owner = place.owner
    if (!owner || place.cfg.blacklist.action === 'off') return out
    const since = new Date(toMillis(event.ts) - place.cfg.offenceWindowDays * DAY_MS).toISOString()
    // The other groups that read this owner's list: looked up once, when someone is listed.
    let readers: Place[] | undefined
    for (const { member, name } of removed) {
      if (this.isProtectedIn(place, member)) continue
      if (await this.store.getBlacklisted([owner], member)) continue // listed already: flagged then
      if (rule === undefined) {
        const offences =
          (await this.store.countOffences(place.room, member, since, 'active')) +
          (await this.store.countOffences(place.room, member, since, 'shadow'))
        if (offences === 0) continue // removed for something else (housekeeping)
      }
      const entry: BlacklistEntry = {
        owner,
        member,
        ...(name ? { name } : {}),
        room: place.room,
        ...(rule ? { rule } : {}),
        event: event.id,
        ts: new Date(toMillis(event.ts)).toISOString(),
      }
      out.entries.push(entry)
      readers ??= await this.readersOf(owner, place.room)
      for (const there of readers) {
        const record = await this.store.getMember(there.room, member)
        if (!record || record.leftAt || this.isProtectedIn(there, member, record.joinedAt)) continue
        const what = `在「${groupName(place.record?.topic, place.room)}」被移出，仍在本群`
        const d = await this.blacklistDecision(event, there, member, record.name ?? name, entry, what, place.record?.topic)
        if (!d) continue
        out.decisions.push(d)
        out.topics.set(there.room, there.record?.topic ?? '')
      }
    }
    return out
  }

  /** The groups other than `except` that act on `owner`'s list (their own owner's, or a list they trust). */
  private async readersOf(owner: string, except: string): Promise<Place[]> {
    const out: Place[] = []
    for (const other of await this.store.listRooms()) {
      if (other.room === except) continue
      const there = await this.placeOf(other.room, other)
      if (there.cfg.mode !== 'off' && readsListOf(owner, there.owner, there.cfg)) out.push(there)
    }
    return out
  }

  /** The decision on a listed member in a room, in the blacklist rule's mode there (none while it is off). */
  private async blacklistDecision(
    event: GroupEvent,
    place: Place,
    member: string,
    name: string | undefined,
    entry: BlacklistEntry,
    /** What happened, in words for the owner (入群). */
    what: string,
    fromTopic?: string | undefined,
  ): Promise<DecisionToStore | undefined> {
    const topic = fromTopic ?? (entry.room === place.room ? place.record?.topic : (await this.store.getRoom(entry.room))?.topic)
    const reason = blacklistReason(entry, topic)
    return this.removalDecision(event, place, {
      rule: BLACKLIST_RULE_ID,
      initial: blacklistInitial(place.cfg),
      target: member,
      name,
      reason,
      what,
      score: 1,
      note: reason,
      step: true,
    })
  }

  /**
   * A decision to remove a member for something other than a message of theirs (the blacklist, a
   * report): in the rule's mode now (none while it is off), as a request to the owner in shadow.
   * The owner's note and the request say who, why and `what` happened.
   */
  private async removalDecision(
    event: Pick<GroupEvent, 'id'>,
    place: Place,
    o: {
      rule: string
      initial: 'active' | 'shadow'
      target: string
      name: string | undefined
      reason: string
      what: string
      score: number
      /** What the owner's note says after the member's name. */
      note: string
      /** Whether the note says what is done (移出群聊, or 试运行 in shadow). */
      step: boolean
    },
  ): Promise<DecisionToStore | undefined> {
    const mode = this.supervision ? await this.supervision.modeOf(place.room, o.rule, o.initial) : o.initial
    if (mode === 'off') return undefined
    const effective = place.cfg.mode === 'shadow' ? 'shadow' : mode
    const did = o.step ? `处理：${effective === 'shadow' ? '试运行，建议移出群聊' : '移出群聊'}。` : ''
    const text = `[qunguard] 群「${groupName(place.record?.topic, place.room)}」成员 ${memberName(o.name, o.target)}：${o.note}。${did}`
    return {
      event: event.id,
      room: place.room,
      target: o.target,
      action: effective === 'active' ? 'remove' : 'ask-owner',
      mode: effective,
      rule: o.rule,
      score: o.score,
      reason: maskPii(o.reason),
      outgoing: {
        text: maskPii(text),
        ownerId: place.cfg.owner ?? place.record?.owner,
        ...(effective === 'shadow' ? { proposed: 'remove' } : {}),
        about: { ...(o.name ? { name: maskPii(o.name) } : {}), what: maskPii(o.what) },
      },
    }
  }

  /** Decisions about no message, handed out (and carried out, with an executor). */
  private async handledOf(
    event: GroupEvent,
    decisions: readonly DecisionToStore[],
    ids: readonly number[],
    topicOf: (d: DecisionToStore) => string,
  ): Promise<HandleResult> {
    return { status: 'stored', event, decisions: await this.handledList(decisions, ids, topicOf) }
  }

  private async handledList(
    decisions: readonly DecisionToStore[],
    ids: readonly number[],
    topicOf: (d: DecisionToStore) => string,
  ): Promise<HandledDecision[]> {
    const handled: HandledDecision[] = []
    for (const [i, d] of decisions.entries()) {
      const h = toHandled(ids[i] ?? -1, d, undefined, topicOf(d))
      handled.push(h.request && this.executor ? { ...h, outcome: await this.execute(this.executor, h.request) } : h)
    }
    return handled
  }

  /**
   * Which rule the message breaks, in order: the room's keyword rules (config order), the ad
   * classifier, then the learned rules — each as supervision allows (retired and paused rules
   * are skipped) and in the mode it has now.
   */
  private async judge(
    msg: MessageEvent,
    cfg: RoomConfig,
    rules: CompiledRules,
    ctx: SenderContext,
    features: MessageFeatures,
    learned: LearnedRule | undefined,
    recent: (windowS: number) => number,
    /** What an unverified newcomer posted that waits for their verification (verification.ts). */
    held?: string | undefined,
  ): Promise<Violation | undefined> {
    const modeOf = (rule: string, initial: RuleState): Promise<'active' | 'shadow' | 'off'> =>
      this.supervision ? this.supervision.modeOf(msg.room, rule, initial) : Promise.resolve(initial === 'retired' ? 'off' : initial)
    const modes = new Map<string, 'active' | 'shadow' | 'off'>()
    for (const r of cfg.rules) modes.set(r.id, await modeOf(r.id, r.mode))
    modes.set(PRIVACY_RULE_ID, await modeOf(PRIVACY_RULE_ID, 'active'))
    modes.set(NSFW_RULE_ID, await modeOf(NSFW_RULE_ID, 'active'))
    if (this.classifierRule) modes.set(CLASSIFIER_RULE_ID, await modeOf(CLASSIFIER_RULE_ID, 'shadow'))
    const found = findViolation(msg, cfg, rules, ctx, features, this.classifierRule, (id) => modes.get(id) !== 'off')
    if (found) return { ...found, mode: modes.get(found.rule.id) === 'shadow' ? 'shadow' : 'active' }
    if (cfg.mode === 'off' || isProtected(msg.sender, cfg, ctx)) return undefined
    if (held) {
      const mode = await modeOf(VERIFICATION_RULE_ID, cfg.verification.mode)
      if (mode !== 'off') {
        const rule: KeywordRule = {
          id: VERIFICATION_RULE_ID,
          any: [],
          all: [],
          exclude: [],
          newcomerHours: 0,
          mode: cfg.verification.mode,
          action: 'recall',
          reason: heldBackReason(held),
        }
        return { rule, keywords: [], mode }
      }
    }
    // The owner's own limits (limits.ts), before what was learned.
    const limits = cfg.limits
    const broken = limits && limitBroken(msg, limits, { recent, hour: this.localHour(msg.ts), qr: features.qr ?? false })
    if (limits && broken) {
      const mode = await modeOf(broken.id, limits.mode)
      if (mode !== 'off') {
        const rule = {
          id: broken.id,
          any: [],
          all: [],
          exclude: [],
          newcomerHours: 0,
          mode: limits.mode,
          action: limits.action,
          reason: broken.reason,
        }
        return { rule, keywords: [], mode }
      }
    }
    if (!learned) return undefined
    const mode = await modeOf(learned.id, learned.mode)
    if (mode === 'off') return undefined
    return {
      rule: {
        id: learned.id,
        any: [],
        all: [],
        exclude: [],
        newcomerHours: 0,
        mode: learned.mode,
        action: learned.action,
        reason: learned.sentence,
      },
      keywords: [],
      score: Math.round(learned.evidence.precision * 1000) / 1000,
      mode,
      learned: true,
    }
  }

  /**
   * The decisions already stored for an event (a message's, or a join's or a removal's for the
   * blacklist), with what they send — for a redelivered event whose first handling may have died
   * between storing and sending. Executes nothing.
   */
  async storedDecisions(event: GroupEvent): Promise<HandledDecision[]> {
    const msg = event.kind === 'message' ? (maskEvent(event) as MessageEvent) : undefined
    const topics = new Map<string, string>()
    const out: HandledDecision[] = []
    for (const { id, ts: _ts, ...d } of await this.store.listDecisions({ event: event.id })) {
      if (!topics.has(d.room)) topics.set(d.room, (await this.store.getRoom(d.room))?.topic ?? '')
      out.push(toHandled(id, d, msg?.room === d.room ? msg : undefined, topics.get(d.room) ?? ''))
    }
    return out
  }

  /**
   * An event stored by an earlier run on the same store (a resumed replay): its stored decisions,
   * with the in-memory state judging it would have left (a keyword rule's catch, which counts
   * towards the learned rules' second offences) brought back. Executes nothing.
   */
  async resumed(event: GroupEvent, features: MessageFeatures = {}): Promise<HandledDecision[]> {
    if (event.kind !== 'message') return []
    const msg = maskEvent(event) as MessageEvent
    const decisions = await this.storedDecisions(msg)
    if (this.learned) {
      const { member, ctx } = await this.senderOf(msg)
      await this.learned.match(msg, senderInfo(msg.sender, ctx, member), features.qr)
      const learnedIds = new Set(this.learned.policy.rooms[msg.room]?.rules.map((r) => r.id))
      if (decisions.some((d) => !learnedIds.has(d.decision.rule))) await this.learned.caught(msg)
    }
    return decisions
  }

  /** The message's room and sender as stored, and who the sender is there (staff, when joined). */
  private async senderOf(msg: MessageEvent) {
    const [bots, room, member] = await Promise.all([
      this.store.getBots(),
      this.store.getRoom(msg.room),
      this.store.getMember(msg.room, msg.sender),
    ])
    const ctx: SenderContext = { bots, owner: room?.owner, admins: room?.admins ?? [], joinedAt: member?.joinedAt }
    return { room, member, ctx }
  }

  /** Carries one request out and records what happened; an executor failure is recorded, not thrown. */
  private async execute(executor: ActionExecutor, request: ActionRequest): Promise<ActionOutcome> {
    let outcome: ActionOutcome
    try {
      outcome = await executor.execute(request)
    } catch (error) {
      outcome = { status: 'failed', detail: error instanceof Error ? error.message : String(error) }
    }
    await this.store.recordAction({
      decisionId: request.decisionId,
      status: outcome.status,
      detail: outcome.detail,
      ts: this.now().toISOString(),
    })
    return outcome
  }
}

/** Who sent a message, as the learned rules see it: staff, and when and how they joined. */
function senderInfo(sender: string, ctx: SenderContext, member: MemberRecord | undefined): SenderInfo {
  const staff = (ctx.bots?.includes(sender) ?? false) || sender === ctx.owner || ctx.admins.includes(sender)
  const join = member?.joinedAt
    ? { ms: toMillis(member.joinedAt), via: member.via === 'snapshot' ? ('unknown' as const) : member.via }
    : undefined
  return { staff, join }
}

/** Key order does not matter; `undefined` fields are absent, as in stored JSON. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`
  }
  return JSON.stringify(v) ?? 'null'
}

/**
 * Whether a stored event and an incoming one with the same id are the same event. Events are
 * stored with personal numbers masked, so the incoming one also counts as the same when its
 * masked form is what was stored.
 */
export function sameEvent(stored: GroupEvent, incoming: GroupEvent): boolean {
  const s = canonical(stored)
  if (s === canonical(incoming)) return true
  return s === canonical(maskEvent(incoming))
}

/** A stored (or about to be stored) decision as what to carry out now, or what to propose to the owner. */
function toHandled(id: number, stored: DecisionToStore, msg: MessageEvent | undefined, roomTopic: string): HandledDecision {
  const { outgoing, ...decision } = stored
  const about = outgoing?.about
  const context = { ...(msg ? { message: msg } : {}), ...(about ? { about } : {}) }
  if (!outgoing) return { id, decision, ...context }
  // A decision about no message names the event that caused it (a join, a removal elsewhere).
  const messageId = msg?.id ?? decision.event
  if (decision.mode === 'active') {
    const target = msg && msg.sender === decision.target ? msg.senderName : undefined
    return {
      id,
      decision,
      ...context,
      request: {
        decisionId: id,
        decision,
        messageId,
        text: outgoing.text,
        ownerId: outgoing.ownerId,
        ...(outgoing.cleanup ? { cleanup: outgoing.cleanup } : {}),
        ...(roomTopic.trim() ? { names: { room: maskPii(roomTopic), ...(target ? { target: maskPii(target) } : {}) } } : {}),
      },
    }
  }
  // What approving it would carry out: the intended step, as if the rule were active.
  const approved: Decision = { ...decision, action: outgoing.proposed ?? decision.action, mode: 'active' }
  return {
    id,
    decision,
    ...context,
    proposal: {
      request: {
        decisionId: id,
        decision: approved,
        messageId,
        text: outgoing.text,
        ownerId: outgoing.ownerId,
        ...(outgoing.cleanup ? { cleanup: outgoing.cleanup } : {}),
      },
      ...context,
      roomTopic: maskPii(roomTopic), // a store from before masking may hold a raw topic
    },
  }
}

/** A room as the blacklist sees it. */
interface Place {
  readonly room: string
  readonly record: RoomRecord | undefined
  readonly cfg: RoomConfig
  /** Whose list it is: the room's WeChat owner, else the config's `owner`. */
  readonly owner: string | undefined
  readonly bots: readonly string[]
}

/** A member's recent messages in a room: how many within a window (flood), and their ids since a time (cleanup). */
interface Recent {
  count(windowS: number): number
  ids(sinceMs: number): string[]
}

/** How many of a member's recent messages are kept (the newest). */
const RECENT_MAX = 200

/** Who a removal lists, and the decisions it makes in the owner's other groups. */
interface Listing {
  readonly entries: BlacklistEntry[]
  readonly decisions: DecisionToStore[]
  /** Per other room: the room's name. */
  readonly topics: Map<string, string>
}

/** Something said in the group (a welcome, the rules on request): carried out at once, supervised by nobody. */
function replyDecision(event: GroupEvent, room: string, target: string, rule: string, reason: string, text: string): DecisionToStore {
  return {
    event: event.id,
    room,
    target,
    action: 'reply',
    mode: 'active',
    rule,
    score: 1,
    reason,
    outgoing: { text: maskPii(text) },
  }
}

/** The config's limits with the ones an owner set in the chat over them (the same object when the chat set none). */
function withChatLimits(base: RoomConfig['limits'], chat: ChatChanges['limits']): RoomConfig['limits'] {
  if (!chat || (chat.lock === undefined && chat.flood === undefined)) return base
  // Types locked in the chat add to the config's; a flood limit set there replaces it (null: none).
  const added = (chat.lock ?? []).filter((t): t is Lockable => (LOCKABLE as readonly string[]).includes(t))
  const lock = [...new Set([...(base?.lock ?? []), ...added])]
  const { flood: _, lock: __, ...rest } = base ?? { action: 'escalate' as const, mode: 'active' as const }
  const flood = chat.flood === null ? undefined : (chat.flood ?? base?.flood)
  return { ...rest, ...(lock.length ? { lock } : {}), ...(flood ? { flood } : {}) }
}
