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
  readonly self?: string | undefined
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
    sender === ctx.self ||
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

/** What the guard decides for one violation, before any platform limits apply. */
export interface Verdict {
  /** The decisions to store and (in active mode) carry out. */
  readonly decisions: readonly Decision[]
  /** The step of the ladder this offence is (1-based), when the rule escalates. */
  readonly offenceNumber: number
  /** What would have been done without quiet mode (for the owner's alert). */
  readonly intended: LadderStep
}

/**
 * Turns a violation into decisions.
 * @param priorOffences the member's offences in this room within the window, before this one.
 */
export function decide(msg: MessageEvent, violation: Violation, cfg: RoomConfig, priorOffences: number): Verdict {
  const { rule } = violation
  const offenceNumber = priorOffences + 1
  const ladder = cfg.escalation
  const intended: LadderStep =
    rule.action === 'escalate' ? (ladder[Math.min(priorOffences, ladder.length - 1)] ?? 'warn') : (rule.action as LadderStep)
  const mode = cfg.mode === 'shadow' || (violation.mode ?? (violation.shadowOnly ? 'shadow' : 'active')) === 'shadow' ? 'shadow' : 'active'
  const action: DecisionAction =
    mode === 'shadow' && violation.learned ? 'ask-owner' : cfg.quiet && intended === 'warn' ? 'alert-owner' : intended
  const what = violation.keywords.length ? `posted ${violation.keywords.map((k) => `"${k}"`).join(', ')}` : `posted a ${msg.type} message`
  const step = rule.action === 'escalate' ? `; offence ${offenceNumber} of ${ladder.length} within ${cfg.offenceWindowDays} days` : ''
  const quietNote = action !== intended ? ` (quiet mode: owner alerted instead of a public ${intended})` : ''
  const reason = `${rule.reason ?? `Member ${what}, against rule ${rule.id}`}${step} → ${intended}${quietNote}`
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
  return { decisions: [decision], offenceNumber, intended }
}

/** The @-warning the member sees in the group (Chinese, as the groups are). */
export function warningText(rule: KeywordRule, offenceNumber: number, ladder: readonly LadderStep[]): string {
  const removeAt = ladder.indexOf('remove') + 1
  const why = rule.reason ?? `请遵守群规（${rule.id}）`
  const left = removeAt > offenceNumber ? `，再违规 ${removeAt - offenceNumber} 次将被移出群聊` : ''
  return `${why}。这是第 ${offenceNumber} 次提醒${left}。`
}

/** The private note to the owner: the message, the member, the rule and what the guard did or would do. */
export function ownerAlertText(msg: MessageEvent, roomTopic: string, decision: Decision, intended: LadderStep): string {
  const who = msg.senderName ? `${msg.senderName}（${msg.sender}）` : msg.sender
  const said = msg.text ? `「${msg.text.slice(0, 200)}」` : `[${msg.type}]`
  const verb: Record<LadderStep, string> = { warn: '警告', remove: '移出', recall: '撤回', 'alert-owner': '提醒群主' }
  const did =
    decision.mode === 'shadow'
      ? `影子模式，建议${verb[intended]}`
      : decision.action === 'alert-owner'
        ? `安静模式，未在群内${verb[intended]}`
        : verb[intended]
  return `[qunguard] 群「${roomTopic || msg.room}」成员 ${who} 发送 ${said}，触发规则 ${decision.rule}。处理：${did}。\n${decision.reason}`
}
