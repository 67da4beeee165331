/**
 * Supervision end to end on wechaty-puppet-mock: a shadow rule fires, the owner gets a numbered
 * request in a private chat and answers it; records, promotion, demotion, expiry, digests and
 * owner commands — all through the QunGuard plugin, with a clock the test moves.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { MockWorld } from '../../bot-host/mock-world.ts'
import { QunGuard } from '../../bot-host/qunguard-plugin.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { SqliteSupervisionStore } from '../../functions/adapters/local/sqlite-supervision-store.ts'
import { parseConfig } from '../../functions/domain/config.ts'

const HOUR = 3_600_000
let current: { world: MockWorld; store: SqliteGuardStore; stop: () => void } | undefined

async function setup(rule: Record<string, unknown>, supervision: Record<string, unknown> = {}) {
  const store = SqliteGuardStore.open(':memory:')
  const approvals = SqliteSupervisionStore.open(':memory:')
  let clock = Date.UTC(2026, 2, 1, 2) // 10:00 in China
  const config = parseConfig({
    groups: { '*': { rules: [{ id: 'no-ads', any: ['加微信'], reason: '本群禁止广告', ...rule }] } },
    supervision: { reportHour: null, ...supervision },
  })
  const plugin = QunGuard({ store, config, supervision: approvals, tickMs: 0, now: () => new Date(clock) })
  const world = await MockWorld.start({ plugins: [plugin] })
  const owner = world.contact('群主', 'wxid_owner')
  const member = world.contact('老成员', 'wxid_member')
  const room = world.room('亲子群', { owner, members: [member] })
  current = { world, store, stop: () => plugin.stop() }
  const settle = async () => {
    await plugin.idle()
    await world.settle()
    await plugin.idle()
  }
  let n = 0
  /** A new member posts an ad. */
  const ad = async () => {
    const m = world.contact(`推广员${++n}`, `wxid_promo${n}`)
    await world.join(room, m, owner)
    await settle()
    await world.say(m, room, `加微信 abc${n}`)
    await settle()
    return m
  }
  const dm = async (from: typeof owner, text: string) => {
    await world.say(from, world.self, text)
    await settle()
  }
  const advance = async (ms: number) => {
    clock += ms
    await plugin.tick()
    await settle()
  }
  const rule0 = () => approvals.getRule(room.id, 'no-ads')
  return { world, store, plugin, owner, member, room, ad, dm, advance, rule0, toOwner: () => world.said(owner) }
}

afterEach(async () => {
  if (!current) return
  current.stop()
  await current.world.stop()
  await current.store.close()
  current = undefined
})

