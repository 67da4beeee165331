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
  /** The clause it was read from. */
  readonly clause: string
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
      const who: Who = NEWCOMER.test(clause) ? 'newcomer' : 'anyone'
      if (seen.has(`${what}/${who}`)) continue
      seen.add(`${what}/${who}`)
      rules.push({ what, who, clause })
    }
  }
  return { rules, action: /移出|踢|清退|请出/.test(text) ? 'remove' : 'warn' }
}
