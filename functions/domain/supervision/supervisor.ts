/**
 * Supervisor: the owner's side of every rule, in one place for the embedded guard and replay.
 *
 *   guard decision (shadow) → a numbered approval request to the room's owner, sent now or —
 *                              beyond `maxPerHour` — in the next digest, least-sure first,
 *                              within `dailyBudget` requests a day
 *   guard decision (active) → recorded, and listed in the next digest for review (`N<n>` = wrong)
 *   owner's private message → `Y<n>`/`N<n>` answers (carry out / leave the member alone; the
 *                              rule's record learns either way, and may promote or demote it),
 *                              or a command (规则, 暂停/恢复/启用/试运行/停用 R<k>, 安静 开/关, 日报)
 *   tick (every minute)     → expiry of unanswered requests, digests, the daily report
 *
 * It returns effects (`say` a private text, `act` on an approved request) for the host to carry
 * out, so the embedded bot, replay and tests share it. Only a room's owner and admins (WeChat
 * ids from the room snapshot and the config, never display names) can answer or command;
 * anyone else gets no answer at all. Answers are looked up under the sender's own id, so nobody
 * reaches another owner's requests.
 *
 * @example
 *   const supervisor = new Supervisor({ store, rulesOf: (room) => catalogue(room) })
 *   for (const d of result.decisions) run(await supervisor.onDecision(d, now))
 *   run(await supervisor.onPrivate(privateEvent, now))
 *   setInterval(async () => run(await supervisor.tick(new Date())), 60_000)
 */

import type { ActionRequest } from '../../ports/action-executor.port.ts'
import type { ApprovalRecord } from '../../ports/approval-store.port.ts'
import type { BlacklistEntry, GuardStore, RoomRecord } from '../../ports/guard-store.port.ts'
import {
  type DayAddition,
  type OwnerPacing,
  type RoomOverrides,
  RuleConflictError,
  type SupervisionStore,
} from '../../ports/supervision-store.port.ts'
import { approvalRequestText, describeMessage, parseAnswer, stepName } from '../approvals.ts'
import { CLEANUP_RULE_ID } from '../cleanup.ts'
import type { GroupEvent, PrivateEvent } from '../events.ts'
import type { HandledDecision } from '../guard.ts'
import { groupName, memberName, ruleName } from '../owner-words.ts'
import { wilsonLowerBound, wilsonUpperBound } from '../wilson.ts'
import {
  applyOwnerCommand,
  DEFAULT_LIFECYCLE,
  effectiveMode,
  type LifecyclePolicy,
  newRule,
  type RuleState,
  recordAnswer,
  recordCorrection,
  recordFired,
  type StateChange,
  type SupervisedRule,
} from './lifecycle.ts'
import { LOCK_WORDS, OWNER_HELP, parseOwnerCommand } from './owner-commands.ts'
import {
  type AnswerOutcome,
  type DayCounts,
  digestText,
  type ListedRoom,
  receiptText,
  reportText,
  rulesListText,
  stateChangeText,
  stateName,
} from './texts.ts'

export interface SupervisionOptions {
  /** Hours an approval request can be answered. @default 24 */
  readonly expiryHours: number
  /** Requests sent to one owner one by one per hour; the rest wait for the digest. @default 5 */
  readonly maxPerHour: number
  /** Minutes between digests (from the first request that waits for one). @default 60 */
  readonly digestMinutes: number
  /** Requests one owner is asked in 24 hours; beyond it the least-sure are asked first and the rest expire unasked. @default 30 */
  readonly dailyBudget: number
  /** Local hour of the daily report; `undefined`: no report unless asked (日报). @default 21 */
  readonly reportHour: number | undefined
  /** Owners' time zone, for the report's day and hour. @default 480 (China) */
  readonly utcOffsetMinutes: number
  /** List active rules' decisions in the digest for review. @default true */
  readonly reviewActive: boolean
  readonly lifecycle: LifecyclePolicy
}

export const DEFAULT_SUPERVISION: SupervisionOptions = {
  expiryHours: 24,
  maxPerHour: 5,
  digestMinutes: 60,
  dailyBudget: 30,
  reportHour: 21,
  utcOffsetMinutes: 480,
  reviewActive: true,
  lifecycle: DEFAULT_LIFECYCLE,
}

/** A rule as an owner sees it in a room: its id, the state it starts in, a name to show. */
export interface RuleInfo {
  readonly id: string
  readonly initial: RuleState
  readonly name: string
}

export type SupervisorEffect =
  | { readonly kind: 'say'; readonly to: string; readonly text: string }
  | { readonly kind: 'act'; readonly approval: ApprovalRecord }
  /** Something to carry out that is no stored decision's: inviting a member back after an upheld appeal. */
  | { readonly kind: 'invite'; readonly request: ActionRequest }

export interface SupervisorDeps {
  readonly store: SupervisionStore
  /** The rules of a room: config keyword rules, learned rules, the classifier. */
  /** The rules of a room; `topic` (its name, when known) finds a `groups` entry keyed by name. */
  readonly rulesOf: (room: string, topic?: string | undefined) => readonly RuleInfo[]
  /** Staff the config names for a room (`owner`, `admins`), besides the room's own owner and admins. */
  readonly configStaff?:
    | ((room: string, topic?: string | undefined) => { readonly owner?: string | undefined; readonly admins: readonly string[] })
    | undefined
  /** Rooms the config names, so they can be commanded before their first snapshot. */
  readonly configRooms?: readonly string[] | undefined
  /**
   * Where the rooms' snapshots are stored (the guard store), for a supervisor that does not see
   * the event stream itself (the AWS approvals function). @default only the rooms `observe` saw
   */
  readonly rooms?: RoomDirectory | undefined
  /** The guard's decisions and offences (the guard store), for members' appeals (申诉). @default appeals go unanswered */
  readonly decisions?: Pick<GuardStore, 'listDecisions' | 'clearOffences' | 'getEvent'> | undefined
  /** Members by name (the guard store), for 白名单 G1 小王. @default members cannot be named */
  readonly members?: Pick<GuardStore, 'findMembers'> | undefined
  /** The owners' blacklists (the guard store), for 黑名单 and 解除黑名单. @default those commands say the list is not kept here */
  readonly blacklist?: Pick<GuardStore, 'listBlacklist' | 'unblacklist'> | undefined
  readonly options?: Partial<SupervisionOptions> | undefined
  /** Told of every answer and every change of a rule's state (by its record or the owner's command), e.g. for metrics. */
  readonly onNote?: ((note: SupervisionNote) => void) | undefined
}

