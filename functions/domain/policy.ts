/**
 * The moderation policy for one message: which rule it breaks (if any) and what to do about it.
 *
 * Pure functions: the caller (Guard) looks up the room, the member and the member's past
 * offences, and stores what comes out.
 */
import type { KeywordRule, LadderStep, RoomConfig } from './config.ts'
import type { Decision, DecisionAction, MessageEvent } from './events.ts'
import { toMillis } from './events.ts'
import { KeywordMatcher } from './keyword-matcher.ts'
import { decisionReason, groupName, memberName, ruleName, stepName, typeName } from './owner-words.ts'
import { type PiiKind, piiKindName, piiKinds } from './vision/pii.ts'

/** Message types that carry text a keyword rule can look at, when a rule names no types. */
export const TEXT_BEARING_TYPES: ReadonlySet<MessageEvent['type']> = new Set(['text', 'link', 'miniprogram', 'card', 'file', 'location'])

/** A room's rules compiled once: the matcher and a lookup from rule id to rule. */
export class CompiledRules {
  readonly matcher: KeywordMatcher
  readonly byId: ReadonlyMap<string, KeywordRule>
  constructor(readonly rules: readonly KeywordRule[]) {
    this.matcher = new KeywordMatcher(rules)
    this.byId = new Map(rules.map((r) => [r.id, r]))
  }
}

/** Who the message came from, as far as the policy needs to know. */
export interface SenderContext {
  /** The guard's own accounts (several when several bot accounts guard the same groups). */
  readonly bots?: readonly string[] | undefined
  readonly owner?: string | undefined
  readonly admins: readonly string[]
  /** When the sender joined the room; undefined if they were there before the guard. */
  readonly joinedAt?: string | undefined
}

export interface Violation {
  readonly rule: KeywordRule
  /** The keywords that were found, for the explanation. */
  readonly keywords: readonly string[]
  /** Set when the rule proposes only (a classifier verdict): the decision is shadow whatever the room's mode. */
  readonly shadowOnly?: boolean | undefined
  /** The rule's own mode now (supervision); the room's shadow mode still wins. @default active (shadow when shadowOnly) */
  readonly mode?: 'active' | 'shadow' | undefined
  /** A learned rule: in shadow it asks the owner (`ask-owner`) rather than naming a step. */
  readonly learned?: boolean | undefined
  /** Confidence in [0, 1]; keyword rules are certain. */
  readonly score?: number | undefined
}

/**
 * What the pipeline learned about a message before judging it: the text read from its picture
 * (vision) and the ad classifier's spam probability. Both are optional; rules see the picture's
 * text as if it had been typed ("an ad inside a picture is an ad").
 */
export interface MessageFeatures {
  /** Text read from the picture (personal numbers already masked). */
  readonly imageText?: string | undefined
  /** What a voice message said (transcribed). */
  readonly voiceText?: string | undefined
  readonly spamScore?: number | undefined
  /** Whether the picture holds a QR code (vision), for learned rules about QR-code pictures. */
  readonly qr?: boolean | undefined
  /** Kinds of personal numbers in the picture (vision): an ID card or a plate counts as its number. */
  readonly pii?: readonly PiiKind[] | undefined
  /** The picture's unsafe-content score in [0, 1] (vision). */
  readonly nsfw?: number | undefined
  /**
   * The transport vouches that this event was not handed over before (an SQS message's first
   * receive, within the queue's deduplication window): the guard skips its repeat read before
   * judging. The conditional write that stores the event still keeps it once whatever this says;
   * a repeat sent after the window is judged again and turned away at that write.
   */
  readonly firstDelivery?: boolean | undefined
}

/** The ad classifier as a rule: above `threshold` it proposes `action`, always in shadow, for the owner to approve. */
export interface ClassifierRuleOptions {
  readonly threshold: number
  readonly action: LadderStep
}

export const CLASSIFIER_RULE_ID = 'ad-classifier'
/** The built-in rule for personal numbers (ID cards, bank cards, plates …). */
export const PRIVACY_RULE_ID = 'privacy'
/** The built-in rule for unsafe pictures. */
export const NSFW_RULE_ID = 'nsfw'

/** The people a guard never acts on: itself, the room's owner and admins, and the whitelist. */
export function isProtected(sender: string, cfg: RoomConfig, ctx: SenderContext): boolean {
  return (
    (ctx.bots?.includes(sender) ?? false) ||
    sender === ctx.owner ||
    sender === cfg.owner ||
    ctx.admins.includes(sender) ||
    cfg.admins.includes(sender) ||
    cfg.whitelist.includes(sender)
  )
}

