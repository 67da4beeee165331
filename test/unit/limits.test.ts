import { afterEach, describe, expect, it } from 'vitest'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { MemoryApprovalStore } from '../../functions/adapters/memory/memory-approval-store.ts'
import { MemoryFactsStore } from '../../functions/adapters/memory/memory-facts-store.ts'
import { ConfigError, parseConfig } from '../../functions/domain/config.ts'
import type { GroupEvent, MessageEvent } from '../../functions/domain/events.ts'
import { inHours, type Limits, limitBroken } from '../../functions/domain/limits.ts'
import { GuardSession } from '../../functions/domain/session.ts'
import { account, message, roomSnapshot } from '../helpers/factories.ts'

const day: { hour: number; qr: boolean; recent: (windowS: number) => number } = { hour: 14, qr: false, recent: () => 1 }
const base = { action: 'escalate', mode: 'active' } as const
const broken = (m: Partial<MessageEvent>, limits: Partial<Limits>, ctx: Partial<typeof day> = {}) =>
  limitBroken(message(m), { ...base, ...limits }, { ...day, ...ctx })?.id

describe('limitBroken', () => {
  it('locks message types, QR pictures, and link domains by allow or deny list (subdomains included)', () => {
    expect(broken({ type: 'redpacket' }, { lock: ['redpacket'] })).toBe('limit:lock')
    expect(broken({ type: 'image' }, { lock: ['qr'] }, { qr: true })).toBe('limit:lock')
    expect(broken({ type: 'image' }, { lock: ['qr'] })).toBeUndefined()
    expect(broken({ type: 'link', url: 'https://m.pinduoduo.com/x' }, { domains: { deny: ['pinduoduo.com'] } })).toBe('limit:domain')
    expect(broken({ type: 'link', url: 'https://mp.weixin.qq.com/s/1' }, { domains: { allow: ['qq.com'] } })).toBeUndefined()
    expect(broken({ text: '看这里 abc777.top/x' }, { domains: { allow: ['qq.com'] } })).toBe('limit:domain')
    expect(broken({ text: '没有链接' }, { domains: { allow: ['qq.com'] } })).toBeUndefined()
  })

  it('counts mentions (@所有人 as one), characters of a text, and messages in the flood window', () => {
    expect(broken({ mentions: ['a', 'b', 'c'] }, { mentions: 2 })).toBe('limit:mentions')
    expect(broken({ mentions: ['a'], mentionAll: true }, { mentions: 2 })).toBeUndefined()
    expect(broken({ text: '长'.repeat(301) }, { maxChars: 300 })).toBe('limit:length')
    expect(broken({ text: '长'.repeat(300) }, { maxChars: 300 })).toBeUndefined()
    const recent = (w: number) => (w <= 10 ? 5 : 9)
    expect(broken({}, { flood: { count: 5, windowS: 10 } }, { recent })).toBe('limit:flood')
    expect(broken({}, { flood: { count: 6, windowS: 10 } }, { recent })).toBeUndefined()
    expect(limitBroken(message(), { ...base, flood: { count: 5, windowS: 10 } }, { ...day, recent })?.reason).toBe(
      '10 秒内连发 5 条消息（本群 5 条以上算刷屏）',
    )
  })

  it('applies night limits over the day’s within their hours, across midnight, locks adding up', () => {
    expect(inHours(23, 23, 7)).toBe(true)
    expect(inHours(3, 23, 7)).toBe(true)
    expect(inHours(7, 23, 7)).toBe(false)
    expect(inHours(9, 9, 18)).toBe(true)
    const limits = { maxChars: 500, lock: ['link' as const], night: { from: 23, to: 7, maxChars: 50, lock: ['image' as const] } }
    expect(broken({ text: '长'.repeat(60) }, limits, { hour: 2 })).toBe('limit:length')
    expect(broken({ text: '长'.repeat(60) }, limits, { hour: 12 })).toBeUndefined()
    expect(broken({ type: 'image' }, limits, { hour: 2 })).toBe('limit:lock')
    expect(broken({ type: 'link' }, limits, { hour: 2 })).toBe('limit:lock')
    expect(broken({ type: 'image' }, limits, { hour: 12 })).toBeUndefined()
  })
})

describe('limits in the guard', () => {
  const stores: SqliteGuardStore[] = []
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close()
  })

  function session(limits: Record<string, unknown>) {
    const store = SqliteGuardStore.open(':memory:')
    stores.push(store)
    const config = parseConfig({ groups: { '*': { limits } } })
    const s = new GuardSession({ store, supervision: new MemoryApprovalStore(), config, facts: new MemoryFactsStore() })
    return async (e: GroupEvent) => {
      const out = await s.handle(e, { at: new Date(Date.parse(e.ts)) })
      return out.decisions.map((d) => `${d.decision.rule} ${d.decision.action} ${d.decision.mode}`)
    }
  }
  const t = (s: number) => new Date(Date.UTC(2026, 2, 1, 6, 0, s)).toISOString() // 14:00 in China

  it('warns the member whose messages reach the flood count in the window, on the room’s ladder; staff are never limited', async () => {
    const run = session({ flood: { count: 4, windowS: 10 } })
    for (const e of [account(), roomSnapshot()]) await run(e)
    const said = []
    for (const s of [0, 2, 4, 6, 30, 31]) said.push(await run(message({ text: `第${s}秒`, ts: t(s) })))
    expect(said).toEqual([[], [], [], ['limit:flood warn active'], [], []])
    for (const s of [40, 41, 42, 43]) expect(await run(message({ sender: 'wxid_admin', text: 'x', ts: t(s) }))).toEqual([])
  })

  it('proposes only when the limits are in shadow mode, with the action the owner chose', async () => {
    const run = session({ lock: ['card'], mode: 'shadow', action: 'remove' })
    for (const e of [account(), roomSnapshot()]) await run(e)
    expect(await run(message({ type: 'card', text: '推荐个朋友', ts: t(1) }))).toEqual(['limit:lock remove shadow'])
  })

  it('refuses limits that mean nothing, naming the field', () => {
    expect(() => parseConfig({ groups: { '*': { limits: { flood: { count: 1, windowS: 10 } } } } })).toThrow(ConfigError)
    expect(() => parseConfig({ groups: { '*': { limits: { lock: ['links'] } } } })).toThrow(/lock/)
    expect(() => parseConfig({ groups: { '*': { limits: { night: { from: 24, to: 7 } } } } })).toThrow(/night/)
  })
})