/** What happened in supervision, for metrics and logs. */
export type SupervisionNote =
  | { readonly kind: 'answered'; readonly room: string; readonly rule: string; readonly outcome: Exclude<AnswerOutcome, 'unknown'> }
  | { readonly kind: 'changed'; readonly room: string; readonly rule: string; readonly change: StateChange }
  | { readonly kind: 'expired'; readonly room: string; readonly rule: string }

/** The rooms' latest snapshots (topic, owner, admins): the GuardStore is one. */
export interface RoomDirectory {
  getRoom(room: string): Promise<RoomRecord | undefined>
  listRooms(): Promise<RoomRecord[]>
}

const NO_PACING: OwnerPacing = { sent: [], expiredUnseen: 0 }

interface RoomInfo {
  topic: string
  owner?: string | undefined
  admins: readonly string[]
}

const HOUR = 3_600_000
/** The rule id under which appeals are put to owners (not a rule: its requests touch no record of their own). */
export const APPEAL_RULE_ID = 'appeal'
/** How far back a member's appeal looks for what the guard did to them. */
const APPEAL_DAYS = 30
/** A member's private 申诉 (with or without reasons after it). */
const isAppeal = (text: string) => /^\s*申诉/u.test(text.normalize('NFKC'))
/** Tries at saving a rule's record against others saving it at the same moment. */
const SAVE_ATTEMPTS = 5

export class Supervisor {
  private readonly store: SupervisionStore
  private readonly o: SupervisionOptions
  private readonly rules = new Map<string, SupervisedRule | null>()
  private readonly switched = new Map<string, RoomOverrides>()
  /** Rooms seen (snapshots observed, or read from the directory); everything else is in the store. */
  private readonly rooms = new Map<string, RoomInfo>()

  constructor(private readonly deps: SupervisorDeps) {
    this.store = deps.store
    this.o = { ...DEFAULT_SUPERVISION, ...deps.options, lifecycle: { ...DEFAULT_LIFECYCLE, ...deps.options?.lifecycle } }
  }

  /** Keeps track of rooms (topic, owner, admins) from the event stream. */
  observe(event: GroupEvent): void {
    if (event.kind !== 'room') return
    this.rooms.set(event.room, { topic: event.topic, owner: event.owner ?? this.rooms.get(event.room)?.owner, admins: event.admins })
  }

  /** How a rule may decide now: as it acts alone, only proposing, or not at all (retired, paused). */
  async modeOf(room: string, rule: string, initial: RuleState): Promise<'active' | 'shadow' | 'off'> {
    return effectiveMode((await this.record(room, rule)) ?? undefined, initial)
  }

  /** The owner's quiet-mode switch for a room, when they have set one. */
  async quiet(room: string): Promise<boolean | undefined> {
    return (await this.overrides(room)).quiet
  }

  /** What the room's owners changed from the chat: quiet mode, keywords added, members whitelisted. */
  async overrides(room: string): Promise<RoomOverrides> {
    let o = this.switched.get(room)
    if (!o) {
      o = await this.store.getRoomOverrides(room)
      this.switched.set(room, o)
    }
    return o
  }

  private async saveOverrides(room: string, change: (o: RoomOverrides) => RoomOverrides): Promise<void> {
    const next = change(await this.store.getRoomOverrides(room))
    await this.store.saveRoomOverrides(room, next)
    this.switched.set(room, next)
  }

  /**
   * A decision the guard stored: a shadow one is put to the owner, an active one kept for review.
   * `imageText`: what the picture it is about says (shown in the request).
   */
  async onDecision(h: HandledDecision, at: Date, extra: { readonly imageText?: string | undefined } = {}): Promise<SupervisorEffect[]> {
    const d = h.decision
    // What the guard says in a group (a welcome, the rules on request), or the cleanup that follows
    // a removal, is no rule's decision of its own.
    if (d.action === 'reply' || d.rule === CLEANUP_RULE_ID) return []
    const now = at.toISOString()
    // The group's name from the store, until (or when no) room snapshot names it.
    await this.knowRoom(d.room)
    if (h.proposal?.roomTopic && !this.rooms.has(d.room)) this.rooms.set(d.room, { topic: h.proposal.roomTopic, admins: [] })
    await this.update(d.room, d.rule, h.proposal ? 'shadow' : 'active', (before) => recordFired(before, h.id, this.o.lifecycle))
    if (!h.proposal && h.request) await this.addToDay(d.room, at, { acted: 1 })
    const target = h.proposal?.request ?? h.request
    const owner = target?.ownerId
    if (!target || !owner) return []
    if (!h.proposal && !this.o.reviewActive) return []
    let pacing = await this.pacing(owner)
    const approval = await this.store.open({
      owner,
      room: d.room,
      rule: d.rule,
      decisionId: h.id,
      request: target,
      createdAt: now,
      deadline: new Date(at.getTime() + this.o.expiryHours * HOUR).toISOString(),
      ...(h.proposal ? {} : { done: true }),
      topic: this.topic(d.room),
      summary: this.summary(h, target.decision.action),
      score: d.score,
    })
    if (approval.notifiedAt || approval.status !== 'open') return [] // seen before (a redelivered event)
    if (h.proposal && this.mayAskNow(pacing, at.getTime())) {
      await this.store.savePacing(owner, noteSent(pacing, at.getTime(), 1))
      await this.addToDay(d.room, at, { asked: 1 })
      await this.store.markNotified(owner, [approval.number], now)
      return [{ kind: 'say', to: owner, text: approvalRequestText(approval.number, h.proposal, this.o.expiryHours, extra.imageText) }]
    }
    if (pacing.digestDue === undefined) pacing = { ...pacing, digestDue: at.getTime() + this.o.digestMinutes * 60_000 }
    await this.store.savePacing(owner, pacing)
    return []
  }

