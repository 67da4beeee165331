/**
 * The owner's cross-group blacklist end to end on wechaty-puppet-mock, through the QunGuard
 * plugin: removed from one group, asked about in the owner's other group (Y removes there),
 * removed again on rejoining the first, and listed and cleared from the private chat.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../functions/domain/config.ts'
import { startGuardWorld, stopGuardWorlds } from '../helpers/guard-world.ts'

afterEach(stopGuardWorlds)

describe('the blacklist on wechaty-puppet-mock', () => {
  it('removes from one group, asks about the other, removes again on rejoining; 黑名单 and 解除黑名单 from the private chat', async () => {
    const config = parseConfig({
      groups: {
        '*': { rules: [{ id: 'no-ads', any: ['加微信'], action: 'remove', reason: '本群禁止广告' }] },
        亲子群: { blacklist: { action: 'remove' } },
      },
      supervision: { reportHour: null },
    })
    const { world, settle } = await startGuardWorld(config)
    const owner = world.contact('群主', 'wxid_owner')
    const promo = world.contact('推广小王', 'wxid_promo')
    const chat = world.contact('老成员', 'wxid_chat')
    const parents = world.room('亲子群', { owner, members: [promo, chat] })
    const homes = world.room('业主群', { owner, members: [promo, chat] })
    // Rooms made after the bot logged in are seen (snapshotted) at their first event.
    await world.say(chat, homes, '大家好')
    await settle()

    await world.say(promo, parents, '加微信 领红包')
    await settle()
    expect(world.removed(parents)).toEqual([promo.id])
    expect(world.removed(homes)).toEqual([])
    const request = world.said(owner).find((t) => t.includes('审批 #'))
    expect(request).toContain('群：业主群')
    expect(request).toContain('成员：推广小王')
    expect(request).toContain('在「亲子群」被移出')
    const number = /审批 #(\d+)/.exec(request ?? '')?.[1]
    await world.say(owner, world.self, `Y${number}`)
    await settle()
    expect(world.removed(homes)).toEqual([promo.id])

    // Back in 亲子群 through someone's invitation: removed at once (its owner chose remove).
    await world.join(parents, promo, chat)
    await settle()
    expect(world.removed(parents)).toEqual([promo.id, promo.id])

    await world.say(owner, world.self, '黑名单')
    await settle()
    expect(world.said(owner).at(-1)).toMatch(/黑名单（1 人.*\n1\. 推广小王 — .* 在「亲子群」因违规被移出/)
    await world.say(owner, world.self, '解除黑名单 推广小王')
    await settle()
    expect(world.said(owner).at(-1)).toBe('[qunguard] 已将 推广小王 移出黑名单：再入群或发言不再因此被处理。')
    await world.join(homes, promo, chat)
    await settle()
    expect(world.removed(homes)).toEqual([promo.id])
  })
})
