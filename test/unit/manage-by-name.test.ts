import { afterEach, describe, expect, it } from 'vitest'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { MemoryApprovalStore } from '../../functions/adapters/memory/memory-approval-store.ts'
import { MemoryFactsStore } from '../../functions/adapters/memory/memory-facts-store.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import type { GroupEvent } from '../../functions/domain/events.ts'
import { Guard } from '../../functions/domain/guard.ts'
import { GuardSession } from '../../functions/domain/session.ts'
import { StoredRuleModes } from '../../functions/domain/supervision/stored-rule-modes.ts'
import { account, at, message, roomSnapshot } from '../helpers/factories.ts'

const stores: SqliteGuardStore[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
})

const members = ['wxid_owner', 'wxid_w', 'wxid_x', 'wxid_ww']
const names = { wxid_w: '小王', wxid_x: '小李', wxid_ww: '小王子' }
const rooms = [
  roomSnapshot({ room: 'r1', topic: '宝妈群', members, names, admins: [] }),
  roomSnapshot({ room: 'r2', topic: '业主群', members, names, admins: [] }),
]

function setup() {
  const store = SqliteGuardStore.open(':memory:')
  stores.push(store)
  const supervision = new MemoryApprovalStore()
  const config = parseConfig({ groups: { '*': { blacklist: { action: 'off' } } } })
  const s = new GuardSession({ store, supervision, config, facts: new MemoryFactsStore() })
  let minute = 0
  const run = async (e: GroupEvent) => s.handle(e, { at: new Date(Date.parse(at(++minute))) })
  const say = async (text: string, sender = 'wxid_owner') =>
    (await run({ kind: 'private', id: `p${minute}`, ts: at(minute), sender, text })).effects.flatMap((e) =>
      e.kind === 'say' ? [e.text] : [],
    )
  const judged = async (room: string, sender: string, text: string) =>
    (await run(message({ room, sender, text, ts: at(minute) }))).decisions.map((d) => `${d.decision.rule} ${d.decision.action}`)
  return { run, say, judged, store, supervision, config }
}