  /** An owner's (or anyone's) private message to the bot: an answer, a command, or nothing for us. */
  async onPrivate(event: PrivateEvent, at: Date): Promise<SupervisorEffect[]> {
    const managed = await this.managedBy(event.sender)
    const answer = parseAnswer(event.text)
    if (answer) return this.answer(event.sender, answer.verdict, answer.number, at, managed.length > 0)
    // A member's 申诉 about what the guard did to them (members write privately too).
    if (managed.length === 0 && isAppeal(event.text)) return this.appeal(event, at)
    const command = parseOwnerCommand(event.text)
    if (!command || managed.length === 0) return [] // strangers learn nothing, not even that we listen
    const say = (text: string): SupervisorEffect[] => [{ kind: 'say', to: event.sender, text }]
    switch (command.kind) {
      case 'help':
        return say(OWNER_HELP)
      case 'list':
        return say(rulesListText(await this.listing(managed)))
      case 'report':
        return say(await this.report(managed, at))
      case 'groups':
        return say(await this.groupsText(managed))
      case 'keywords':
        return say(await this.changeKeywords(managed, command.add, command.args))
      case 'whitelist':
        return say(await this.changeWhitelist(managed, command.add, command.args))
      case 'lock':
        return say(await this.changeLocks(managed, command.add, command.args))
      case 'flood':
        return say(await this.changeFlood(managed, command.args))
      case 'verify':
        return say(await this.changeVerification(managed, command.args))
      case 'blacklist':
        return say(await this.blacklistText(managed))
      case 'unblacklist':
        return say(await this.unblacklist(managed, command.who))
      case 'wrong':
        return this.markWrong(event.sender, managed, command.ref, at)
      case 'quiet': {
        const room = this.findRoom(managed, command.group)
        if (!room) return say(`[qunguard] 找不到群「${command.group ?? ''}」。回复「规则」查看群编号（G1、G2…）。`)
        await this.saveOverrides(room, (o) => ({ ...o, quiet: command.on }))
        return say(
          `[qunguard] 群「${this.topic(room)}」安静模式已${command.on ? '开启：违规只私信提醒你，不在群里@警告' : '关闭：恢复在群里@警告'}。`,
        )
      }
      case 'rule': {
        const listed = (await this.listing(managed)).flatMap((r) => r.rules.map((x) => ({ ...x, room: r })))
        const ref = command.ref.toUpperCase()
        const hit = listed.find((x) => x.ref === ref) ?? listed.find((x) => x.record.rule === command.ref)
        if (!hit) return say(`[qunguard] 找不到规则「${command.ref}」。回复「规则」查看编号。`)
        let change: ReturnType<typeof applyOwnerCommand>['change']
        const rule = await this.update(hit.record.room, hit.record.rule, hit.record.state, (record) => {
          const applied = applyOwnerCommand(record, command.command, at.toISOString())
          change = applied.change
          return applied.rule
        })
        const effects = say(`[qunguard] ${hit.ref}「${hit.name}」现在是：${stateName(rule.state, rule.paused)}。`)
        if (change) this.deps.onNote?.({ kind: 'changed', room: rule.room, rule: rule.rule, change })
        if (change)
          await this.addToDay(rule.room, at, {
            change: `${hit.name}：${stateName(change.from)} → ${stateName(change.to)}（${change.why}）`,
          })
        return effects
      }
    }
  }

  /** Expires unanswered requests, sends due digests and, once a day, the report. */
  async tick(at: Date): Promise<SupervisorEffect[]> {
    const now = at.toISOString()
    const effects: SupervisorEffect[] = []
    for (const r of await this.store.listOverdue(now)) {
      const closed = await this.store.close(r.owner, r.number, 'expired', now)
      if (!closed) continue
      this.deps.onNote?.({ kind: 'expired', room: r.room, rule: r.rule })
      if (r.rule === APPEAL_RULE_ID) continue // an unanswered appeal leaves the rule's record as it was
      await this.update(r.room, r.rule, 'shadow', (rule) => recordAnswer(rule, r.decisionId, 'expired', now, this.o.lifecycle).rule)
      if (!r.done) await this.addToDay(r.room, at, { expired: 1 })
      if (r.notifiedAt && !r.done) {
        const pacing = await this.pacing(r.owner)
        await this.store.savePacing(r.owner, { ...pacing, expiredUnseen: pacing.expiredUnseen + 1 })
      }
    }
    for (const owner of await this.store.listPacedOwners()) {
      const pacing = await this.pacing(owner)
      if (pacing.digestDue === undefined || at.getTime() < pacing.digestDue) continue
      await this.store.savePacing(owner, { ...pacing, digestDue: undefined })
      effects.push(...(await this.digest(owner, at)))
    }
    effects.push(...(await this.dailyReport(at)))
    return effects
  }

  // —— answers ————————————————————————————————————————————————————————————————

  private async answer(
    sender: string,
    verdict: 'approve' | 'reject',
    number: number,
    at: Date,
    isStaff: boolean,
  ): Promise<SupervisorEffect[]> {
    const now = at.toISOString()
    const request = await this.store.get(sender, number)
    const answerable = request?.status === 'open' && at.getTime() <= Date.parse(request.deadline)
    if (!request || !answerable) return isStaff || request ? [{ kind: 'say', to: sender, text: receiptText(number, 'unknown') }] : []
    if (request.rule === APPEAL_RULE_ID) return this.appealAnswered(request, verdict, at)
    const effects: SupervisorEffect[] = []
    // Carry the action out before closing: were this to die in between, the answer can be given again.
    if (verdict === 'approve' && !request.done) effects.push({ kind: 'act', approval: request })
    const closed = await this.store.close(sender, number, verdict === 'approve' ? 'approved' : 'rejected', now)
    if (!closed) return [{ kind: 'say', to: sender, text: receiptText(number, 'unknown') }]
    const outcome: Exclude<AnswerOutcome, 'unknown'> = request.done
      ? verdict === 'approve'
        ? 'confirmed'
        : 'flagged'
      : verdict === 'approve'
        ? 'approved'
        : 'rejected'
    if (!request.done) await this.addToDay(request.room, at, verdict === 'approve' ? { approved: 1 } : { rejected: 1 })
    effects.push({ kind: 'say', to: sender, text: receiptText(number, outcome) })
    this.deps.onNote?.({ kind: 'answered', room: request.room, rule: request.rule, outcome })
    let change: StateChange | undefined
    await this.update(request.room, request.rule, request.done ? 'active' : 'shadow', (rule) => {
      const next = recordAnswer(rule, request.decisionId, verdict === 'approve' ? 'approved' : 'rejected', now, this.o.lifecycle)
      change = next.change
      return next.rule
    })
    if (change) effects.push(...(await this.announceChange(request.room, request.rule, change, at)))
    return effects
  }

  private async announceChange(room: string, rule: string, change: StateChange, at: Date): Promise<SupervisorEffect[]> {
    this.deps.onNote?.({ kind: 'changed', room, rule, change })
    await this.knowRoom(room)
    const name = this.ruleName(room, rule)
    await this.addToDay(room, at, { change: `${name}：${stateName(change.from)} → ${stateName(change.to)}（${change.why}）` })
    const text = stateChangeText(name, this.topic(room), change)
    return this.staffOf(room).map((to) => ({ kind: 'say' as const, to, text }))
  }

