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
  /** For `flood`: the count from which a burst is a flood (内不得超过4条 → 5); `long-text`: the characters (超过300字 → 301). */
  readonly threshold?: number | undefined
  /** For `flood`: the window the clause names, seconds (30秒内 → 30), when it names one. */
  readonly windowS?: number | undefined
  /** For `type`: the message type the clause forbids (`file`, `redpacket`, `transfer`). */
  readonly value?: string | undefined
  /** The clause it was read from. */
  readonly clause: string
}

const DIGITS: Readonly<Record<string, number>> = { 零: 0, 〇: 0, 一: 1, 两: 2, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 }

/** A number written in digits or in Chinese numerals up to 9,999: `24`, `十二`, `二十四`, `两`, `三百`, `一千五`. */
export function chineseNumber(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text)
  if (!/^[零〇一二两三四五六七八九十百千]+$/.test(text)) return undefined
  let total = 0
  let digit: number | undefined
  let lastUnit = 10_000
  for (const ch of text) {
    const d = DIGITS[ch]
    if (d !== undefined) {
      if (digit !== undefined && digit !== 0 && d !== 0) return undefined // 二三: not a number
      digit = d
      continue
    }
    const unit = ch === '十' ? 10 : ch === '百' ? 100 : 1000
    if (unit >= lastUnit) return undefined
    total += (digit ?? (unit === 10 ? 1 : Number.NaN)) * unit
    if (Number.isNaN(total)) return undefined
    digit = undefined
    lastUnit = unit
  }
  // 一千五 = 1,500, 三百五 = 350: a trailing digit after a unit counts one place down.
  if (digit !== undefined) total += lastUnit >= 100 && lastUnit < 10_000 && !/零/.test(text) ? (digit * lastUnit) / 10 : digit
  return total
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

const NUMBER = '(\\d+|[零〇一二两三四五六七八九十百千]+)'
/** A count of messages (`5条`, `五条消息`) and whether "and more" follows it (及以上). */
const MESSAGES = new RegExp(`${NUMBER}\\s*条\\s*(?:消息|信息|发言)?\\s*(及以上|以上)?`)
/** A span of seconds or minutes (`30秒`, `两分钟`, `半分钟`). */
const SPAN = new RegExp(`(半分钟|${NUMBER}\\s*(秒钟|秒|分钟|分(?!享)))`)
/** A length in characters (`300字`, `三百个字`) and whether "and more" follows it. */
const CHARS = new RegExp(`${NUMBER}\\s*个?字\\s*(及以上|以上)?`)
/** Words that make the number the most allowed (不得超过4条: 5 is a flood) rather than the limit itself. */
const AT_MOST = /超过|最多|至多|不超过|以内|之内|以下/

/** The limit a clause states (`30秒内发言不得超过4条` → 5 in 30 s; `刷屏标准：一分钟内超过5条`), if it states one. */
export function floodLimit(clause: string): { threshold: number; windowS?: number } | undefined {
  const m = MESSAGES.exec(clause)
  if (!m?.[1] || !/发|消息|刷屏|发言|说话/.test(clause)) return undefined
  // 每天发链接不要超过2条 limits links, not bursts.
  if (TOPICS.some(([re, what]) => what !== 'flood' && re.test(clause))) return undefined
  const n = chineseNumber(m[1])
  if (n === undefined || n <= 0) return undefined
  const threshold = AT_MOST.test(clause) && !m[2] ? n + 1 : n
  const span = SPAN.exec(clause)
  if (!span) return { threshold }
  if (span[1] === '半分钟') return { threshold, windowS: 30 }
  const k = span[2] ? chineseNumber(span[2]) : undefined
  if (k === undefined || k <= 0) return { threshold }
  return { threshold, windowS: span[3]?.startsWith('秒') ? k : k * 60 }
}

/** The length limit a clause states (`单条消息不要超过300字` → 301 characters and more), if it states one. */
export function lengthLimit(clause: string): number | undefined {
  const m = CHARS.exec(clause)
  if (!m?.[1] || !/超过|以内|之内|以上|不得|不要|控制|禁止|长文|不许/.test(clause)) return undefined
  const n = chineseNumber(m[1])
  if (n === undefined || n < 10) return undefined
  return AT_MOST.test(clause) && !m[2] ? n + 1 : n
}

