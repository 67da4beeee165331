import { afterEach, describe, expect, it } from 'vitest'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { MemoryApprovalStore } from '../../functions/adapters/memory/memory-approval-store.ts'
import { MemoryFactsStore } from '../../functions/adapters/memory/memory-facts-store.ts'
import { cleanupLine } from '../../functions/domain/cleanup.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import type { GroupEvent } from '../../functions/domain/events.ts'
import { GuardSession } from '../../functions/domain/session.ts'
import { account, at, message, roomSnapshot } from '../helpers/factories.ts'

const stores: SqliteGuardStore[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
})

function world(cleanup: Record<string, unknown> | undefined) {
  const store = SqliteGuardStore.open(':memory:')
  stores.push(store)
  const config = parseConfig({
    groups: { '*': { rules: [{ id: 'no-ads', any: ['加微信'], action: 'remove' }], ...(cleanup ? { cleanup } : {}) } },
  })
  const s = new GuardSession({ store, supervision: new MemoryApprovalStore(), config, facts: new MemoryFactsStore() })
  return (e: GroupEvent) => s.handle(e, { at: new Date(Date.parse(e.ts)), tick: true })
}

describe('cleanup on removal', () => {
  it('recalls the removed member’s messages of the last N minutes, the removal’s own included, and names them for the owner', async () => {
    const handle = world({ enabled: true, minutes: 10 })
    await handle(account())
    await handle(roomSnapshot({ topic: '宝妈群', owner: 'wxid_owner', members: ['wxid_owner', 'wxid_ad'] }))
    const m = (minute: number, o: Record<string, unknown>) => message({ sender: 'wxid_ad', senderName: '推广员', ts: at(minute), ...o })
    const old = m(0, { text: '大家好' }) // more than ten minutes before the removal: left alone
    const hello = m(6, { text: '有需要的姐妹看过来，正品低价，手慢无，数量有限先到先得' })
    const card = m(8, { type: 'card', text: '推广员的名片' })
    const ad = m(11, { text: '加微信 abc123' })
    for (const e of [old, hello, card]) expect((await handle(e)).decisions).toEqual([])
    // Someone else's message in between is never part of it.
    await handle(message({ sender: 'wxid_other', text: '谁在卖东西', ts: at(9) }))
    const out = await handle(ad)
    expect(out.decisions.map((d) => `${d.decision.rule} ${d.decision.action} ${d.decision.event}`)).toEqual([
      `no-ads remove ${ad.id}`,
      `cleanup recall ${ad.id}`,
    ])
    const request = out.decisions[1]?.request
    expect(request?.text).toBe('[qunguard] 已将 推广员 移出「宝妈群」，清理其移出前 10 分钟内的 3 条消息。')
    expect(request?.cleanup?.items).toEqual([
      { id: hello.id, line: '20:06 有需要的姐妹看过来，正品低价，手慢无，数…' },
      { id: card.id, line: '20:08 [名片] 推广员的名片' },
      { id: ad.id, line: '20:11 加微信 abc123' },
    ])
    expect(out.decisions[1]?.decision.reason).toBe('清理被移出成员 10 分钟内的 3 条消息')
    // Supervision leaves it alone: no request, no review of its own.
    expect(out.effects).toEqual([])
  })

  it('gives a removal on trial its cleanup, done once the owner approves it', async () => {
    const store = SqliteGuardStore.open(':memory:')
    stores.push(store)
    const config = parseConfig({
      groups: { '*': { rules: [{ id: 'no-ads', any: ['加微信'], action: 'remove', mode: 'shadow' }], cleanup: { enabled: true } } },
    })
    const s = new GuardSession({ store, supervision: new MemoryApprovalStore(), config, facts: new MemoryFactsStore() })
    await s.handle(roomSnapshot({ owner: 'wxid_owner', members: ['wxid_owner', 'wxid_ad'] }), { at: new Date(Date.parse(at(0))) })
    const out = await s.handle(message({ sender: 'wxid_ad', text: '加微信', ts: at(1) }), { at: new Date(Date.parse(at(1))) })
    expect(out.decisions.map((d) => `${d.decision.rule} ${d.decision.action} ${d.decision.mode}`)).toEqual(['no-ads remove shadow'])
    expect(out.decisions[0]?.proposal?.request.cleanup?.items).toHaveLength(1)
    const yes = await s.handle(
      { kind: 'private', id: 'p1', ts: at(2), sender: 'wxid_owner', text: 'Y1' },
      { at: new Date(Date.parse(at(2))) },
    )
    const acted = yes.effects.flatMap((e) => (e.kind === 'act' ? [e.approval.request] : []))
    expect(acted.map((r) => [r.decision.action, r.cleanup?.items.length])).toEqual([['remove', 1]])
  })

  it('is off by default: a removal recalls nothing', async () => {
    const handle = world(undefined)
    await handle(roomSnapshot({ owner: 'wxid_owner', members: ['wxid_owner', 'wxid_ad'] }))
    const out = await handle(message({ sender: 'wxid_ad', text: '加微信', ts: at(1) }))
    expect(out.decisions.map((d) => d.decision.rule)).toEqual(['no-ads'])
  })

  it('writes a picture or a link by its type, masks personal numbers, and keeps excerpts short', () => {
    expect(cleanupLine({ type: 'image', ts: at(0) }, 480)).toBe('20:00 [图片]')
    expect(cleanupLine({ type: 'text', text: '电话 13812345678', ts: at(0) }, 480)).not.toContain('13812345678')
  })
})