  // —— digests and reports ————————————————————————————————————————————————————

  private async digest(owner: string, at: Date): Promise<SupervisorEffect[]> {
    const waiting = (await this.store.listOpen(owner)).filter((r) => !r.notifiedAt && Date.parse(r.deadline) >= at.getTime())
    const reviews = waiting.filter((r) => r.done)
    const candidates = waiting.filter((r) => !r.done)
    // Active learning: within the budget, ask first about what the guard is least sure of.
    let pacing = await this.pacing(owner)
    const budget = Math.max(0, this.o.dailyBudget - sentWithin(pacing, at.getTime(), 24 * HOUR))
    const ranked = await this.leastSureFirst(candidates)
    const asks = ranked.slice(0, budget).sort((a, b) => a.number - b.number)
    if (ranked.length > asks.length) pacing = { ...pacing, digestDue: at.getTime() + this.o.digestMinutes * 60_000 }
    const expired = pacing.expiredUnseen
    pacing = { ...pacing, expiredUnseen: 0 }
    if (!asks.length && !reviews.length && !expired) {
      await this.store.savePacing(owner, pacing)
      return []
    }
    await this.store.savePacing(owner, noteSent(pacing, at.getTime(), asks.length))
    for (const a of asks) await this.addToDay(a.room, at, { asked: 1 })
    await this.store.markNotified(
      owner,
      [...asks, ...reviews].map((r) => r.number),
      at.toISOString(),
    )
    return [{ kind: 'say', to: owner, text: digestText(asks, reviews, expired) }]
  }

  private async leastSureFirst(requests: readonly ApprovalRecord[]): Promise<ApprovalRecord[]> {
    const width = new Map<string, number>()
    for (const r of requests) {
      const key = `${r.room}#${r.rule}`
      if (width.has(key)) continue
      const rec = await this.record(r.room, r.rule)
      const yes = rec?.approved ?? 0
      const no = rec?.rejected ?? 0
      const n = yes + no
      // The width of the rule's precision interval: wide (few answers, or mixed ones) = unsure.
      const c = this.o.lifecycle.confidence
      width.set(key, wilsonUpperBound(yes, n, c) - wilsonLowerBound(yes, n, c))
    }
    const unsure = (r: ApprovalRecord) => width.get(`${r.room}#${r.rule}`) ?? 1
    const margin = (r: ApprovalRecord) => Math.abs((r.score ?? 1) - 0.5)
    return [...requests].sort((a, b) => unsure(b) - unsure(a) || margin(a) - margin(b) || a.number - b.number)
  }

  /** Once a day, after the report hour: each owner (of a room, or written to before) whose rooms had something that day. */
  private async dailyReport(at: Date): Promise<SupervisorEffect[]> {
    if (this.o.reportHour === undefined) return []
    const local = new Date(at.getTime() + this.o.utcOffsetMinutes * 60_000)
    const day = local.toISOString().slice(0, 10)
    if (local.getUTCHours() < this.o.reportHour) return []
    await this.knowAllRooms()
    const owners = new Set(await this.store.listPacedOwners())
    for (const info of this.rooms.values()) if (info.owner) owners.add(info.owner)
    const effects: SupervisorEffect[] = []
    let reported = false
    for (const owner of [...owners].sort()) {
      const pacing = await this.pacing(owner)
      if (pacing.reportDay === day) continue
      reported = true
      await this.store.savePacing(owner, { ...pacing, reportDay: day })
      const managed = await this.managedBy(owner)
      const rows = await this.dayRows(managed, day)
      if (rows.length) effects.push({ kind: 'say', to: owner, text: reportText(day, rows) })
    }
    // Keep a week of counts.
    if (reported) await this.store.pruneDays(new Date(local.getTime() - 7 * 24 * HOUR).toISOString().slice(0, 10))
    return effects
  }

  private async report(rooms: readonly string[], at: Date): Promise<string> {
    const day = this.localDay(at)
    return reportText(day, await this.dayRows(rooms, day))
  }

  private async dayRows(rooms: readonly string[], day: string): Promise<{ topic: string; counts: DayCounts }[]> {
    const rows: { topic: string; counts: DayCounts }[] = []
    for (const room of rooms) {
      const counts = await this.store.getDay(day, room)
      if (counts) rows.push({ topic: this.topic(room), counts })
    }
    return rows
  }

  // —— rooms, rules, records ——————————————————————————————————————————————————

  private async listing(rooms: readonly string[]): Promise<ListedRoom[]> {
    const sorted = this.sortedRooms(rooms)
    const all = await this.store.listRules()
    const out: ListedRoom[] = []
    let k = 0
    for (const [i, room] of sorted.entries()) {
      const infos = [...this.deps.rulesOf(room, this.rooms.get(room)?.topic)]
      for (const r of all)
        if (r.room === room && !infos.some((x) => x.id === r.rule)) infos.push({ id: r.rule, initial: r.state, name: ruleName(r.rule) })
      const rules = []
      for (const info of infos) {
        const record = (await this.record(room, info.id)) ?? newRule(room, info.id, info.initial)
        rules.push({ ref: `R${++k}`, name: info.name, record })
      }
      const o = await this.overrides(room)
      out.push({ room, ref: `G${i + 1}`, topic: this.topic(room), quiet: o.quiet ?? false, rules, chat: chatChanges(o) })
    }
    return out
  }

  private findRoom(managed: readonly string[], group: string | undefined): string | undefined {
    if (group === undefined) return managed.length === 1 ? managed[0] : undefined
    const sorted = this.sortedRooms(managed)
    const g = /^g(\d+)$/i.exec(group)
    if (g) return sorted[Number(g[1]) - 1]
    return sorted.find((r) => r === group || this.topic(r) === group) ?? sorted.find((r) => this.topic(r).includes(group))
  }

  // —— a decision marked wrong after the fact (误判 D12) ————————————————————————————————

