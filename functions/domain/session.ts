/**
 * GuardSession: the guard's one entry point — an event in; its decisions and what supervision
 * asks for (private messages to owners, approved actions) out.
 *
 *   event → Supervisor.observe → (tick, on the event's own clock, when asked) → Guard: store and
 *   judge → each decision to the Supervisor (approval request, review, counts) → a private message
 *   read as an owner's answer or command; a picture's report is remembered (FactsStore) and a
 *   member's 识别 / 评分 answered from it (`pictureReply`, which moderate calls on AWS too)
 *
 * With an executor (the Wechaty plugin) the session carries everything out itself and records
 * each action's outcome; without one (`replay`, tests) the effects are returned for the host. All
 * state is behind the two stores it is given (GuardStore, SupervisionStore), so a session built
 * afresh on the same stores carries on where another left off.
 *
 * @example
 *   const session = new GuardSession({ store, supervision, config, policy, executor })
 *   const { result, effects } = await session.handle(event, { at: new Date() })
 *   setInterval(() => void session.tick(new Date()), 60_000)
 */
import type { ActionExecutor, ActionOutcome, ActionRequest } from '../ports/action-executor.port.ts'
import type { FactsStore } from '../ports/facts-store.port.ts'
import type { GuardStore } from '../ports/guard-store.port.ts'
import type { SupervisionStore } from '../ports/supervision-store.port.ts'
import type { Config } from './config.ts'
import type { GroupEvent } from './events.ts'
import { Guard, type HandledDecision, type HandleResult } from './guard.ts'
import type { LearnedPolicy } from './learning/rule-learner.ts'
import type { ClassifierRuleOptions, MessageFeatures } from './policy.ts'
import { supervisorFor } from './supervision/catalogue.ts'
import type { Supervisor, SupervisorEffect } from './supervision/supervisor.ts'
import type { PictureReport } from './vision/inspector.ts'
import { pictureAnswer, pictureReplyRequest, pictureRequestOf, rememberPicture } from './vision/requests.ts'

export interface GuardSessionOptions {
  readonly store: GuardStore
  readonly supervision: SupervisionStore
  readonly config: Config
  /** A learned policy whose rules run next to the keyword rules, under supervision. */
  readonly policy?: LearnedPolicy | undefined
  /**
   * What the learned rules remember between messages (required with a policy), and the room's
   * latest pictures for 识别 / 评分 (without it those go unanswered).
   */
  readonly facts?: FactsStore | undefined
  /** Turns a classifier's spam score into shadow proposals. @default off */
  readonly classifierRule?: ClassifierRuleOptions | undefined
  /** Carries decisions and effects out; without one they are only returned. */
  readonly executor?: ActionExecutor | undefined
  /**
   * Put the decisions of an event the guard store had already (a resumed replay, whose
   * supervision starts afresh) to supervision again. @default false
   */
  readonly rehearStored?: boolean | undefined
  /** The clock for action records. @default the wall clock */
  readonly now?: (() => Date) | undefined
  /** What an operator should know: a config entry that fits several groups, a message that could not be sent. */
  readonly onProblem?: ((line: string) => void) | undefined
}

export interface SessionOutput {
  readonly result: HandleResult
  /**
   * The event's decisions: judged now, or (with `rehearStored`) stored by an earlier run — after
   * those the tick took first (`tick`: a newcomer whose time to verify ran out).
   */
  readonly decisions: readonly HandledDecision[]
  /** What supervision asked for, in order (carried out already when the session has an executor). */
  readonly effects: readonly SupervisorEffect[]
  /** The answer to a member's 识别 / 评分 in the group (sent already when the session has an executor). */
  readonly reply?: ActionRequest | undefined
}

/** What was read from a picture, to be remembered for 识别 / 评分. */
export type PictureRead = Pick<PictureReport, 'ocr' | 'faceDetails' | 'header' | 'quality' | 'problems'>

export class GuardSession {
  readonly guard: Guard
  readonly supervisor: Supervisor
  private readonly o: GuardSessionOptions
  private readonly now: () => Date
  private readonly problem: (line: string) => void

  constructor(options: GuardSessionOptions) {
    this.o = options
    this.now = options.now ?? (() => new Date())
    this.problem = options.onProblem ?? (() => {})
    this.supervisor = supervisorFor(options.config, options.supervision, {
      policy: options.policy,
      classifier: options.classifierRule !== undefined,
      rooms: options.store,
      blacklist: options.store,
      members: options.store,
      decisions: options.store,
    })
    this.guard = new Guard({
      store: options.store,
      config: options.config,
      executor: options.executor,
      now: this.now,
      classifierRule: options.classifierRule,
      learned: options.policy ? { policy: options.policy, facts: requiredFacts(options.facts) } : undefined,
      facts: options.facts,
      supervision: this.supervisor,
      onWarning: this.problem,
    })
  }