describe('managing groups by name from the private chat', () => {
  it('lists the owner’s groups, adds and removes keywords per group by name, and shows them in 规则', async () => {
    const t = setup()
    for (const e of [account(), ...rooms]) await t.run(e)
    const [groups] = await t.say('群列表')
    expect(groups?.split('\n')[0]).toBe('[qunguard] 你管理的群（指令里写 G1、G2 或群名）：')
    expect(
      groups
        ?.split('\n')
        .slice(1)
        .map((l) => l.slice(3))
        .sort(),
    ).toEqual(['业主群', '宝妈群'].sort())
    expect(await t.say('加关键词 业主群 代购 微商')).toEqual([
      '[qunguard] 群「业主群」已加关键词：代购、微商（违者按本群的警告→移出处理）。现有：代购、微商。',
    ])
    expect(await t.judged('r2', 'wxid_x', '专业代购')).toEqual(['owner-keywords warn'])
    expect(await t.judged('r1', 'wxid_x', '专业代购')).toEqual([]) // only where it was added
    expect((await t.say('规则'))[0]).toContain('业主群\n  聊天中设置：关键词 代购、微商')
    expect(await t.say('删关键词 业主群 代购 拼团')).toEqual([
      '[qunguard] 群「业主群」已删除关键词：代购；不在聊天中加的关键词里：拼团（配置文件里的关键词要改配置文件）。现有：微商。',
    ])
    expect(await t.judged('r2', 'wxid_x', '专业代购')).toEqual([])
    expect(await t.judged('r2', 'wxid_x', '微商招代理')).toEqual(['owner-keywords warn'])
    // Strangers get nothing, and change nothing.
    expect(await t.say('加关键词 业主群 你好', 'wxid_x')).toEqual([])
    expect(await t.judged('r2', 'wxid_w', '你好')).toEqual([])
    // Two groups: the group must be named.
    expect(await t.say('加关键词 代购')).toEqual(['[qunguard] 请写明是哪个群，如「加关键词 G1 代购」。回复「群列表」查看群编号。'])
  })

  it('whitelists a member of a group by name (the exact name among several that fit), and takes them off again', async () => {
    const t = setup()
    for (const e of [account(), ...rooms]) await t.run(e)
    await t.say('加关键词 业主群 微商')
    expect(await t.say('白名单 业主群 @小')).toEqual([
      '[qunguard] 群「业主群」里有 3 人与「小」相符（小李、小王、小王子），请写完整的昵称或微信号。',
    ])
    expect(await t.say('白名单 业主群 小王')).toEqual(['[qunguard] 已把 小王 加入群「业主群」的白名单：不再处理这位成员。'])
    expect(await t.judged('r2', 'wxid_w', '微商')).toEqual([])
    expect(await t.judged('r2', 'wxid_ww', '微商')).toEqual(['owner-keywords warn'])
    expect(await t.say('白名单 业主群 老张')).toEqual(['[qunguard] 群「业主群」里找不到「老张」（昵称或微信号）。'])
    expect((await t.say('群列表'))[0]).toContain('业主群：关键词 微商；白名单 小王')
    expect(await t.say('取消白名单 业主群 小王')).toEqual(['[qunguard] 已把 小王 移出群「业主群」的白名单。'])
    expect(await t.judged('r2', 'wxid_w', '微商')).toEqual(['owner-keywords warn'])
  })

  it('locks message types and sets the flood limit of a group from the chat, shown in 群列表', async () => {
    const t = setup()
    for (const e of [account(), ...rooms]) await t.run(e)
    expect(await t.say('锁定 业主群 红包 名片')).toEqual([
      '[qunguard] 群「业主群」已锁定：红包、名片（违者按本群的警告→移出处理）。聊天中锁定的：红包、名片。',
    ])
    expect(await t.say('锁定 业主群 广告')).toEqual([
      '[qunguard] 不认识「广告」。可锁定：链接、小程序、名片、文件、红包、转账、图片、视频、语音、表情、位置、二维码。',
    ])
    const post = async (room: string, type: 'redpacket' | 'card' | 'text', text = '') =>
      (await t.run(message({ room, sender: 'wxid_x', type, text, ts: at(50) }))).decisions.map((d) => d.decision.rule)
    expect(await post('r2', 'redpacket')).toEqual(['limit:lock'])
    expect(await post('r1', 'redpacket')).toEqual([])
    expect(await t.say('解锁 业主群 红包')).toEqual(['[qunguard] 群「业主群」已解锁：红包。聊天中锁定的：名片。'])
    expect(await post('r2', 'redpacket')).toEqual([])
    expect(await t.say('刷屏 业主群 3 60')).toEqual(['[qunguard] 群「业主群」60 秒内连发 3 条以上算刷屏（违者按本群的警告→移出处理）。'])
    expect(await t.say('刷屏 业主群 1 60')).toEqual([
      '[qunguard] 写法：「刷屏 G1 5 10」= 10 秒内连发 5 条以上算刷屏（条数至少 2，秒数 1–3600）；「刷屏 G1 关」不限。',
    ])
    const flood = []
    for (let i = 0; i < 3; i++) flood.push(await post('r2', 'text', `${i}`))
    expect(flood).toEqual([[], [], ['limit:flood']])
    expect((await t.say('群列表'))[0]).toContain('业主群：锁定 名片；60 秒内 3 条以上算刷屏')
  })

  it('applies what owners changed from the chat on AWS too (moderate reads it from the supervision store)', async () => {
    const t = setup()
    for (const e of [account(), ...rooms]) await t.run(e)
    await t.say('加关键词 业主群 微商')
    await t.say('白名单 业主群 小王')
    // A second Guard, as the moderate function builds one: rule modes and chat changes from the store.
    const guard = new Guard({ store: t.store, config: t.config, supervision: new StoredRuleModes(t.supervision, 0) })
    const judge = async (sender: string) => {
      const r = await guard.handle(message({ room: 'r2', sender, text: '微商', ts: at(100) }))
      return r.status === 'stored' ? r.decisions.map((d) => d.decision.rule) : r.status
    }
    expect(await judge('wxid_x')).toEqual(['owner-keywords'])
    expect(await judge('wxid_w')).toEqual([])
  })
})
