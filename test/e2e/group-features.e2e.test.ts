/**
 * What owners set up for their groups, end to end on wechaty-puppet-mock through the QunGuard
 * plugin: welcome and 群规, keywords, whitelist and limits from the private chat, members' reports.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../functions/domain/config.ts'
import { startGuardWorld, stopGuardWorlds } from '../helpers/guard-world.ts'

afterEach(stopGuardWorlds)

/** A school parents' group with one keyword rule on 兼职, its owner and a mother in it. */
async function schoolGroup(rule: Record<string, unknown>) {
  const started = await startGuardWorld(parseConfig({ groups: { '*': { rules: [{ id: 'no-ads', any: ['兼职'], ...rule }] } } }))
  const { world } = started
  const owner = world.contact('群主', 'wxid_owner')
  const mum = world.contact('小美妈妈', 'wxid_mum')
  const room = world.room('学校家长群', { owner, members: [mum] })
  return { ...started, owner, mum, room }
}

/** 亲子群 with a marketer who greets, then posts an ad (加微信领券), all handled. */
async function adTwice(config: ReturnType<typeof parseConfig>, recallOwnOnly = false) {
  const started = await startGuardWorld(config, { recallOwnOnly })
  const { world } = started
  const owner = world.contact('群主', 'wxid_owner')
  const ad = world.contact('推广员', 'wxid_ad')
  const room = world.room('亲子群', { owner, members: [ad] })
  await world.say(ad, room, '姐妹们好')
  await world.say(ad, room, '加微信领券')
  await started.settle()
  return { ...started, owner, ad, room }
}

/** The member appeals privately; the owner upholds the newest appeal with its number. Returns that number. */
async function upheld(g: Awaited<ReturnType<typeof schoolGroup>>, member: Parameters<typeof g.world.say>[0], words: string) {
  await g.world.say(member, g.world.self, `申诉 ${words}`)
  await g.settle()
  const n = /申诉 #(\d+)/.exec(
    g.world
      .said(g.owner)
      .filter((t) => t.includes('申诉 #'))
      .at(-1) ?? '',
  )?.[1]
  await g.world.say(g.owner, g.world.self, `Y${n}`)
  await g.settle()
  return n
}

