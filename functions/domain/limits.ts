/**
 * Limits an owner sets directly (config `limits:`), next to what is learned: messages in a
 * window (a flood), text length, @-mentions per message, locked message types (links,
 * mini-programs, cards, files, red packets, QR-code pictures …), link domains allowed or refused,
 * and night hours with limits of their own. Each broken limit is a keyword-rule-shaped violation
 * (`limit:flood`, `limit:length`, `limit:mentions`, `limit:lock`, `limit:domain`) on the room's
 * ladder, with the limits' `action` and `mode`, so supervision keeps a record of each like any
 * rule's.
 *
 * Pure: the caller says how many messages the member sent in the window and the local hour.
 *
 * @example
 *   limitBroken(msg, { flood: { count: 5, windowS: 10 }, action: 'escalate', mode: 'active' }, { recent: () => 5, hour: 14, qr: false })
 *   // { id: 'limit:flood', reason: '10 秒内连发 5 条消息（本群 5 条以上算刷屏）' }
 */
import { LOCKABLE, type Lockable } from './config.ts'
import type { MessageEvent } from './events.ts'
import { linkDomain } from './learning/features.ts'
import { typeName } from './owner-words.ts'

export { LOCKABLE, type Lockable }

/** `count` messages or more from one member within `windowS` seconds is a flood. */
export interface FloodLimit {
  readonly count: number
  readonly windowS: number
}

/** What a limit set may hold; every part is optional. */
export interface LimitSet {
  readonly flood?: FloodLimit | undefined
  readonly maxChars?: number | undefined
  readonly mentions?: number | undefined
  readonly lock?: readonly Lockable[] | undefined
  readonly domains?: { readonly allow?: readonly string[] | undefined; readonly deny?: readonly string[] | undefined } | undefined
}

export interface Limits extends LimitSet {
  /** Local hours (from inclusive, to exclusive; 23 → 7 spans midnight) with limits of their own, over the day's. */
  readonly night?: (LimitSet & { readonly from: number; readonly to: number }) | undefined
  readonly action: 'escalate' | 'warn' | 'remove' | 'recall' | 'alert-owner'
  readonly mode: 'active' | 'shadow'
}

export interface LimitContext {
  /** How many messages the member sent in the room in the last `windowS` seconds, this one included. */
  readonly recent: (windowS: number) => number
  /** The local hour of the message (0–23). */
  readonly hour: number
  /** Whether the picture holds a QR code. */
  readonly qr: boolean
}

export interface BrokenLimit {
  readonly id: string
  readonly reason: string
}

export const LIMIT_RULE_IDS = ['limit:flood', 'limit:length', 'limit:mentions', 'limit:lock', 'limit:domain'] as const

/** Whether a local hour is in [from, to), spanning midnight when from > to. */
export function inHours(hour: number, from: number, to: number): boolean {
  return from <= to ? hour >= from && hour < to : hour >= from || hour < to
}

/** The limits in force at an hour: the night's over the day's. */
export function limitsAt(limits: Limits, hour: number): LimitSet & { readonly night: boolean } {
  const n = limits.night
  if (!n || !inHours(hour, n.from, n.to)) return { ...limits, night: false }
  return {
    flood: n.flood ?? limits.flood,
    maxChars: n.maxChars ?? limits.maxChars,
    mentions: n.mentions ?? limits.mentions,
    lock: [...new Set([...(limits.lock ?? []), ...(n.lock ?? [])])],
    domains: n.domains ?? limits.domains,
    night: true,
  }
}

/** The longest window any flood limit counts in (how long message times must be kept), seconds. */
export function floodWindowS(limits: Limits | undefined): number {
  return Math.max(limits?.flood?.windowS ?? 0, limits?.night?.flood?.windowS ?? 0)
}

const matchesDomain = (domain: string, listed: string) => domain === listed || domain.endsWith(`.${listed}`)

/** The first limit a message breaks, if any. */
export function limitBroken(msg: MessageEvent, limits: Limits, ctx: LimitContext): BrokenLimit | undefined {
  const at = limitsAt(limits, ctx.hour)
  const when = at.night ? '夜间' : ''
  const lock = new Set(at.lock ?? [])
  if (lock.has(msg.type as Lockable)) return { id: 'limit:lock', reason: `本群${when}不允许发${typeName(msg.type)}` }
  if (lock.has('qr') && ctx.qr) return { id: 'limit:lock', reason: `本群${when}不允许发二维码图片` }
  const domain = linkDomain(msg)
  if (domain && at.domains) {
    const { allow, deny } = at.domains
    if (deny?.some((d) => matchesDomain(domain, d))) return { id: 'limit:domain', reason: `本群不允许发 ${domain} 的链接` }
    if (allow?.length && !allow.some((d) => matchesDomain(domain, d)))
      return { id: 'limit:domain', reason: `本群只允许发 ${allow.join('、')} 的链接（这条是 ${domain}）` }
  }
  const mentions = (msg.mentions?.length ?? 0) + (msg.mentionAll ? 1 : 0)
  if (at.mentions !== undefined && mentions > at.mentions)
    return { id: 'limit:mentions', reason: `一条消息@了 ${mentions} 人（本群上限 ${at.mentions} 人）` }
  const chars = [...(msg.text ?? '')].length
  if (msg.type === 'text' && at.maxChars !== undefined && chars > at.maxChars)
    return { id: 'limit:length', reason: `发了 ${chars} 字的长消息（本群${when}上限 ${at.maxChars} 字）` }
  if (at.flood) {
    const n = ctx.recent(at.flood.windowS)
    if (n >= at.flood.count)
      return { id: 'limit:flood', reason: `${at.flood.windowS} 秒内连发 ${n} 条消息（本群${when} ${at.flood.count} 条以上算刷屏）` }
  }
  return undefined
}