  /**
   * One of the guard's decisions in the owner's groups was wrong. With its request still open to
   * this owner it is the answer N<n>; otherwise its rule's record counts it as a rejection
   * (recordCorrection: an earlier approval taken back, an expiry answered), which may demote an
   * acting rule, as answers do.
   */
  private async markWrong(sender: string, managed: readonly string[], ref: string, at: Date): Promise<SupervisorEffect[]> {
    const say = (text: string): SupervisorEffect[] => [{ kind: 'say', to: sender, text }]
    const id = Number(/^d?(\d+)$/iu.exec(ref.trim())?.[1])
    const d = Number.isSafeInteger(id) && id > 0 ? (await this.deps.decisions?.listDecisions({ id }))?.[0] : undefined
    if (!d || !managed.includes(d.room) || d.action === 'reply' || d.rule === CLEANUP_RULE_ID)
      return say(`[qunguard] 找不到处理「${ref}」：编号见控制台的“处理记录”（D12 这样的编号），只能是你的群里的处理。`)
    const open = (await this.store.listOpen(sender)).find((r) => r.decisionId === d.id)
    if (open) return this.answer(sender, 'reject', open.number, at, true)
    if (d.rule === APPEAL_RULE_ID) return say(`[qunguard] D${d.id} 是成员的申诉，不是规则的处理。`)
    let change: StateChange | undefined
    let already = false
    await this.update(d.room, d.rule, d.mode === 'active' ? 'active' : 'shadow', (rule) => {
      const next = recordCorrection(rule, d.id, at.toISOString(), this.o.lifecycle)
      change = next.change
      already = next.already
      return next.rule
    })
    const name = this.ruleName(d.room, d.rule)
    if (already) return say(`[qunguard] D${d.id}（「${this.topic(d.room)}」，${name}）已经记为误判了。`)
    await this.addToDay(d.room, at, { rejected: 1 })
    this.deps.onNote?.({ kind: 'answered', room: d.room, rule: d.rule, outcome: 'rejected' })
    const effects = say(`[qunguard] 已把 D${d.id}（「${this.topic(d.room)}」，${name}）记为误判，这条规则的记录已更正。`)
    if (change) effects.push(...(await this.announceChange(d.room, d.rule, change, at)))
    return effects
  }

  // —— appeals (申诉) ——————————————————————————————————————————————————————————————

  /**
   * A member's appeal against the latest warning or removal the guard carried out on them (in the
   * last `APPEAL_DAYS` days): a numbered request to that group's owner with the evidence. Open
   * once per decision (its request's number is kept under the decision's negative id, apart from
   * the decision's own review).
   */
  private async appeal(event: PrivateEvent, at: Date): Promise<SupervisorEffect[]> {
    const say = (text: string): SupervisorEffect[] => [{ kind: 'say', to: event.sender, text }]
    const book = this.deps.decisions
    if (!book) return []
    const since = at.getTime() - APPEAL_DAYS * 24 * HOUR
    const acted = (await book.listDecisions({ target: event.sender })).filter(
      (d) => d.mode === 'active' && (d.action === 'warn' || d.action === 'remove') && Date.parse(d.ts) >= since && d.outgoing?.ownerId,
    )
    const d = acted.at(-1)
    if (!d?.outgoing?.ownerId) return say(`[qunguard] 没有找到最近 ${APPEAL_DAYS} 天内你被警告或移出的记录。`)
    await this.knowRoom(d.room)
    const owner = d.outgoing.ownerId
    const words = event.text.replace(/^\s*申诉[:：\s]*/u, '').trim() // as the member wrote them
    const evidence = await book.getEvent(d.event)
    const said = evidence?.kind === 'message' ? describeMessage(evidence) : ''
    const who = evidence?.kind === 'message' ? memberName(evidence.senderName, event.sender) : event.sender
    const rule = this.ruleName(d.room, d.rule)
    const approval = await this.store.open({
      owner,
      room: d.room,
      rule: APPEAL_RULE_ID,
      decisionId: -d.id,
      request: { decisionId: d.id, decision: d, messageId: d.event, text: '', ownerId: owner },
      createdAt: at.toISOString(),
      deadline: new Date(at.getTime() + this.o.expiryHours * HOUR).toISOString(),
      done: true,
      topic: this.topic(d.room),
      summary: `群「${this.topic(d.room)}」${who} 申诉：${stepName(d.action)}（${rule.slice(0, 40)}）`,
      score: d.score,
    })
    if (approval.notifiedAt || approval.status !== 'open') return say('[qunguard] 你的申诉已经提交，请等待群主处理。')
    await this.store.markNotified(owner, [approval.number], at.toISOString())
    const n = approval.number
    return [
      ...say(`[qunguard] 申诉已提交给群「${this.topic(d.room)}」的群主，处理后会告诉你。`),
      {
        kind: 'say',
        to: owner,
        text: [
          `[qunguard] 申诉 #${n}`,
          `群：${this.topic(d.room)}`,
          `成员：${who}`,
          `处理：${stepName(d.action)}（${rule}）`,
          `当时的内容：${said || '（未知）'}`,
          `申诉理由：${words || '（未写）'}`,
          `回复 Y${n} 支持申诉（记为误判，清除其违规记录），N${n} 维持原处理（${this.o.expiryHours} 小时内有效）`,
        ].join('\n'),
      },
    ]
  }

  /** The owner's answer to an appeal: upheld, a false positive on the rule and the member's offences cleared; else kept. */
  private async appealAnswered(request: ApprovalRecord, verdict: 'approve' | 'reject', at: Date): Promise<SupervisorEffect[]> {
    const now = at.toISOString()
    const closed = await this.store.close(request.owner, request.number, verdict === 'approve' ? 'approved' : 'rejected', now)
    if (!closed) return [{ kind: 'say', to: request.owner, text: receiptText(request.number, 'unknown') }]
    const d = request.request.decision
    const group = this.topic(d.room)
    if (verdict === 'reject')
      return [
        { kind: 'say', to: request.owner, text: `[qunguard] 已维持原处理（申诉 #${request.number}）。` },
        { kind: 'say', to: d.target, text: `[qunguard] 你在群「${group}」的申诉未被支持，维持原处理。` },
      ]
    // A false positive on the rule: its record learns it (and may send it back to trial).
    let change: StateChange | undefined
    await this.update(d.room, d.rule, 'active', (rule) => {
      const next = recordAnswer(rule, request.request.decisionId, 'rejected', now, this.o.lifecycle)
      change = next.change
      return next.rule
    })
    const cleared = (await this.deps.decisions?.clearOffences(d.room, d.target)) ?? 0
    this.deps.onNote?.({ kind: 'answered', room: d.room, rule: d.rule, outcome: 'flagged' })
    const removed = d.action === 'remove'
    const effects: SupervisorEffect[] = [
      {
        kind: 'say',
        to: request.owner,
        text: `[qunguard] 已支持申诉 #${request.number}：规则「${this.ruleName(d.room, d.rule)}」记一次误判，清除了该成员在本群的 ${cleared} 条违规记录。${removed ? '成员已被移出：正在邀请其回群。' : ''}`,
      },
      {
        kind: 'say',
        to: d.target,
        text: `[qunguard] 你在群「${group}」的申诉已通过：处理已撤销，违规记录已清除。${removed ? '你会被邀请回群。' : ''}`,
      },
    ]
    // Back into the group where the puppet can invite; else the owner is asked to.
    const evidence = removed ? await this.deps.decisions?.getEvent(d.event) : undefined
    const who = evidence?.kind === 'message' ? memberName(evidence.senderName, d.target) : d.target
    if (removed)
      effects.push({
        kind: 'invite',
        request: {
          decisionId: -1,
          decision: {
            ...d,
            action: 'alert-owner',
            mode: 'active',
            rule: APPEAL_RULE_ID,
            score: 1,
            reason: `申诉 #${request.number} 已支持，邀请回群`,
          },
          messageId: request.request.messageId,
          text: `[qunguard] 本账号无法邀请成员入群：请你把 ${who} 邀请回群「${group}」（申诉 #${request.number} 已支持）。`,
          ownerId: request.owner,
          invite: true,
        },
      })
    if (change) effects.push(...(await this.announceChange(d.room, d.rule, change, at)))
    return effects
  }