const FORBIDS = /禁止|严禁|不准|不许|不要|请勿|勿|不得|不可|别|禁/
/** A clause that names what follows doing it (刷屏者直接移出, 发广告的一律踢) forbids it too. */
const PUNISHES = /(者|的)[^，,]{0,4}(移出|踢|清退|请出|警告|禁言)/
const TOPICS: readonly (readonly [RegExp, What, string?])[] = [
  [/广告|微商|代购|推销|营销/, 'ad-text'],
  [/链接|网址|外链/, 'link'],
  [/小程序|砍一刀|砍价|助力|拼多多/, 'miniprogram'],
  [/名片/, 'card'],
  [/二维码|扫码/, 'qr'],
  [/刷屏|霸屏|连发|连着发|连续发|一堆消息|狂发|轰炸/, 'flood'],
  [/长文|大段|长篇|小作文/, 'long-text'],
  [/@所有人|@全体|艾特全体|艾特所有人/, 'mention-all'],
  [/联系方式|手机号|电话|微信号|私加|加好友|留号/, 'contact'],
  // Message types (docs/format.md): a clause on files, red packets or transfers forbids that type.
  [/文件|安装包|压缩包|apk/i, 'type', 'file'],
  [/红包/, 'type', 'redpacket'],
  [/转账/, 'type', 'transfer'],
]
const NEWCOMER = /新人|新成员|新进|入群.{0,6}(内|前)|进群.{0,6}(内|前)/

/** A list bullet: a dash, dot or mark after the start, a space, a comma, a colon or a bracket, before the item's words. */
const BULLET = /(?<=^|[\s,，:：】\]）)])[-–—•●○◆◇★☆▪■□▶►➤✅👉]+(?=\s|[\p{Script=Han}])/gu

/**
 * A clause's prohibitions, one per comma-separated part that forbids something of its own
 * (新人不要发链接，禁止留联系方式，严禁发二维码: the newcomers' scope is the first one's only). A
 * part that forbids nothing belongs with its neighbours: a scope (新人进群24小时内，不得发链接)
 * with the next part, a list going on (禁止发广告，链接，二维码) or a penalty with the one before.
 */
function prohibitions(clause: string): string[] {
  const items: string[] = []
  let scope = ''
  for (const part of clause.split(/[，,]/)) {
    if (FORBIDS.test(part) || PUNISHES.test(part)) {
      items.push(scope + part)
      scope = ''
    } else if (NEWCOMER.test(part) && !TOPICS.some(([re]) => re.test(part))) scope += part
    else if (items.length) items[items.length - 1] += `，${part}`
    else scope += part
  }
  if (scope && items.length) items[items.length - 1] += `，${scope}`
  else if (scope) items.push(scope)
  return items
}

export function parseAnnouncement(text: string): { rules: AnnouncedRule[]; action: 'warn' | 'remove' } {
  const rules = new Map<string, AnnouncedRule>() // by what/who, in the order stated
  // Circled list numbers (①②) would become digits under NFKC and run into the clause's own numbers.
  const listed = text
    .replace(/[\u2460-\u2473\u2776-\u2793]/g, '\n')
    // Bullets (- 不要刷屏，- 禁止广告; • ●): list items as well, though commas join them.
    .replace(BULLET, '\n')
    .normalize('NFKC')
  for (const raw of listed.split(/[；;。\n!！]|\d+[.、．)]/)) {
    const clause = raw
      .replace(/^[\s:：]*(群规|群公告|公告|入群须知)?[\s:：]*/, '')
      .replace(/[\s,，]+$/, '')
      .trim()
    if (!clause) continue
    // Limits in numbers, forbidding words or not (刷屏标准：30秒内超过4条; 每条发言请控制在300字以内),
    // read part by part (一分钟内最多发5条，单条不超过200字).
    for (const part of clause.split(/[，,]/)) {
      const flood = floodLimit(part)
      if (flood && rules.get('flood/anyone')?.threshold === undefined)
        rules.set('flood/anyone', { what: 'flood', who: 'anyone', ...flood, clause })
      const chars = lengthLimit(part)
      if (chars !== undefined && rules.get('long-text/anyone')?.threshold === undefined)
        rules.set('long-text/anyone', { what: 'long-text', who: 'anyone', threshold: chars, clause })
    }
    for (const item of prohibitions(clause)) {
      if (!FORBIDS.test(item) && !PUNISHES.test(item)) continue
      for (const [re, what, value] of TOPICS) {
        if (!re.test(item)) continue
        // A newcomer clause names its tenure or means a day (the usual 新人24小时内).
        const newcomer = NEWCOMER.test(item)
        const who: Who = newcomer ? 'joined' : 'anyone'
        const key = `${what}${value ? `=${value}` : ''}/${who}`
        if (rules.has(key)) continue
        rules.set(key, {
          what,
          who,
          ...(value ? { value } : {}),
          ...(newcomer ? { tenureH: durationHours(item) ?? 24 } : {}),
          clause: item,
        })
      }
    }
  }
  return { rules: [...rules.values()], action: /移出|踢|清退|请出/.test(text) ? 'remove' : 'warn' }
}