/** The text a keyword rule looks at: the message text, the link address, and what a picture or voice message said. */
export function messageText(msg: MessageEvent, features: MessageFeatures = {}): string {
  return [msg.text, msg.url, features.imageText, features.voiceText].filter(Boolean).join(' ')
}

/**
 * The personal numbers a message carries that the room's privacy setting acts on: what its text
 * and link held before they were masked at the edge (`msg.pii`), what is still readable in them,
 * what its voice said and what its picture shows.
 */
export function privacyKinds(msg: MessageEvent, cfg: RoomConfig, features: MessageFeatures = {}): PiiKind[] {
  if (cfg.privacy.action === 'off') return []
  const typed = [msg.text, msg.url, features.voiceText].flatMap((t) => (t ? piiKinds(t) : []))
  return [...new Set([...(msg.pii ?? []), ...typed, ...(features.pii ?? [])])].filter((k) => cfg.privacy.kinds.includes(k))
}

/**
 * The first rule (in config order) this message breaks, or undefined.
 * Rules are matched in one pass over the normalised text whatever their number.
 */
export function findViolation(
  msg: MessageEvent,
  cfg: RoomConfig,
  compiled: CompiledRules,
  ctx: SenderContext,
  features: MessageFeatures = {},
  classifier?: ClassifierRuleOptions,
  /** Whether a rule may fire now (supervision: not retired or paused). @default every rule */
  allowed: (ruleId: string) => boolean = () => true,
): Violation | undefined {
  if (cfg.mode === 'off' || isProtected(msg.sender, cfg, ctx)) return undefined
  const personal = privacyKinds(msg, cfg, features)
  if (personal.length && allowed(PRIVACY_RULE_ID)) {
    const names = personal.map(piiKindName).join('、')
    return {
      rule: {
        id: PRIVACY_RULE_ID,
        any: [],
        all: [],
        exclude: [],
        newcomerHours: 0,
        mode: 'active',
        action: cfg.privacy.action === 'alert-owner' ? 'alert-owner' : 'recall',
        reason: `发送了含${names}的内容（号码已隐藏，保护个人信息）`,
      },
      keywords: [],
    }
  }
  if (cfg.pictures.nsfw !== 'off' && (features.nsfw ?? 0) >= cfg.pictures.nsfwThreshold && allowed(NSFW_RULE_ID)) {
    return {
      rule: {
        id: NSFW_RULE_ID,
        any: [],
        all: [],
        exclude: [],
        newcomerHours: 0,
        mode: 'active',
        action: cfg.pictures.nsfw,
        reason: `发送了不适宜的图片（模型判断 ${Math.round((features.nsfw ?? 0) * 100)}%）`,
      },
      keywords: [],
      score: features.nsfw,
    }
  }
  const text = messageText(msg, features)
  // A picture whose text was read, or a transcribed voice message, counts as text for rules that name no types.
  const bearsText = TEXT_BEARING_TYPES.has(msg.type) || Boolean(features.imageText) || Boolean(features.voiceText)
  for (const id of compiled.matcher.match(text)) {
    const rule = compiled.byId.get(id)
    if (!rule || !allowed(id)) continue
    if (rule.types ? !rule.types.includes(msg.type) : !bearsText) continue
    if (rule.newcomerHours > 0 && !isNewcomer(msg.ts, ctx.joinedAt, rule.newcomerHours)) continue
    return { rule, keywords: compiled.matcher.hits(text).get(id) ?? [] }
  }
  if (classifier && features.spamScore !== undefined && features.spamScore >= classifier.threshold && allowed(CLASSIFIER_RULE_ID)) {
    const percent = Math.round(features.spamScore * 100)
    return {
      rule: {
        id: CLASSIFIER_RULE_ID,
        any: [],
        all: [],
        exclude: [],
        newcomerHours: 0,
        mode: 'shadow',
        action: classifier.action,
        reason: `疑似广告（分类器置信度 ${percent}%）`,
      },
      keywords: [],
      shadowOnly: true,
      score: features.spamScore,
    }
  }
  return undefined
}

function isNewcomer(ts: string, joinedAt: string | undefined, hours: number): boolean {
  if (joinedAt === undefined) return false
  const age = toMillis(ts) - toMillis(joinedAt)
  return age >= 0 && age < hours * 3_600_000
}

/**
 * Where a member stands on the room's ladder: the one place both what the guard does and what
 * the public warning tells the member come from.
 */
export interface LadderPosition {
  /** This offence's number among the member's counted offences in the window (1-based). */
  readonly offenceNumber: number
  /** The ladder's step for it. */
  readonly step: LadderStep
  /** The offence number that removes the member (0: the ladder never removes). */
  readonly removeAt: number
  /** Further violations until the one that removes the member; undefined once none is left or the ladder never removes. */
  readonly untilRemoval: number | undefined
}