  // —— managing groups by name from the chat ————————————————————————————————————————

  /** A sender's groups in the order `规则` and `群列表` number them (G1, G2 …): by name. */
  private sortedRooms(managed: readonly string[]): string[] {
    return [...managed].sort((a, b) => this.topic(a).localeCompare(this.topic(b)) || a.localeCompare(b))
  }

  private async groupsText(managed: readonly string[]): Promise<string> {
    const lines = []
    for (const [i, room] of this.sortedRooms(managed).entries()) {
      const o = await this.overrides(room)
      lines.push(`G${i + 1} ${this.topic(room)}${o.quiet ? '（安静模式）' : ''}${chatChanges(o) ? `：${chatChanges(o)}` : ''}`)
    }
    return ['[qunguard] 你管理的群（指令里写 G1、G2 或群名）：', ...lines].join('\n')
  }

  /** The group a command names first (G2, its name), else the sender's only group; the rest of its words. */
  private commandGroup(managed: readonly string[], args: readonly string[]): { room?: string; rest: string[] } {
    const [first, ...rest] = args
    const named = first !== undefined && (/^g\d+$/i.test(first) || managed.some((r) => r === first || this.topic(r) === first))
    if (named) return { room: this.findRoom(managed, first), rest }
    return { room: managed.length === 1 ? managed[0] : undefined, rest: [...args] }
  }

  private async changeKeywords(managed: readonly string[], add: boolean, args: readonly string[]): Promise<string> {
    const { room, rest } = this.commandGroup(managed, args)
    if (!room) return '[qunguard] 请写明是哪个群，如「加关键词 G1 代购」。回复「群列表」查看群编号。'
    if (!rest.length) return '[qunguard] 请写上关键词，如「加关键词 G1 代购 微商」。'
    const before = (await this.overrides(room)).keywords ?? []
    const missing = add ? [] : rest.filter((w) => !before.includes(w))
    const keywords = add ? [...new Set([...before, ...rest])] : before.filter((w) => !rest.includes(w))
    await this.saveOverrides(room, (o) => ({ ...o, keywords }))
    const now = keywords.length ? `现有：${keywords.join('、')}` : '聊天中加的关键词已全部删除'
    const done = add
      ? `已加关键词：${rest.join('、')}（违者按本群的警告→移出处理）`
      : `已删除关键词：${rest.filter((w) => before.includes(w)).join('、') || '无'}`
    const not = missing.length ? `；不在聊天中加的关键词里：${missing.join('、')}（配置文件里的关键词要改配置文件）` : ''
    return `[qunguard] 群「${this.topic(room)}」${done}${not}。${now}。`
  }

  private async changeWhitelist(managed: readonly string[], add: boolean, args: readonly string[]): Promise<string> {
    const { room, rest } = this.commandGroup(managed, args)
    const who = rest.join(' ')
    if (!room) return '[qunguard] 请写明是哪个群，如「白名单 G1 小王」。回复「群列表」查看群编号。'
    if (!who) return '[qunguard] 请写上成员的昵称或微信号，如「白名单 G1 小王」。'
    const listed = (await this.overrides(room)).whitelist ?? []
    if (!add) {
      const hits = listed.filter((w) => w.id === who || w.name === who || (w.name ?? '').includes(who))
      if (hits.length !== 1)
        return hits.length
          ? `[qunguard] 白名单里有 ${hits.length} 人与「${who}」相符，请写完整的昵称或微信号。`
          : `[qunguard] 群「${this.topic(room)}」的白名单里没有「${who}」。`
      await this.saveOverrides(room, (o) => ({ ...o, whitelist: (o.whitelist ?? []).filter((w) => w.id !== hits[0]?.id) }))
      return `[qunguard] 已把 ${memberName(hits[0]?.name, hits[0]?.id ?? who)} 移出群「${this.topic(room)}」的白名单。`
    }
    const found = (await this.deps.members?.findMembers(room, who)) ?? []
    const exact = found.filter((m) => m.member === who || m.name === who)
    const pick = exact.length === 1 ? exact : found
    if (pick.length !== 1)
      return pick.length
        ? `[qunguard] 群「${this.topic(room)}」里有 ${pick.length} 人与「${who}」相符（${pick.map((m) => memberName(m.name, m.member)).join('、')}），请写完整的昵称或微信号。`
        : `[qunguard] 群「${this.topic(room)}」里找不到「${who}」（昵称或微信号）。`
    const m = pick[0] as { member: string; name?: string | undefined }
    await this.saveOverrides(room, (o) => ({
      ...o,
      whitelist: [...(o.whitelist ?? []).filter((w) => w.id !== m.member), { id: m.member, ...(m.name ? { name: m.name } : {}) }],
    }))
    return `[qunguard] 已把 ${memberName(m.name, m.member)} 加入群「${this.topic(room)}」的白名单：不再处理这位成员。`
  }

