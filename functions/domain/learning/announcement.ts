/**
 * The group announcement (群规 / 群公告) read as rules: each clause that forbids something
 * ("禁止发广告", "新人进群24小时内不得发链接", "非管理员禁止@所有人") becomes a rule condition.
 * These are the cold-start policy before any history exists; like learned rules they start in
 * shadow mode.
 *
 * @example
 *   parseAnnouncement('群规：1.禁止发广告；2.不要刷屏。违者移出群聊。')
 *   // [{ what: 'ad-text', who: 'anyone', clause: '禁止发广告' }, { what: 'flood', who: 'anyone', clause: '不要刷屏' }], action 'remove'
 */
import type { What, Who } from './rules.ts'

export interface AnnouncedRule {
  readonly what: What
  readonly who: Who
  /** For `joined`: the tenure the clause names (新人进群24小时内 → 24; 一周内 → 168). */
  readonly tenureH?: number | undefined
  /** The clause it was read from. */
  readonly clause: string
}

const DIGITS: Readonly<Record<string, number>> = { 零: 0, 〇: 0, 一: 1, 两: 2, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 }

/** A number written in digits or in Chinese numerals up to 99: `24`, `十二`, `二十四`, `两`. */
export function chineseNumber(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text)
  const m = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(text)
  if (!m || (!m[1] && !m[2] && !m[3])) return undefined
  if (!m[2]) return m[3] ? undefined : DIGITS[m[1] ?? '']
  return (m[1] ? (DIGITS[m[1]] ?? 1) : 1) * 10 + (m[3] ? (DIGITS[m[3]] ?? 0) : 0)
}

const UNIT_HOURS: Readonly<Record<string, number>> = {
  小时: 1,
  个小时: 1,
  钟头: 1,
  天: 24,
  日: 24,
  周: 168,
  星期: 168,
  个星期: 168,
  礼拜: 168,
  个月: 720,
}
const DURATION = /(\d+|[零〇一二两三四五六七八九十]+)\s*(个小时|小时|钟头|天|日|个星期|星期|周|礼拜|个月)/

/** The length of time a clause names, in hours (`24小时内`, `三天`, `一周`), if any. */
export function durationHours(clause: string): number | undefined {
  const m = DURATION.exec(clause)
  if (!m?.[1] || !m[2]) return undefined
  const n = chineseNumber(m[1])
  const unit = UNIT_HOURS[m[2]]
  return n === undefined || unit === undefined || n <= 0 ? undefined : n * unit
}

const FORBIDS = /禁止|严禁|不准|不许|不要|请勿|勿|不得|不可|别|禁/
const TOPICS: readonly (readonly [RegExp, What])[] = [
  [/广告|微商|代购|推销|营销/, 'ad-text'],
  [/链接|网址|外链/, 'link'],
  [/小程序|砍一刀|砍价|助力|拼多多/, 'miniprogram'],
  [/名片/, 'card'],
  [/二维码|扫码/, 'qr'],
  [/刷屏/, 'flood'],
  [/@所有人|@全体|艾特全体|艾特所有人/, 'mention-all'],
  [/联系方式|手机号|电话|微信号|私加|加好友|留号/, 'contact'],
]
const NEWCOMER = /新人|新成员|新进|入群.{0,6}(内|前)|进群.{0,6}(内|前)/

export function parseAnnouncement(text: string): { rules: AnnouncedRule[]; action: 'warn' | 'remove' } {
  const rules: AnnouncedRule[] = []
  const seen = new Set<string>()
  for (const raw of text.normalize('NFKC').split(/[；;。\n!！]|\d+[.、．)]/)) {
    const clause = raw.replace(/^[\s:：]*(群规|群公告|公告)?[\s:：]*/, '').trim()
    if (!clause || !FORBIDS.test(clause)) continue
    for (const [re, what] of TOPICS) {
      if (!re.test(clause)) continue
      // A newcomer clause names its tenure or means a day (the usual 新人24小时内).
      const newcomer = NEWCOMER.test(clause)
      const who: Who = newcomer ? 'joined' : 'anyone'
      if (seen.has(`${what}/${who}`)) continue
      seen.add(`${what}/${who}`)
      rules.push({ what, who, ...(newcomer ? { tenureH: durationHours(clause) ?? 24 } : {}), clause })
    }
  }
  return { rules, action: /移出|踢|清退|请出/.test(text) ? 'remove' : 'warn' }
}