export function ladderPosition(priorCounted: number, ladder: readonly LadderStep[]): LadderPosition {
  const offenceNumber = priorCounted + 1
  const step = ladder[Math.min(priorCounted, ladder.length - 1)] ?? 'warn'
  const removeAt = ladder.indexOf('remove') + 1
  return { offenceNumber, step, removeAt, untilRemoval: removeAt > offenceNumber ? removeAt - offenceNumber : undefined }
}

/**
 * Whether an offence counts on the member's ladder: only when the member sees it — an
 * @-warning or a removal. A silent step (a private alert to the owner, including a warning quiet
 * mode turned into one) or a recall (which tells the member no count) does not, so the count a
 * warning states is the count the ladder uses. See docs/rules.md.
 */
export const countsOnLadder = (step: LadderStep): boolean => step === 'warn' || step === 'remove'

/** What the guard decides for one violation, before any platform limits apply. */
export interface Verdict {
  /** The decisions to store and (in active mode) carry out. */
  readonly decisions: readonly Decision[]
  /** Where the member stands on the ladder with this offence (for the warning's wording). */
  readonly position: LadderPosition
  /** The step of the ladder this offence is (1-based), when the rule escalates. */
  readonly offenceNumber: number
  /** What would have been done without quiet mode (for the owner's alert). */
  readonly intended: LadderStep
  /** Whether this offence counts on the member's ladder (stored with the offence). */
  readonly counted: boolean
}

/**
 * Turns a violation into decisions.
 * @param priorOffences the member's counted offences in this room within the window, before this one.
 */
export function decide(msg: MessageEvent, violation: Violation, cfg: RoomConfig, priorOffences: number): Verdict {
  const { rule } = violation
  const position = ladderPosition(priorOffences, cfg.escalation)
  const intended: LadderStep = rule.action === 'escalate' ? position.step : (rule.action as LadderStep)
  const mode = cfg.mode === 'shadow' || (violation.mode ?? (violation.shadowOnly ? 'shadow' : 'active')) === 'shadow' ? 'shadow' : 'active'
  const quietApplied = cfg.quiet && intended === 'warn'
  // What the member would see (in shadow: what they would have seen): quiet mode keeps a warning private.
  const seen: LadderStep = quietApplied ? 'alert-owner' : intended
  const action: DecisionAction = mode === 'shadow' && violation.learned ? 'ask-owner' : seen
  const counted = countsOnLadder(seen)
  const reason = decisionReason({
    ruleReason: rule.reason,
    ruleId: rule.id,
    keywords: violation.keywords,
    messageType: typeName(msg.type),
    ladder:
      rule.action === 'escalate'
        ? { offenceNumber: position.offenceNumber, removeAt: position.removeAt, windowDays: cfg.offenceWindowDays }
        : undefined,
    intended,
    quietApplied,
    counted,
  })
  const decision: Decision = {
    event: msg.id,
    room: msg.room,
    target: msg.sender,
    action,
    mode,
    rule: rule.id,
    score: violation.score ?? 1,
    reason,
  }
  return { decisions: [decision], position, offenceNumber: position.offenceNumber, intended, counted }
}

/** The @-warning the member sees in the group (Chinese, as the groups are), worded from the ladder's own numbers. */
export function warningText(rule: KeywordRule, position: LadderPosition): string {
  const why = rule.reason ?? `请遵守群规（${ruleName(rule.id)}）`
  const left = position.untilRemoval !== undefined ? `，再违规 ${position.untilRemoval} 次将被移出群聊` : ''
  return `${why}。这是第 ${position.offenceNumber} 次提醒${left}。`
}

/** The private note to the owner: the group, the member, the message, the rule and what the guard did or would do. */
export function ownerAlertText(
  msg: MessageEvent,
  roomTopic: string,
  decision: Decision,
  intended: LadderStep,
  /** The rule's name for owners. @default ruleName(decision.rule) */
  rule: string = ruleName(decision.rule),
): string {
  const who = memberName(msg.senderName, msg.sender)
  const said = msg.text ? `「${msg.text.slice(0, 200)}」` : `[${typeName(msg.type)}]`
  const did =
    decision.mode === 'shadow'
      ? `试运行，建议${stepName(intended)}`
      : decision.action === 'alert-owner' && intended !== 'alert-owner'
        ? `安静模式，未在群内${stepName(intended)}`
        : stepName(intended)
  return `[qunguard] 群「${groupName(roomTopic, msg.room)}」成员 ${who} 发送 ${said}，触发规则「${rule}」。处理：${did}。\n${decision.reason}`
}