  private async changeLocks(managed: readonly string[], add: boolean, args: readonly string[]): Promise<string> {
    const { room, rest } = this.commandGroup(managed, args)
    if (!room) return '[qunguard] 请写明是哪个群，如「锁定 G1 链接」。回复「群列表」查看群编号。'
    const types = rest.map((w) => LOCK_WORDS[w] ?? (Object.values(LOCK_WORDS).includes(w.toLowerCase()) ? w.toLowerCase() : undefined))
    const unknown = rest.filter((_, i) => types[i] === undefined)
    if (!rest.length || unknown.length)
      return `[qunguard] ${unknown.length ? `不认识「${unknown.join('、')}」。` : ''}可锁定：${Object.keys(LOCK_WORDS).join('、')}。`
    const before = (await this.overrides(room)).limits?.lock ?? []
    const chosen = types as string[]
    const lock = add ? [...new Set([...before, ...chosen])] : before.filter((t) => !chosen.includes(t))
    await this.saveOverrides(room, (o) => ({ ...o, limits: { ...o.limits, lock } }))
    const words = (ts: readonly string[]) => ts.map(lockWord).join('、')
    const now = lock.length ? `聊天中锁定的：${words(lock)}` : '聊天中没有锁定的类型'
    return `[qunguard] 群「${this.topic(room)}」${add ? `已锁定：${words(chosen)}（违者按本群的警告→移出处理）` : `已解锁：${words(chosen.filter((t) => before.includes(t))) || '无'}`}。${now}。`
  }

  private async changeFlood(managed: readonly string[], args: readonly string[]): Promise<string> {
    const { room, rest } = this.commandGroup(managed, args)
    if (!room) return '[qunguard] 请写明是哪个群，如「刷屏 G1 5 10」。回复「群列表」查看群编号。'
    if (rest.length === 1 && ['关', '关闭', 'off'].includes(rest[0]?.toLowerCase() ?? '')) {
      await this.saveOverrides(room, (o) => ({ ...o, limits: { ...o.limits, flood: null } }))
      return `[qunguard] 群「${this.topic(room)}」不再限制刷屏。`
    }
    const [count, windowS] = rest.map(Number)
    if (
      rest.length !== 2 ||
      !Number.isInteger(count) ||
      !Number.isInteger(windowS) ||
      (count ?? 0) < 2 ||
      (windowS ?? 0) < 1 ||
      (windowS ?? 0) > 3600
    )
      return '[qunguard] 写法：「刷屏 G1 5 10」= 10 秒内连发 5 条以上算刷屏（条数至少 2，秒数 1–3600）；「刷屏 G1 关」不限。'
    await this.saveOverrides(room, (o) => ({
      ...o,
      limits: { ...o.limits, flood: { count: count as number, windowS: windowS as number } },
    }))
    return `[qunguard] 群「${this.topic(room)}」${windowS} 秒内连发 ${count} 条以上算刷屏（违者按本群的警告→移出处理）。`
  }

  /** 验证 G1 开 / 关: newcomer verification switched for a group, over the config's `verification.enabled`. */
  private async changeVerification(managed: readonly string[], args: readonly string[]): Promise<string> {
    const { room, rest } = this.commandGroup(managed, args)
    const sw = rest.length === 1 ? (rest[0]?.toLowerCase() ?? '') : ''
    const on = ['开', '开启', '打开', 'on'].includes(sw)
    if (!room || (!on && !['关', '关闭', 'off'].includes(sw)))
      return '[qunguard] 写法：「验证 G1 开」= 该群新成员须回复验证码；「验证 G1 关」不再验证。回复「群列表」查看群编号。'
    await this.saveOverrides(room, (o) => ({ ...o, verification: on }))
    return on
      ? `[qunguard] 群「${this.topic(room)}」已开启入群验证：新成员入群时会被@要求回复验证码，验证前发的链接、二维码、名片会被撤回，超时未验证按配置移出或提醒你。`
      : `[qunguard] 群「${this.topic(room)}」已关闭入群验证。`
  }

  // —— the owners' blacklists (blacklist.ts) ———————————————————————————————————————

  /** Whose blacklists a sender manages: the owners of the groups they own or administer. */
  private listOwners(managed: readonly string[]): string[] {
    const owners = managed.map((room) => this.rooms.get(room)?.owner ?? this.deps.configStaff?.(room, this.rooms.get(room)?.topic).owner)
    return [...new Set(owners.filter((x): x is string => Boolean(x)))].sort()
  }

  private async listed(managed: readonly string[]): Promise<BlacklistEntry[]> {
    const book = this.deps.blacklist
    if (!book) return []
    const out: BlacklistEntry[] = []
    for (const owner of this.listOwners(managed)) out.push(...(await book.listBlacklist(owner)))
    return out
  }

  private async blacklistText(managed: readonly string[]): Promise<string> {
    const entries = await this.listed(managed)
    if (!entries.length) return '[qunguard] 黑名单是空的：还没有成员因违规被移出。'
    for (const e of entries) await this.knowRoom(e.room)
    const day = (ts: string) => new Date(Date.parse(ts) + this.o.utcOffsetMinutes * 60_000).toISOString().slice(5, 16).replace('T', ' ')
    const lines = entries.map((e, i) => `${i + 1}. ${memberName(e.name, e.member)} — ${day(e.ts)} 在「${this.topic(e.room)}」因违规被移出`)
    return [`[qunguard] 黑名单（${entries.length} 人，在你所有的群都会被处理）：`, ...lines, '解除：回复「解除黑名单 昵称」'].join('\n')
  }

  private async unblacklist(managed: readonly string[], who: string): Promise<string> {
    const book = this.deps.blacklist
    const entries = await this.listed(managed)
    const exact = entries.filter((e) => e.member === who || e.name === who)
    const hits = exact.length ? exact : entries.filter((e) => e.name?.includes(who))
    const names = [...new Set(hits.map((e) => e.member))]
    if (!book || names.length === 0) return `[qunguard] 黑名单里没有「${who}」。回复「黑名单」查看名单。`
    if (names.length > 1)
      return `[qunguard] 黑名单里有 ${names.length} 人与「${who}」相符（${hits.map((e) => memberName(e.name, e.member)).join('、')}），请写完整的昵称或微信号。`
    for (const e of hits) await book.unblacklist(e.owner, e.member)
    return `[qunguard] 已将 ${memberName(hits[0]?.name, hits[0]?.member ?? who)} 移出黑名单：再入群或发言不再因此被处理。`
  }

  /** Rooms this WeChat id owns or administers (room snapshots and the config). */
  // —— what the owner's console reads (the same as 规则 and the requests in the chat) ——————————

  /**
   * The groups `who` owns or administers (every group known, without `who`: a replay's report),
   * numbered and with their rules' records as `规则` lists them (G1, R1 …).
   */
  async groupsOf(who?: string): Promise<ListedRoom[]> {
    return this.listing(who === undefined ? await this.knownRooms() : await this.managedBy(who))
  }

