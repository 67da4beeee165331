/**
 * Two bot accounts guarding the same groups in one process (one QunGuard plugin on two bots):
 * a message both receive is judged once; killed mid-flood, one account's pending actions are
 * carried out by the other within three beats, none twice; restarted, it takes its share again
 * without repeating anything; the owners are told once that it stopped.
 */

import { afterEach, describe, expect, it } from 'vitest'
import { MockFleet } from '../../bot-host/mock-fleet.ts'
import { QunGuard, type QunGuardPlugin } from '../../bot-host/qunguard-plugin.ts'
import { SqliteBotRegistry } from '../../functions/adapters/local/sqlite-bot-registry.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { warnThenRemove } from '../helpers/warn-then-remove.ts'

const config = warnThenRemove()

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

const every = { remove: true, recall: true, invite: true }

/** `bSaysNoRemove`: account b says it cannot remove, so removals go to a while a lives. */
async function twoAccounts(o: { removeUnsupported?: boolean; bSaysNoRemove?: boolean } = {}) {
  const store = SqliteGuardStore.open(':memory:')
  const registry = SqliteBotRegistry.open(':memory:')
  const notices: string[] = []
  const plugin: QunGuardPlugin = QunGuard({
    config,
    store,
    tickMs: 0,
    accounts: {
      registry,
      heartbeatSeconds: 1,
      actionTimeoutMs: 2000,
      can: o.removeUnsupported || o.bSaysNoRemove ? { wxid_guard_a: every, wxid_guard_b: { ...every, remove: false } } : undefined,
    },
    onNotice: (line) => notices.push(line),
    onError: () => {},
  })
  const fleet = await MockFleet.start({
    accounts: [
      { name: '守卫甲', id: 'wxid_guard_a' },
      { name: '守卫乙', id: 'wxid_guard_b', removeUnsupported: o.removeUnsupported },
    ],
    plugins: [plugin],
  })
  cleanup = async () => {
    plugin.stop()
    await fleet.stop()
    await store.close()
  }
  await plugin.checkAccounts()
  const owner = fleet.contact('王姐', 'wxid_owner')
  const mum = fleet.contact('乐乐妈')
  return { store, registry, plugin, fleet, owner, mum, notices }
}