  /**
   * One event from any source. `at`: when it happens (the wall clock live, the event's own time in
   * a replay); `tick`: run supervision's periodic work at `at` first (a replay's clock).
   */
  async handle(
    event: GroupEvent,
    options: { at: Date; features?: MessageFeatures | undefined; picture?: PictureRead | undefined; tick?: boolean },
  ): Promise<SessionOutput> {
    const { at } = options
    this.supervisor.observe(event)
    const ticked = options.tick ? await this.clock(at) : { decisions: [], effects: [] }
    const effects: SupervisorEffect[] = [...ticked.effects]
    const facts = this.o.facts
    if (options.picture && facts && event.kind === 'message') await rememberPicture(facts, event, options.picture)
    const result = await this.guard.handleEvent(event, options.features)
    let own: readonly HandledDecision[] = []
    if (result.status === 'stored') own = result.decisions
    else if (result.status === 'duplicate' && this.o.rehearStored) own = await this.guard.resumed(event, options.features)
    else return { result, decisions: ticked.decisions, effects }
    const decisions = [...ticked.decisions, ...own]
    for (const h of own) effects.push(...(await this.carryOut(await this.supervisor.onDecision(h, at))))
    if (event.kind === 'private') effects.push(...(await this.carryOut(await this.supervisor.onPrivate(event, at))))
    const reply = facts && result.status === 'stored' ? await pictureReply(this.guard, facts, event, decisions) : undefined
    if (reply && this.o.executor) {
      const sent = await attempt(this.o.executor, reply)
      if (sent.status === 'failed') this.problem(`could not answer ${event.id} in ${reply.decision.room}: ${sent.detail}`)
    }
    return { result, decisions, effects, ...(reply ? { reply } : {}) }
  }

  /**
   * The periodic work: newcomers whose time to verify ran out (their decisions carried out, with an
   * executor, and supervised), then supervision's (expiry, digests, the daily report).
   */
  async tick(at: Date): Promise<SupervisorEffect[]> {
    return (await this.clock(at)).effects
  }

  private async clock(at: Date): Promise<{ decisions: HandledDecision[]; effects: SupervisorEffect[] }> {
    const decisions = await this.guard.settleDueVerifications(at)
    const effects: SupervisorEffect[] = []
    for (const h of decisions) effects.push(...(await this.carryOut(await this.supervisor.onDecision(h, at))))
    effects.push(...(await this.carryOut(await this.supervisor.tick(at))))
    return { decisions, effects }
  }

  /** With an executor: private messages sent, approved actions carried out and recorded. */
  private async carryOut(effects: readonly SupervisorEffect[]): Promise<SupervisorEffect[]> {
    const executor = this.o.executor
    if (!executor) return [...effects]
    for (const e of effects) {
      if (e.kind === 'invite') {
        const invited = await attempt(executor, e.request)
        if (invited.status === 'failed')
          this.problem(`could not invite ${e.request.decision.target} back to ${e.request.decision.room}: ${invited.detail}`)
        continue
      }
      if (e.kind === 'say') {
        const told = await attempt(executor, privateNote(e.to, e.text))
        if (told.status === 'failed') this.problem(`could not message ${e.to}: ${told.detail}`)
        continue
      }
      const outcome = await attempt(executor, e.approval.request)
      await this.o.store.recordAction({ decisionId: e.approval.decisionId, ...outcome, ts: this.now().toISOString() })
    }
    return [...effects]
  }
}

/**
 * The answer in the group to a member's 识别 / 评分 — when the message was stored without any
 * decision (a request that breaks a rule is not answered) and the room has the request switched
 * on — made from the room's remembered pictures.
 */
export async function pictureReply(
  guard: Guard,
  facts: FactsStore,
  event: GroupEvent,
  decisions: readonly unknown[],
): Promise<ActionRequest | undefined> {
  if (event.kind !== 'message' || !pictureRequestOf(event) || decisions.length > 0) return undefined
  const cfg = await guard.settingsOf(event.room)
  const text = await pictureAnswer(facts, event, { ocr: cfg.pictures.ocrOnRequest, selfie: cfg.pictures.selfieScore })
  return text === undefined ? undefined : pictureReplyRequest(event, text)
}

function requiredFacts(facts: FactsStore | undefined): FactsStore {
  if (!facts) throw new Error('GuardSession: a learned policy needs a FactsStore (facts) to remember members between messages')
  return facts
}

async function attempt(executor: ActionExecutor, request: ActionRequest): Promise<ActionOutcome> {
  try {
    return await executor.execute(request)
  } catch (error) {
    return { status: 'failed', detail: error instanceof Error ? error.message : String(error) }
  }
}

/** A private text to someone, as an action request (about no room). */
export function privateNote(to: string, text: string, about = ''): ActionRequest {
  return {
    decisionId: -1,
    decision: {
      event: about || 'supervision',
      room: 'private',
      target: to,
      action: 'alert-owner',
      mode: 'active',
      rule: 'supervision',
      score: 1,
      reason: text,
    },
    messageId: about,
    text,
    ownerId: to,
  }
}
