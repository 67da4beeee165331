/**
 * The group's rules in plain Chinese, for its members: the welcome message a group can opt into
 * (`welcome`) and the answer to `群规` in the group (`rulesOnRequest`). What it lists is what the
 * guard enforces there now — the config's keyword rules, the learned rules acting on their own
 * (not those still on trial), and the owner's blacklist — each with what happens to whoever
 * breaks it.
 *
 * @example
 *   groupRulesText('宝妈群', cfg, cfg.rules, ['入群不满 1 天的成员发链接 → 移出群聊'])
 *   // "「宝妈群」群规：\n1. 本群禁止广告（第 1、2 次警告，第 3 次移出群聊）\n2. …"
 */
import type { KeywordRule, RoomConfig } from './config.ts'
import { memberName, stepName } from './owner-words.ts'

/** What a member writes in the group to be shown its rules (after trimming; full-width folded). */
export const RULES_REQUEST = /^(群规|群规则|本群规则)[?？!！。]?$/u

export function isRulesRequest(text: string | undefined): boolean {
  return text !== undefined && RULES_REQUEST.test(text.normalize('NFKC').trim())
}

/** A keyword rule for members: its reason, else the words it stops. */
function keywordLine(rule: KeywordRule): string {
  if (rule.reason) return rule.reason
  const words = [...rule.any, ...rule.all].slice(0, 4)
  const newcomer = rule.newcomerHours > 0 ? `入群 ${rule.newcomerHours} 小时内` : ''
  return words.length ? `${newcomer}不要发「${words.join('」「')}」等内容` : `${newcomer}不要发这类消息`
}

/** What happens to whoever breaks a rule with this action, in the room's ladder. */
function consequence(action: KeywordRule['action'], cfg: RoomConfig): string {
  if (action !== 'escalate') return stepName(action)
  const steps = cfg.escalation.map((s, i) => `第 ${i + 1} 次${stepName(s)}`)
  return steps.join('，')
}

/**
 * The rules enforced in a room, numbered: `keyword`, the config's keyword rules acting on their
 * own there now; `learned`, the sentences (without evidence) of the learned rules acting on their
 * own. Undefined when the guard enforces nothing there.
 */
export function groupRulesText(
  topic: string,
  cfg: RoomConfig,
  keyword: readonly KeywordRule[],
  learned: readonly string[],
): string | undefined {
  if (cfg.mode === 'off') return undefined
  const lines = [
    ...keyword.map((r) => `${keywordLine(r)}（${consequence(r.action, cfg)}）`),
    ...learned,
    ...(cfg.blacklist.action !== 'off' ? ['在群主的其他群因违规被移出的成员，在本群同样会被移出'] : []),
  ]
  if (!lines.length) return undefined
  return [`「${topic}」群规：`, ...lines.map((l, i) => `${i + 1}. ${l}`)].join('\n')
}

/** The welcome for members who just joined: their names, then the rules (or the group's own words). */
export function welcomeText(
  topic: string,
  names: readonly { readonly id: string; readonly name?: string | undefined }[],
  rules: string | undefined,
  lead: string | undefined,
): string {
  const who = names.map((n) => `@${memberName(n.name, n.id)}`).join(' ')
  const hello = lead ?? `欢迎加入「${topic}」！`
  return [`${who} ${hello}`, ...(rules ? [rules, '请大家共同遵守，谢谢！'] : [])].join('\n')
}
