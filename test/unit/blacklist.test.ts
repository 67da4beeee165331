import { afterEach, describe, expect, it } from 'vitest'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { MemoryApprovalStore } from '../../functions/adapters/memory/memory-approval-store.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import type { GroupEvent } from '../../functions/domain/events.ts'
import { GuardSession } from '../../functions/domain/session.ts'
import { account, at, join, message, roomSnapshot } from '../helpers/factories.ts'

const stores: SqliteGuardStore[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
})

/** An owner with two groups (and a third owner's group), the marketer wxid_m in all of them. */
function session(groups: Record<string, unknown> = {}) {
  const store = SqliteGuardStore.open(':memory:')
  stores.push(store)
  const config = parseConfig({
    groups: { '*': { rules: [{ id: 'no-ads', any: ['加微信'], action: 'remove' }] }, ...groups },
  })
  const s = new GuardSession({ store, supervision: new MemoryApprovalStore(), config })
  const run = async (e: GroupEvent, minute = 0) => s.handle(e, { at: new Date(Date.parse(at(minute))) })
  return { store, s, run }
}

const members = ['wxid_owner', 'wxid_admin', 'wxid_m', 'wxid_chat']
const names = { wxid_m: '推广小王' }
const rooms = [
  roomSnapshot({ room: 'r1', topic: '宝妈交流群', members, names }),
  roomSnapshot({ room: 'r2', topic: '业主群', members, names }),
  roomSnapshot({ room: 'r3', topic: '别人的群', owner: 'wxid_someone', admins: [], members, names }),
]
const lines = (out: Awaited<ReturnType<GuardSession['handle']>>) =>
  out.decisions.map((d) => `${d.decision.room} ${d.decision.rule} ${d.decision.action} ${d.decision.mode}`)

