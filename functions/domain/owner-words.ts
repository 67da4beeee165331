/**
 * What owners read, in one place: names of actions, rules, groups and members, and the reason a
 * decision gives. Chinese, as owners read it; groups by their name and members by their
 * nickname (the WeChat id only when no name is known). Operators' logs stay English and do not
 * use this module.
 *
 * @example
 *   stepName('remove') // "移出群聊"
 *   ruleName('privacy') // "个人信息保护"
 *   groupName('周末亲子活动群', 'r1@chatroom') // "周末亲子活动群"
 */
import type { LadderStep } from './config.ts'
import type { MessageEvent } from './events.ts'
import { conditionWords, parseRuleId, TYPE_WORDS } from './learning/rules.ts'

const STEP_NAMES: Record<LadderStep | 'ask-owner' | 'reply', string> = {
  warn: '警告',
  remove: '移出群聊',
  recall: '撤回消息',
  'alert-owner': '提醒群主',
  'ask-owner': '询问群主',
  reply: '回复',
}

/** A decision's action in words for the owner (`remove` → 移出群聊). */
export const stepName = (action: string): string => STEP_NAMES[action as keyof typeof STEP_NAMES] ?? action

/** The built-in rules (policy.ts) by their Chinese names. */
const BUILT_IN_RULES: Readonly<Record<string, string>> = {
  privacy: '个人信息保护',
  nsfw: '不适宜图片',
  'ad-classifier': '广告分类器',
  approvals: '审批',
  blacklist: '黑名单（在本群主的其他群因违规被移出）',
  report: '成员举报',
  verification: '入群验证',
  'owner-keywords': '聊天中加的关键词',
  'limit:flood': '刷屏上限',
  'limit:length': '字数上限',
  'limit:mentions': '@人数上限',
  'limit:lock': '禁发的消息类型',
  'limit:domain': '链接域名限制',
}

/**
 * A rule's name for owners: a built-in rule's Chinese name, a learned rule's sentence without its
 * evidence (or its condition read from its id), a keyword rule's reason, else 「关键词规则 <id>」.
 */
export function ruleName(id: string, described?: { readonly reason?: string | undefined; readonly sentence?: string | undefined }): string {
  const builtIn = BUILT_IN_RULES[id]
  if (builtIn) return builtIn
  if (described?.sentence) return withoutEvidence(described.sentence)
  if (described?.reason) return described.reason
  const learned = parseRuleId(id)
  return learned ? conditionWords(learned) : `关键词规则 ${id}`
}

// As in a rule's words, but a message of another type is just 「消息」 when named on its own.
const TYPE_NAMES: Readonly<Record<MessageEvent['type'], string>> = { ...TYPE_WORDS, other: '消息' }

/** A message type in words (`card` → 名片). */
export const typeName = (type: MessageEvent['type']): string => TYPE_NAMES[type]

/** A learned rule's sentence (`<condition> → <action>（<evidence>）`) without the evidence, which may hold brackets of its own. */
export function withoutEvidence(sentence: string): string {
  const arrow = sentence.lastIndexOf(' → ')
  const open = sentence.indexOf('（', Math.max(0, arrow))
  return open < 0 || !sentence.endsWith('）') ? sentence : sentence.slice(0, open)
}

/** A group by its name (the room's topic); its id only while no name is known. */
export const groupName = (topic: string | undefined, room: string): string => (topic?.trim() ? topic : room)

/** A member by their nickname; their WeChat id only while no name is known. */
export const memberName = (name: string | undefined, id: string): string => (name?.trim() ? name : id)

/** What the guard tells the owner about why it acted: the rule, the ladder step, quiet mode. */
export interface ReasonParts {
  /** The rule's own reason, or undefined for a keyword rule without one. */
  readonly ruleReason?: string | undefined
  readonly ruleId: string
  /** The keywords found, for a keyword rule. */
  readonly keywords: readonly string[]
  /** What was posted when no keyword was found, in words (「图片」). */
  readonly messageType: string
  /** Set for a rule on the ladder: the member's offence number and the ladder's size. */
  readonly ladder?: { readonly offenceNumber: number; readonly removeAt: number; readonly windowDays: number } | undefined
  /** What the rule calls for. */
  readonly intended: LadderStep
  /** Set when quiet mode turned a public warning into a private alert. */
  readonly quietApplied: boolean
  /** Whether this offence counts on the member's ladder (docs/rules.md). */
  readonly counted: boolean
}

export function decisionReason(p: ReasonParts): string {
  const what = p.keywords.length ? `发送了${p.keywords.map((k) => `「${k}」`).join('、')}` : `发送了${p.messageType}`
  const base = p.ruleReason ?? `${what}，违反规则「${ruleName(p.ruleId)}」`
  const step = p.ladder
    ? `；${p.ladder.windowDays} 天内第 ${p.ladder.offenceNumber} 次${p.ladder.removeAt ? `（第 ${p.ladder.removeAt} 次移出群聊）` : ''}`
    : ''
  const quiet = p.quietApplied ? '（安静模式：只私信提醒群主，未在群里警告，不计入该成员的违规次数）' : ''
  const uncounted = !p.counted && !p.quietApplied && p.intended === 'alert-owner' ? '（成员不知情，不计入该成员的违规次数）' : ''
  return `${base}${step} → ${stepName(p.intended)}${quiet}${uncounted}`
}
