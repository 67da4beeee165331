/**
 * The embedded guard end to end: Wechaty with wechaty-puppet-mock → QunGuard plugin → Guard →
 * SQLite → actions carried out through the puppet.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { MockWorld } from '../../bot-host/mock-world.ts'
import { QunGuard, type QunGuardPlugin } from '../../bot-host/qunguard-plugin.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { parseConfig } from '../../functions/domain/config.ts'

const ADS = { id: 'no-ads', any: ['加微信', '代购'], exclude: ['团购接龙'], reason: '本群禁止广告' }

interface Setup {
  world: MockWorld
  plugin: QunGuardPlugin
  store: SqliteGuardStore
}
let current: Setup | undefined

async function setup(groupDefaults: Record<string, unknown>, o: { removeUnsupported?: boolean } = {}) {
  const store = SqliteGuardStore.open(':memory:')
  const errors: Error[] = []
  const plugin = QunGuard({ store, config: parseConfig({ groups: { '*': groupDefaults } }), onError: (e) => errors.push(e) })
  const world = await MockWorld.start({ plugins: [plugin], removeUnsupported: o.removeUnsupported ?? false })
  const owner = world.contact('群主', 'wxid_owner')
  const admin = world.contact('管理员', 'wxid_admin')
  const member = world.contact('老成员')
  const marketer = world.contact('推广员')
  const room = world.room('亲子群', { owner, members: [admin, member, marketer] })
  current = { world, plugin, store }
  const say = async (who: typeof owner, text: string) => {
    await world.say(who, room, text)
    await plugin.idle()
    await world.settle()
    await plugin.idle()
  }
  return { world, plugin, store, owner, admin, member, marketer, room, say, errors }
}

afterEach(async () => {
  if (!current) return
  await current.world.stop()
  await current.store.close()
  current = undefined
})

describe('QunGuard on wechaty-puppet-mock', () => {
  it('warns twice and removes on the third offence', async () => {
    const t = await setup({ rules: [ADS] })
    await t.say(t.marketer, '加微信 abc123')
    await t.say(t.marketer, '正品代购')
    expect(t.world.said(t.room).filter((s) => s.includes('本群禁止广告'))).toHaveLength(2)
    expect(t.world.removed(t.room)).toEqual([])
    await t.say(t.marketer, '加 微 信 领红包')
    expect(t.world.removed(t.room)).toEqual([t.marketer.id])
    const decisions = await t.store.listDecisions({ room: t.room.id })
    expect(decisions.map((d) => d.action)).toEqual(['warn', 'warn', 'remove'])
    const actions = await Promise.all(decisions.map((d) => t.store.listActions(d.id)))
    expect(actions.map((a) => a[0]?.status)).toEqual(['done', 'done', 'done'])
    // The removal comes back from WeChat as a leave with the bot as remover, and is stored.
    expect(await t.store.getMember(t.room.id, t.marketer.id)).toMatchObject({ remover: t.world.self.id })
    expect(t.errors).toEqual([])
  })

  it('leaves a message with an exclude word alone', async () => {
    const t = await setup({ rules: [ADS] })
    await t.say(t.member, '团购接龙：加微信的水果团')
    expect(await t.store.listDecisions()).toEqual([])
    expect(t.world.said(t.room)).toEqual([])
  })

  it('never acts on the owner, a configured admin or the bot itself', async () => {
    const t = await setup({ rules: [ADS], admins: ['wxid_admin'] })
    await t.say(t.owner, '加微信')
    await t.say(t.admin, '有人让你加微信转账，别信')
    await t.world.bot.Room.find({ id: t.room.id }).then((r) => r?.say('有人加微信骗钱，注意'))
    await t.plugin.idle()
    await t.world.settle()
    await t.plugin.idle()
    expect(await t.store.listDecisions()).toEqual([])
    expect(await t.store.countEvents()).toBeGreaterThanOrEqual(3)
  })

  it('applies a newcomer-only rule to a newcomer and not to an old member', async () => {
    const t = await setup({ rules: [{ id: 'newcomer-links', any: ['http'], newcomerHours: 24, action: 'warn' }] })
    const newcomer = t.world.contact('新人')
    await t.world.join(t.room, newcomer, t.owner)
    await t.plugin.idle()
    await t.say(t.member, '看这个 http://example.com/a')
    await t.say(newcomer, '看这个 http://example.com/b')
    const decisions = await t.store.listDecisions()
    expect(decisions.map((d) => [d.target, d.action])).toEqual([[newcomer.id, 'warn']])
    expect(await t.store.getMember(t.room.id, newcomer.id)).toMatchObject({ via: 'invite', inviter: t.owner.id })
  })

  it('in quiet mode alerts the owner privately and says nothing in the group', async () => {
    const t = await setup({ rules: [ADS], quiet: true })
    await t.say(t.marketer, '加微信 abc123')
    expect(t.world.said(t.room)).toEqual([])
    const dms = t.world.said(t.owner)
    expect(dms).toHaveLength(1)
    expect(dms[0]).toContain('推广员')
    expect(dms[0]).toContain('触发规则「本群禁止广告」') // named for the owner, not by its id
    expect(dms[0]).toContain('加微信 abc123')
    expect((await t.store.listDecisions())[0]).toMatchObject({ action: 'alert-owner', mode: 'active' })
  })

  it('falls back to alerting the owner when the puppet cannot remove members, and records it', async () => {
    const t = await setup({ rules: [{ ...ADS, action: 'remove' }] }, { removeUnsupported: true })
    await t.say(t.marketer, '加微信')
    expect(t.world.removed(t.room)).toEqual([])
    expect(t.world.said(t.owner).join('\n')).toContain('无法自动移出')
    const [d] = await t.store.listDecisions()
    expect(d).toMatchObject({ action: 'remove' })
    expect(await t.store.listActions(d?.id)).toEqual([
      expect.objectContaining({ status: 'fallback', detail: expect.stringContaining('owner alerted instead') }),
    ])
  })

  it('in shadow mode does nothing in the group and asks the owner instead', async () => {
    const t = await setup({ rules: [ADS], mode: 'shadow' })
    await t.say(t.marketer, '加微信')
    expect(t.world.said(t.room)).toEqual([])
    expect(t.world.said(t.owner)).toEqual([expect.stringContaining('审批 #1')])
    expect((await t.store.listDecisions())[0]).toMatchObject({ action: 'warn', mode: 'shadow' })
  })
})