describe('the cross-group blacklist', () => {
  it('flags a member the guard removes in the owner’s other groups (asked by default), not in other owners’ groups', async () => {
    const { run } = session()
    for (const e of [account(), ...rooms]) await run(e)
    const out = await run(message({ room: 'r1', sender: 'wxid_m', senderName: '推广小王', text: '加微信领红包', ts: at(1) }), 1)
    expect(lines(out)).toEqual(['r1 no-ads remove active', 'r2 blacklist ask-owner shadow'])
    // The owner is asked about the other group, by its name and the member's, and told why.
    const asked = out.effects.find((e) => e.kind === 'say')
    expect(asked?.kind === 'say' && asked.text).toMatch(
      /群：业主群\n成员：推广小王\n事件：在「宝妈交流群」被移出，仍在本群\n原因：黑名单：曾在「宝妈交流群」因违规被移出\n建议：移出群聊/,
    )
    // Y carries the removal out in 业主群.
    const number = asked?.kind === 'say' ? /审批 #(\d+)/.exec(asked.text)?.[1] : undefined
    const yes = await run({ kind: 'private', id: 'p1', ts: at(2), sender: 'wxid_owner', text: `Y${number}` }, 2)
    expect(yes.effects.filter((e) => e.kind === 'act').map((e) => e.kind === 'act' && e.approval.request.decision)).toEqual([
      expect.objectContaining({ room: 'r2', target: 'wxid_m', action: 'remove', mode: 'active', rule: 'blacklist' }),
    ])
  })

  it('removes a listed member who joins again, where the owner chose remove; staff and whitelisted members are never listed', async () => {
    const { run, store, s } = session({ r1: { blacklist: { action: 'remove' } }, r2: { whitelist: ['wxid_chat'] } })
    for (const e of [account(), ...rooms]) await run(e)
    await run(message({ room: 'r1', sender: 'wxid_m', text: '加微信', ts: at(1) }), 1)
    await run({ kind: 'leave', id: 'l1', ts: at(2), room: 'r1', members: ['wxid_m'], remover: 'wxid_bot' }, 2)
    const rejoin = join({ room: 'r1', members: ['wxid_m', 'wxid_new'], names: { wxid_m: '小王2号' }, ts: at(60) })
    const back = await run(rejoin, 60)
    expect(lines(back)).toEqual(['r1 blacklist remove active'])
    expect(back.decisions[0]?.request?.decision.reason).toBe('黑名单：曾在「宝妈交流群」因违规被移出')
    // A redelivered join finds its stored decision, with what it was about (AWS sends it again).
    const stored = await s.guard.storedDecisions(rejoin)
    expect(stored.map((h) => [h.decision.rule, h.request?.decision.action, h.about])).toEqual([
      ['blacklist', 'remove', { name: '小王2号', what: '入群' }],
    ])
    // An admin's ad is removed from nothing and lists nobody; neither does a whitelisted member's in r2.
    await run(message({ room: 'r1', sender: 'wxid_admin', text: '加微信', ts: at(61) }), 61)
    await run(message({ room: 'r2', sender: 'wxid_chat', text: '加微信', ts: at(62) }), 62)
    expect((await store.listBlacklist('wxid_owner')).map((e) => e.member)).toEqual(['wxid_m'])
  })

  it('lists a member the owner removes by hand after an offence, not one removed without any (housekeeping)', async () => {
    const { run, store } = session({ '*': { rules: [{ id: 'no-ads', any: ['加微信'], action: 'warn' }] } })
    for (const e of [account(), ...rooms]) await run(e)
    await run(message({ room: 'r1', sender: 'wxid_m', text: '加微信', ts: at(1) }), 1)
    const removal = await run({ kind: 'leave', id: 'l1', ts: at(30), room: 'r1', members: ['wxid_m'], remover: 'wxid_owner' }, 30)
    expect(lines(removal)).toEqual(['r2 blacklist ask-owner shadow'])
    const quiet = await run({ kind: 'leave', id: 'l2', ts: at(31), room: 'r1', members: ['wxid_chat'], remover: 'wxid_owner' }, 31)
    expect(lines(quiet)).toEqual([])
    // A member who leaves by themselves is not removed by anyone.
    await run({ kind: 'leave', id: 'l3', ts: at(32), room: 'r2', members: ['wxid_m'] }, 32)
    expect((await store.listBlacklist('wxid_owner')).map((e) => [e.member, e.room, e.event])).toEqual([['wxid_m', 'r1', 'l1']])
  })

  it('reads a trusted owner’s list, and does nothing where the blacklist is off', async () => {
    const { run } = session({
      别人的群: { blacklist: { action: 'ask-owner', trust: ['wxid_owner'] } },
      业主群: { blacklist: { action: 'off' } },
    })
    for (const e of [account(), ...rooms]) await run(e)
    const out = await run(message({ room: 'r1', sender: 'wxid_m', text: '加微信', ts: at(1) }), 1)
    expect(lines(out)).toEqual(['r1 no-ads remove active', 'r3 blacklist ask-owner shadow'])
  })

  it('lists the blacklist to its owner by name and group (黑名单), and takes a member off it by name (解除黑名单); strangers get nothing', async () => {
    const { run } = session()
    for (const e of [account(), ...rooms]) await run(e)
    await run(message({ room: 'r1', sender: 'wxid_m', senderName: '推广小王', text: '加微信', ts: at(1) }), 1)
    // WeChat tells of the removal the guard carried out: listed already, nothing more.
    expect(lines(await run({ kind: 'leave', id: 'l1', ts: at(2), room: 'r1', members: ['wxid_m'], remover: 'wxid_bot' }, 2))).toEqual([])
    const say = async (sender: string, text: string, minute: number) =>
      (await run({ kind: 'private', id: `p${minute}`, ts: at(minute), sender, text }, minute)).effects.flatMap((e) =>
        e.kind === 'say' ? [e.text] : [],
      )
    expect(await say('wxid_owner', '黑名单', 5)).toEqual([
      '[qunguard] 黑名单（1 人，在你所有的群都会被处理）：\n1. 推广小王 — 03-01 20:01 在「宝妈交流群」因违规被移出\n解除：回复「解除黑名单 昵称」',
    ])
    expect(await say('wxid_stranger', '黑名单', 6)).toEqual([])
    expect(await say('wxid_owner', '解除黑名单 老李', 7)).toEqual(['[qunguard] 黑名单里没有「老李」。回复「黑名单」查看名单。'])
    expect(await say('wxid_owner', '解除黑名单 @小王', 8)).toEqual(['[qunguard] 已将 推广小王 移出黑名单：再入群或发言不再因此被处理。'])
    expect(await say('wxid_owner', '黑名单', 9)).toEqual(['[qunguard] 黑名单是空的：还没有成员因违规被移出。'])
    expect(lines(await run(join({ room: 'r1', members: ['wxid_m'], ts: at(11) }), 11))).toEqual([])
  })
})