describe('two accounts in the same groups (embedded, wechaty-puppet-mock)', () => {
  it('judges a message both accounts receive once, and acts through one account', async () => {
    const { plugin, fleet, owner, mum, store } = await twoAccounts()
    const room = fleet.room('亲子群', { owner, members: [mum] })
    const marketer = fleet.contact('优惠小助手')
    await fleet.join(room, marketer, owner)
    await fleet.say(mum, room, '周六公园见')
    await fleet.say(marketer, room, '加微信 领红包')
    await plugin.idle()
    expect([...plugin.accounts].sort()).toEqual(['wxid_guard_a', 'wxid_guard_b'])
    expect(await store.listDecisions({ room: room.id })).toHaveLength(1)
    expect(fleet.said(room)).toHaveLength(1)
    // The other account's warning is not judged as a member's message.
    await fleet.say(fleet.contact('路人'), room, '正常聊天')
    await plugin.idle()
    expect(await store.listDecisions({ room: room.id })).toHaveLength(1)
    expect(await store.getBots()).toEqual(expect.arrayContaining(['wxid_guard_a', 'wxid_guard_b']))
  })

  it('a removal goes to the account that can remove', async () => {
    const { plugin, fleet, owner, mum } = await twoAccounts({ removeUnsupported: true })
    const room = fleet.room('亲子群', { owner, members: [mum] })
    await plugin.checkAccounts() // both beat, in the room; b says it cannot remove
    const marketer = fleet.contact('优惠小助手')
    await fleet.say(marketer, room, '加微信')
    await fleet.say(marketer, room, '加微信 领红包')
    await plugin.idle()
    await fleet.settle(100)
    const removed = fleet.removed(room)
    expect(removed).toEqual([{ member: marketer.id, by: 'wxid_guard_a' }])
  })

  it('killed mid-flood: the other account carries out every pending action, once; restarted, it repeats nothing', async () => {
    const { plugin, fleet, owner, store, registry, notices } = await twoAccounts({ bSaysNoRemove: true })
    const room = fleet.room('亲子群', { owner, members: [] })
    const marketers = Array.from({ length: 12 }, (_, i) => fleet.contact(`营销号${i + 1}`))
    for (const m of marketers) await fleet.join(room, m, owner)
    await plugin.checkAccounts() // both beat, in the room
    // A flood: each marketer posts an ad twice (warn, then remove); account a dies half way.
    for (const [i, m] of marketers.entries()) {
      if (i === 6) await fleet.kill(0)
      await fleet.say(m, room, `加微信 优惠 ${i}`, 20)
      await fleet.say(m, room, `加微信 返现 ${i}`, 20)
    }
    await fleet.settle()
    await plugin.idle()
    // Within three beats the live account has carried out every action decided.
    const decisions = (await store.listDecisions({ room: room.id })).filter((d) => d.mode === 'active')
    expect(decisions).toHaveLength(24)
    const outcomes = await Promise.all(decisions.map((d) => store.listActions(d.id)))
    expect(outcomes.map((o) => o.map((a) => a.status))).toEqual(decisions.map(() => ['done']))
    const removed = fleet.removed(room)
    expect(removed.map((r) => r.member).sort()).toEqual(marketers.map((m) => m.id).sort())
    // a removed while it lived; b (which said it cannot, but can) took over the rest.
    expect(removed.filter((r) => r.by === 'wxid_guard_a').length).toBeGreaterThan(0)
    expect(removed.filter((r) => r.by === 'wxid_guard_b').length).toBeGreaterThanOrEqual(6)
    expect(fleet.said(room)).toHaveLength(12)
    // Three beats later the owner is told once, by the live account.
    await fleet.settle(3200)
    await plugin.checkAccounts()
    await plugin.checkAccounts()
    const told = fleet.records().filter((r) => r.where === 'dm:wxid_owner' && r.text.includes('已失联'))
    expect(told).toHaveLength(1)
    expect(told[0]?.by).toBe('wxid_guard_b')
    expect(notices.some((n) => n.includes('守卫账号「守卫甲」'))).toBe(true)
    // Restarted: it beats again, and takes actions again without repeating the old ones.
    const before = fleet.records().length
    await fleet.restart(0)
    await plugin.checkAccounts()
    expect((await registry.list()).find((b) => b.bot === 'wxid_guard_a')?.failureToldAt).toBeUndefined()
    expect(fleet.records().length).toBe(before)
    const late = fleet.contact('迟到的营销号')
    await fleet.join(room, late, owner)
    await fleet.say(late, room, '加微信', 0)
    await fleet.say(late, room, '加微信 再来')
    await plugin.idle()
    expect(fleet.removed(room)).toHaveLength(13)
    expect(fleet.said(room)).toHaveLength(13)
  }, 30_000)

  it('installed on two bots without `accounts`, still acts at once, through one account', async () => {
    const store = SqliteGuardStore.open(':memory:')
    const notices: string[] = []
    const plugin = QunGuard({ config, store, tickMs: 0, onNotice: (line) => notices.push(line), onError: () => {} })
    const fleet = await MockFleet.start({ accounts: [{ name: '甲' }, { name: '乙' }], plugins: [plugin] })
    cleanup = async () => {
      plugin.stop()
      await fleet.stop()
      await store.close()
    }
    const owner = fleet.contact('王姐', 'wxid_owner')
    const marketer = fleet.contact('优惠小助手')
    const room = fleet.room('亲子群', { owner, members: [marketer] })
    await plugin.checkAccounts()
    const started = Date.now()
    await fleet.say(marketer, room, '加微信')
    await plugin.idle()
    expect(Date.now() - started).toBeLessThan(5000) // no wait for a beat
    expect(fleet.said(room)).toHaveLength(1)
    expect(notices.some((n) => n.includes('installed on a second account'))).toBe(true)
  })
})