describe('group features on wechaty-puppet-mock', () => {
  it('greets a member who joins with the group’s rules, and answers 群规 in the group', async () => {
    const config = parseConfig({
      groups: { '*': { welcome: { enabled: true }, rules: [{ id: 'no-ads', any: ['加微信'], reason: '本群禁止广告' }] } },
    })
    const { world, settle } = await startGuardWorld(config)
    const owner = world.contact('群主', 'wxid_owner')
    const old = world.contact('老成员', 'wxid_old')
    const room = world.room('亲子群', { owner, members: [old] })
    const rules =
      '「亲子群」群规：\n1. 本群禁止广告（第 1 次警告，第 2 次警告，第 3 次移出群聊）\n2. 在群主的其他群因违规被移出的成员，在本群同样会被移出'

    await world.join(room, world.contact('新妈妈', 'wxid_new'), old)
    await settle()
    expect(world.said(room)).toEqual([`@新妈妈 欢迎加入「亲子群」！\n${rules}\n请大家共同遵守，谢谢！`])
    await world.say(old, room, '群规')
    await settle()
    expect(world.said(room).at(-1)).toBe(rules)
  })

  it('asks newcomers to verify: an answer passes, a link before it is recalled, no answer in time → removed', async () => {
    let clock = Date.now()
    const config = parseConfig({ groups: { '*': { verification: { enabled: true, minutes: 10 } } } })
    const { world, settle, plugin } = await startGuardWorld(config, { now: () => new Date(clock) })
    const owner = world.contact('群主', 'wxid_owner')
    const old = world.contact('老成员', 'wxid_old')
    const room = world.room('亲子群', { owner, members: [old] })
    const quiet = world.contact('新人', 'wxid_quiet')
    const keen = world.contact('小李', 'wxid_keen')
    await world.join(room, quiet, old)
    await world.join(room, keen, old)
    await settle()
    const asked = world.said(room)
    expect(asked).toEqual([
      expect.stringMatching(/^@新人 欢迎加入「亲子群」！请在 10 分钟内在群里回复验证码 \d{4}，否则将被移出群聊。/),
      expect.stringMatching(/^@小李 欢迎加入「亲子群」！/),
    ])
    const code = /验证码 (\d{4})/.exec(asked[1] ?? '')?.[1] ?? ''
    await world.say(keen, room, `${code}`)
    await world.say(quiet, room, '看看这个 https://t.cn/abc')
    await settle()
    expect(world.said(room).at(-1)).toBe('@小李 验证通过，欢迎！')
    expect(world.recalled(room)).toHaveLength(1)
    // Eleven minutes on, the plugin’s minute tick: the one who never answered is removed.
    clock += 11 * 60_000
    await plugin.tick()
    await settle()
    expect(world.removed(room)).toEqual(['wxid_quiet'])
    await world.say(owner, world.self, '验证 亲子群 关')
    await settle()
    expect(world.said(owner).at(-1)).toBe('[qunguard] 群「亲子群」已关闭入群验证。')
  })

  it('cleans up after a removal: recalls what the puppet allows, lists the rest to the owner', async () => {
    const config = parseConfig({
      groups: { '*': { rules: [{ id: 'no-ads', any: ['加微信'], action: 'remove' }], cleanup: { enabled: true, minutes: 10 } } },
    })
    for (const recallOwnOnly of [false, true]) {
      const { world, owner, room } = await adTwice(config, recallOwnOnly)
      expect(world.removed(room)).toEqual(['wxid_ad'])
      const told = world.said(owner).at(-1) ?? ''
      expect(told).toMatch(/^\[qunguard\] 已将 推广员 移出「亲子群」，清理其移出前 10 分钟内的 2 条消息。/)
      if (recallOwnOnly) {
        // The usual account: it can recall only its own messages, so the owner gets the list.
        expect(world.recalled(room)).toEqual([])
        expect(told).toMatch(/以下 2 条本账号无法撤回，请以群主身份手动撤回：\n\d\d:\d\d 姐妹们好\n\d\d:\d\d 加微信领券$/)
      } else {
        expect(world.recalled(room)).toHaveLength(2)
        expect(told.endsWith('已全部撤回。')).toBe(true)
      }
      await stopGuardWorlds()
    }
  })

  it('cleans up after a removal the owner approves (Y) as after one the guard makes alone', async () => {
    const config = parseConfig({
      groups: {
        '*': { rules: [{ id: 'no-ads', any: ['加微信'], action: 'remove', mode: 'shadow' }], cleanup: { enabled: true, minutes: 10 } },
      },
    })
    const { world, settle, owner, room } = await adTwice(config)
    expect(world.removed(room)).toEqual([])
    expect(world.said(owner).at(-1)).toContain('Y1')
    await world.say(owner, world.self, 'Y1')
    await settle()
    expect(world.removed(room)).toEqual(['wxid_ad'])
    expect(world.recalled(room)).toHaveLength(2)
    expect(world.said(owner)).toContainEqual('[qunguard] 已将 推广员 移出「亲子群」，清理其移出前 10 分钟内的 2 条消息。已全部撤回。')
  })

  it('takes keywords and a whitelist from the owner’s private chat, by group name, and acts on them in that group', async () => {
    const { world, settle } = await startGuardWorld(parseConfig({ groups: {} }))
    const owner = world.contact('群主', 'wxid_owner')
    const friend = world.contact('老王', 'wxid_friend')
    const promo = world.contact('推广员', 'wxid_promo')
    const room = world.room('亲子群', { owner, members: [friend, promo] })
    await world.say(friend, room, '大家好')
    await settle()

    await world.say(owner, world.self, '加关键词 亲子群 微商')
    await settle()
    expect(world.said(owner).at(-1)).toBe('[qunguard] 群「亲子群」已加关键词：微商（违者按本群的警告→移出处理）。现有：微商。')
    await world.say(owner, world.self, '白名单 亲子群 老王')
    await settle()
    await world.say(friend, room, '我是做微商的')
    await world.say(promo, room, '微商招代理')
    await settle()
    expect(world.said(room)).toEqual([expect.stringContaining('这是第 1 次提醒')])

    // A flood limit set from the chat: the third message within a minute is a flood.
    await world.say(owner, world.self, '刷屏 亲子群 3 60')
    await settle()
    for (const text of ['1', '2', '3']) await world.say(promo, room, text)
    await settle()
    expect(world.said(room)).toEqual([expect.stringContaining('这是第 1 次提醒'), expect.stringContaining('这是第 2 次提醒')])
  })

  it('puts a member three others report (quoting their message) to the owner, who removes them with Y', async () => {
    const { world, settle } = await startGuardWorld(parseConfig({ groups: {} }))
    const owner = world.contact('群主', 'wxid_owner')
    const promo = world.contact('推广王', 'wxid_promo')
    const members = ['甲', '乙', '丙'].map((n, i) => world.contact(n, `wxid_m${i}`))
    const room = world.room('亲子群', { owner, members: [promo, ...members] })
    await world.say(promo, room, '兼职日结 私聊')
    await settle()
    for (const m of members) await world.say(m, room, '「推广王：兼职日结 私聊」\n- - - - - - - - - - - - - - -\n举报')
    await settle()
    const request = world.said(owner).find((t) => t.includes('审批 #'))
    expect(request).toContain('成员：推广王')
    expect(request).toContain('被 3 位成员举报，被举报的内容：「兼职日结 私聊」')
    expect(world.said(room)).toEqual([]) // reporters are told nothing
    await world.say(owner, world.self, 'Y1')
    await settle()
    expect(world.removed(room)).toEqual([promo.id])
  })

  it('takes a warned member’s 申诉 to the owner; upheld, the member is told and their offences are cleared', async () => {
    const { world, settle, owner, mum, room } = await schoolGroup({ reason: '本群禁止招聘广告' })
    await world.say(mum, room, '学校招兼职助教，家长可报名')
    await settle()
    expect(world.said(room)).toEqual([expect.stringContaining('第 1 次提醒')])
    await world.say(mum, world.self, '申诉 这是学校的通知')
    await settle()
    expect(world.said(mum).at(-1)).toBe('[qunguard] 申诉已提交给群「学校家长群」的群主，处理后会告诉你。')
    const request = world.said(owner).find((t) => t.includes('申诉 #'))
    expect(request).toContain('申诉理由：这是学校的通知')
    const n = /申诉 #(\d+)/.exec(request ?? '')?.[1]
    await world.say(owner, world.self, `Y${n}`)
    await settle()
    expect(world.said(mum).at(-1)).toBe('[qunguard] 你在群「学校家长群」的申诉已通过：处理已撤销，违规记录已清除。')
    await world.say(mum, room, '兼职日结')
    await settle()
    expect(world.said(room).at(-1)).toContain('第 1 次提醒')
  })

  it('invites a removed member back when their appeal is upheld, and asks the owner to where the puppet cannot', async () => {
    const g = await schoolGroup({ action: 'remove' })
    const { world, settle, owner, mum, room } = g
    await world.say(mum, room, '学校招兼职助教')
    await settle()
    expect(world.removed(room)).toEqual(['wxid_mum'])
    await upheld(g, mum, '是学校的通知')
    expect(world.said(owner)).toContainEqual(expect.stringMatching(/^\[qunguard\] 已支持申诉 #\d+：.*成员已被移出：正在邀请其回群。$/))
    expect(world.said(mum).at(-1)).toBe('[qunguard] 你在群「学校家长群」的申诉已通过：处理已撤销，违规记录已清除。你会被邀请回群。')
    expect(world.invited(room)).toEqual(['wxid_mum'])

    // A puppet that cannot invite: the owner is asked to, by name.
    world.puppet.roomAdd = async () => {
      throw new Error('roomAdd is not supported by this account')
    }
    const dad = world.contact('小明爸爸', 'wxid_dad')
    await world.join(room, dad, owner)
    await world.say(dad, room, '兼职日结')
    await settle()
    const m = await upheld(g, dad, '我是班长')
    expect(world.said(owner)).toContainEqual(
      `[qunguard] 本账号无法邀请成员入群：请你把 小明爸爸 邀请回群「学校家长群」（申诉 #${m} 已支持）。`,
    )
    expect(world.invited(room)).toEqual(['wxid_mum'])
  })
})
