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

/** Words that make a clause of an announcement a rule (禁止…, 请勿…, 违者…). */
const RULE_WORDS = /禁止|不要|不许|不准|不得|严禁|请勿|勿|违者|违规|一律|不能|只能|仅限|拒绝|谢绝|移出|踢/u
/** How many of an announcement's rules are quoted, and how long each may be. */
const ANNOUNCED_MAX = 6
const ANNOUNCED_CHARS = 40

/**
 * The rules an announcement (群公告) writes, as its own words: its clauses (by line, 。；; and
 * numbering such as 1、 ① （2）), those that read as a rule, numbering dropped, at most six of
 * at most forty characters. Greetings and 欢迎 lines are left out.
 */
export function announcedRules(text: string | undefined): string[] {
  if (!text) return []
  const clauses = text
    .split(/[\n。；;]|(?:^|\s|[，,：:])(?=(?:[0-9０-９]{1,2}[、.．)）]|[①-⑳]|[(（][0-9０-９]{1,2}[)）]|[-•·]\s))/u)
    .map((c) =>
      c
        .replace(/^\s*(?:[0-9０-９]{1,2}[、.．)）]|[①-⑳]|[(（][0-9０-９]{1,2}[)）]|[-•·])\s*/u, '')
        .replace(/^(?:群规|入群须知|本群规则)[:：]?\s*/u, '')
        .replace(/[，,、\s]+$/u, '')
        .trim(),
    )
    .filter((c) => c.length >= 2 && RULE_WORDS.test(c))
  const out: string[] = []
  for (const c of clauses) {
    const line = [...c].length > ANNOUNCED_CHARS ? `${[...c].slice(0, ANNOUNCED_CHARS).join('')}…` : c
    if (!out.includes(line)) out.push(line)
    if (out.length === ANNOUNCED_MAX) break
  }
  return out
}

/**
 * The rules of a room, numbered: `announced`, what its announcement writes (announcedRules);
 * `keyword`, the config's keyword rules acting on their own there now; `learned`, the sentences
 * (without evidence) of the learned rules acting on their own. Undefined when the room has none.
 */
export function groupRulesText(
  topic: string,
  cfg: RoomConfig,
  keyword: readonly KeywordRule[],
  learned: readonly string[],
  announced: readonly string[] = [],
): string | undefined {
  if (cfg.mode === 'off') return undefined
  const lines = [
    ...announced,
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