  /** The requests open to `who` (their numbers are the `Y<n>` / `N<n>` to answer them with). */
  async openRequestsOf(who: string): Promise<ApprovalRecord[]> {
    return this.store.listOpen(who)
  }

  private async managedBy(who: string): Promise<string[]> {
    return (await this.knownRooms()).filter((room) => this.staffOf(room).includes(who))
  }

  /** Every room the store has a snapshot of, and every room the config names. */
  private async knownRooms(): Promise<string[]> {
    await this.knowAllRooms()
    return [...new Set<string>([...this.rooms.keys(), ...(this.deps.configRooms ?? [])])]
  }

  private staffOf(room: string): string[] {
    const info = this.rooms.get(room)
    const cfg = this.deps.configStaff?.(room, this.rooms.get(room)?.topic)
    return [...new Set([info?.owner, cfg?.owner, ...(info?.admins ?? []), ...(cfg?.admins ?? [])].filter((x): x is string => Boolean(x)))]
  }

  private topic(room: string): string {
    return groupName(this.rooms.get(room)?.topic, room)
  }

  /** Reads a room's snapshot from the directory when this supervisor has not seen one. */
  private async knowRoom(room: string): Promise<void> {
    if (this.rooms.has(room) || !this.deps.rooms) return
    const r = await this.deps.rooms.getRoom(room)
    if (r) this.rooms.set(room, { topic: r.topic, owner: r.owner, admins: r.admins })
  }

  /** Reads every room's snapshot from the directory (those this supervisor has not seen). */
  private async knowAllRooms(): Promise<void> {
    if (!this.deps.rooms) return
    for (const r of await this.deps.rooms.listRooms())
      if (!this.rooms.has(r.room)) this.rooms.set(r.room, { topic: r.topic, owner: r.owner, admins: r.admins })
  }

  private ruleName(room: string, rule: string): string {
    return this.deps.rulesOf(room, this.rooms.get(room)?.topic).find((r) => r.id === rule)?.name ?? ruleName(rule)
  }

  private async record(room: string, rule: string): Promise<SupervisedRule | undefined> {
    const key = `${room}#${rule}`
    if (!this.rules.has(key)) this.rules.set(key, (await this.store.getRule(room, rule)) ?? null)
    return this.rules.get(key) ?? undefined
  }

  private async ruleFor(room: string, rule: string, fallback: RuleState): Promise<SupervisedRule> {
    const known = await this.record(room, rule)
    if (known) return known
    return newRule(room, rule, this.deps.rulesOf(room, this.rooms.get(room)?.topic).find((r) => r.id === rule)?.initial ?? fallback)
  }

  /**
   * Applies a change to a rule's record and saves it. When someone else saved the record since
   * it was read (on AWS: the approvals function and the monitor's tick at the same moment), the
   * record is read again and the change applied to that, so neither count is lost.
   */
  private async update(
    room: string,
    rule: string,
    fallback: RuleState,
    change: (r: SupervisedRule) => SupervisedRule,
  ): Promise<SupervisedRule> {
    for (let attempt = 1; ; attempt++) {
      const next = change(await this.ruleFor(room, rule, fallback))
      try {
        await this.store.saveRule(next)
        const saved = { ...next, version: (next.version ?? 0) + 1 }
        this.rules.set(`${room}#${rule}`, saved)
        return saved
      } catch (e) {
        if (!(e instanceof RuleConflictError) || attempt >= SAVE_ATTEMPTS) throw e
        this.rules.delete(`${room}#${rule}`)
      }
    }
  }

  private summary(h: HandledDecision, action: string): string {
    const msg = h.message
    const who = memberName(msg?.senderName ?? h.about?.name, h.decision.target)
    const what = (msg ? describeMessage(msg) : (h.about?.what ?? '')).slice(0, 40)
    const rule = this.ruleName(h.decision.room, h.decision.rule)
    return `群「${this.topic(h.decision.room)}」${who}：${what} → ${stepName(action)}（${rule.slice(0, 40)}）`
  }

  // —— rate limits and daily counts ———————————————————————————————————————————

  private mayAskNow(pacing: OwnerPacing, ms: number): boolean {
    return sentWithin(pacing, ms, HOUR) < this.o.maxPerHour && sentWithin(pacing, ms, 24 * HOUR) < this.o.dailyBudget
  }

  /** An owner's pacing; an owner met for the first time is saved, so the daily report finds them. */
  private async pacing(owner: string): Promise<OwnerPacing> {
    const known = await this.store.getPacing(owner)
    if (known) return known
    await this.store.savePacing(owner, NO_PACING)
    return NO_PACING
  }

  private addToDay(room: string, at: Date, add: DayAddition): Promise<void> {
    return this.store.addToDay(this.localDay(at), room, add)
  }

  private localDay(at: Date): string {
    return new Date(at.getTime() + this.o.utcOffsetMinutes * 60_000).toISOString().slice(0, 10)
  }
}

function sentWithin(pacing: OwnerPacing, ms: number, window: number): number {
  return pacing.sent.filter((t) => ms - t < window).length
}

/** The pacing after n more requests sent at ms (times older than a day forgotten). */
function noteSent(pacing: OwnerPacing, ms: number, n: number): OwnerPacing {
  const times = pacing.sent.filter((t) => ms - t < 24 * HOUR)
  for (let i = 0; i < n; i++) times.push(ms)
  return { ...pacing, sent: times }
}

/** What an owner changed for a room from the chat, in words (empty when nothing). */
function chatChanges(o: RoomOverrides): string {
  const flood = o.limits?.flood
  const parts = [
    ...(o.keywords?.length ? [`关键词 ${o.keywords.join('、')}`] : []),
    ...(o.whitelist?.length ? [`白名单 ${o.whitelist.map((w) => memberName(w.name, w.id)).join('、')}`] : []),
    ...(o.limits?.lock?.length ? [`锁定 ${o.limits.lock.map(lockWord).join('、')}`] : []),
    ...(flood ? [`${flood.windowS} 秒内 ${flood.count} 条以上算刷屏`] : flood === null ? ['不限刷屏'] : []),
    ...(o.verification === undefined ? [] : [`入群验证${o.verification ? '开' : '关'}`]),
  ]
  return parts.join('；')
}

/** A lockable type as owners call it (`redpacket` → 红包). */
function lockWord(type: string): string {
  return Object.entries(LOCK_WORDS).find(([, t]) => t === type)?.[0] ?? type
}