describe('supervision on wechaty-puppet-mock', () => {
  it('asks the owner about a shadow rule’s decision, and removes the member on Y1', async () => {
    const t = await setup({ mode: 'shadow', action: 'remove' })
    const promo = await t.ad()
    expect(t.world.removed(t.room)).toEqual([])
    const [request] = t.toOwner()
    expect(request).toContain('审批 #1')
    expect(request).toContain('亲子群')
    expect(request).toContain('推广员1')
    expect(request).toContain('加微信 abc1')
    expect(request).toContain('本群禁止广告')
    expect(request).toContain('移出群聊')
    expect(request).toContain('Y1')
    await t.dm(t.owner, 'Ｙ １') // full-width and spaced
    expect(t.world.removed(t.room)).toEqual([promo.id])
    expect(t.toOwner().at(-1)).toContain('已同意 #1')
    const [d] = await t.store.listDecisions({ room: t.room.id })
    expect(d).toMatchObject({ mode: 'shadow', rule: 'no-ads' })
    expect(await t.store.listActions(d?.id)).toEqual([expect.objectContaining({ status: 'done' })])
    expect(await t.rule0()).toMatchObject({ state: 'shadow', fired: 1, approved: 1, rejected: 0 })
  })

  it('leaves the member alone on N1 and counts it against the rule', async () => {
    const t = await setup({ mode: 'shadow', action: 'remove' })
    await t.ad()
    await t.dm(t.owner, '拒绝1')
    expect(t.world.removed(t.room)).toEqual([])
    expect(t.world.said(t.room)).toEqual([])
    expect(t.toOwner().at(-1)).toContain('已拒绝 #1')
    expect(await t.rule0()).toMatchObject({ state: 'shadow', approved: 0, rejected: 1 })
    await t.dm(t.owner, '规则')
    expect(t.toOwner().at(-1)).toMatch(/R1 \[试运行\] 本群禁止广告 — 触发 1，同意 0，拒绝 1/)
  })

  it('promotes a shadow rule after five approvals, and then it acts alone', async () => {
    const t = await setup({ mode: 'shadow', action: 'remove' })
    for (let i = 1; i <= 5; i++) {
      await t.ad()
      await t.dm(t.owner, `Y${i}`)
    }
    expect(t.world.removed(t.room)).toHaveLength(5)
    expect(t.toOwner().join('\n')).toContain('试运行 → 自动执行')
    expect(await t.rule0()).toMatchObject({ state: 'active', approved: 5 })
    const sixth = await t.ad()
    expect(t.world.removed(t.room)).toContain(sixth.id)
    expect(t.toOwner().filter((s) => s.includes('审批 #6'))).toEqual([])
    const decisions = await t.store.listDecisions({ room: t.room.id })
    expect(decisions.at(-1)).toMatchObject({ mode: 'active', action: 'remove' })
  })

  it('sends an active rule back to shadow after two of its decisions are marked wrong', async () => {
    const t = await setup({ mode: 'active', action: 'warn' })
    await t.ad()
    await t.ad()
    expect(t.world.said(t.room).filter((s) => s.includes('本群禁止广告'))).toHaveLength(2)
    await t.advance(HOUR) // the digest lists what was done, for review
    const digest = t.toOwner().at(-1) ?? ''
    expect(digest).toContain('已自动处理 2 条')
    expect(digest).toMatch(/#1 .*推广员1/)
    await t.dm(t.owner, 'N1')
    expect(t.toOwner().at(-1)).toContain('误判')
    await t.dm(t.owner, 'N2')
    expect(t.toOwner().join('\n')).toContain('自动执行 → 试运行')
    expect(await t.rule0()).toMatchObject({ state: 'shadow', rejected: 2 })
    await t.ad()
    expect(t.world.said(t.room).filter((s) => s.includes('本群禁止广告'))).toHaveLength(2) // no third warning
    expect(t.toOwner().at(-1)).toContain('审批 #3')
  })

  it('ignores Y1 from anyone but the owner, and tells them nothing', async () => {
    const t = await setup({ mode: 'shadow', action: 'remove' })
    await t.ad()
    await t.dm(t.member, 'Y1')
    await t.dm(t.member, '规则')
    expect(t.world.removed(t.room)).toEqual([])
    expect(t.world.said(t.member)).toEqual([])
    expect(await t.rule0()).toMatchObject({ approved: 0, rejected: 0 })
    await t.dm(t.owner, 'Y1') // still open for the owner
    expect(t.world.removed(t.room)).toHaveLength(1)
  })

  it('expires an unanswered request without acting', async () => {
    const t = await setup({ mode: 'shadow', action: 'remove' })
    await t.ad()
    await t.advance(25 * HOUR)
    await t.dm(t.owner, 'Y1')
    expect(t.world.removed(t.room)).toEqual([])
    expect(t.toOwner().at(-1)).toContain('没有待处理的审批 #1')
    expect(await t.rule0()).toMatchObject({ expired: 1, approved: 0 })
  })

  it('batches requests beyond the hourly limit into a digest, least-sure first within the daily budget', async () => {
    const t = await setup({ mode: 'shadow', action: 'remove' }, { maxPerHour: 2, dailyBudget: 3 })
    for (let i = 0; i < 4; i++) await t.ad()
    expect(t.toOwner().filter((s) => s.includes('审批 #'))).toHaveLength(2)
    await t.advance(HOUR)
    const digest = t.toOwner().at(-1) ?? ''
    expect(digest).toContain('待审批 1 条') // the budget of 3 leaves one more today
    expect(digest).toContain('#3')
    expect(digest).not.toContain('#4')
    await t.dm(t.owner, 'Y3')
    expect(t.world.removed(t.room)).toEqual(['wxid_promo3'])
  })

  it('obeys the owner’s commands: pause and resume a rule, quiet mode for a group', async () => {
    const t = await setup({ mode: 'active', action: 'warn' }, { reviewActive: false })
    await t.world.say(t.member, t.room, '大家好') // the room exists for the guard (it snapshots rooms at login)
    await t.dm(t.owner, '暂停 R1')
    expect(t.toOwner().at(-1)).toContain('暂停')
    await t.ad()
    expect(await t.store.listDecisions()).toEqual([])
    await t.dm(t.owner, '恢复 R1')
    await t.dm(t.owner, '安静 开 亲子群')
    expect(t.toOwner().at(-1)).toContain('安静模式已开启')
    await t.ad()
    expect(t.world.said(t.room)).toEqual([])
    expect(t.toOwner().at(-1)).toContain('推广员2')
    expect((await t.store.listDecisions()).at(-1)).toMatchObject({ action: 'alert-owner', mode: 'active' })
    await t.dm(t.owner, '日报')
    expect(t.toOwner().at(-1)).toMatch(/日报[\s\S]*亲子群：自动处理 1/)
  })
})
