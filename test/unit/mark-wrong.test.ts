/**
 * 误判 D12: an owner marks one of the guard's decisions wrong after the fact (the console's
 * decisions page sends it as the owner's words). With its request open it is N<n>; otherwise the
 * rule's record counts it as a rejection — once — and two of them demote an acting rule.
 */
import { describe, expect, it } from 'vitest'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { SqliteSupervisionStore } from '../../functions/adapters/local/sqlite-supervision-store.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import { Guard, type HandledDecision } from '../../functions/domain/guard.ts'
import { supervisorFor } from '../../functions/domain/supervision/catalogue.ts'
import { newRule, recordAnswer, recordCorrection, recordFired } from '../../functions/domain/supervision/lifecycle.ts'
import { parseOwnerCommand } from '../../functions/domain/supervision/owner-commands.ts'
import type { SupervisorEffect } from '../../functions/domain/supervision/supervisor.ts'
import { account, at, message, roomSnapshot } from '../helpers/factories.ts'

const says = (effects: readonly SupervisorEffect[]) => effects.flatMap((e) => (e.kind === 'say' ? [`${e.to}: ${e.text}`] : []))
const t = '2026-03-01T12:00:00.000Z'

describe('a decision marked wrong after the fact', () => {
  it('reads 误判 D12 and wrong 12', () => {
    expect(parseOwnerCommand('误判 D12')).toEqual({ kind: 'wrong', ref: 'D12' })
    expect(parseOwnerCommand('wrong 12')).toEqual({ kind: 'wrong', ref: '12' })
    expect(parseOwnerCommand('误判')).toBeUndefined()
  })

  it('counts as a rejection: an approval taken back, an expiry answered, twice counted once', () => {
    const approved = recordAnswer(recordFired(newRule('r1', 'no-ads', 'shadow'), 1), 1, 'approved', t).rule
    const taken = recordCorrection(approved, 1, t)
    expect(taken.rule).toMatchObject({ approved: 0, rejected: 1, recent: [{ decisionId: 1, outcome: 'rejected' }] })
    expect(recordCorrection(taken.rule, 1, t)).toMatchObject({ already: true, rule: taken.rule })
    const expired = {
      ...recordFired(newRule('r1', 'no-ads', 'shadow'), 2),
      expired: 1,
      recent: [{ decisionId: 2, outcome: 'expired' as const }],
    }
    expect(recordCorrection(expired, 2, t).rule).toMatchObject({ expired: 0, rejected: 1 })
    // Not in the recent window any more: still a rejection on the record.
    expect(recordCorrection(newRule('r1', 'no-ads', 'active'), 99, t).rule).toMatchObject({ rejected: 1, recent: [] })
  })

  it('teaches the record of an acting rule without a request, tells the owner once, demotes it on the second', async () => {
    // Active decisions not put to the owner for review: no request to answer.
    const config = parseConfig({
      groups: { '*': { rules: [{ id: 'no-ads', any: ['加微信'], mode: 'active' }] } },
      supervision: { reviewActive: false },
    })
    const guardStore = SqliteGuardStore.open(':memory:')
    const guard = new Guard({ store: guardStore, config })
    await guard.handleEvent(account('wxid_bot'))
    await guard.handleEvent(roomSnapshot({ topic: '周末亲子活动群' }))
    await guard.handleEvent(roomSnapshot({ room: 'r2', topic: '别人的群', owner: 'wxid_other', admins: [] }))
    const store = SqliteSupervisionStore.open(':memory:')
    const supervisor = supervisorFor(config, store, { rooms: guardStore, decisions: guardStore })
    const judge = async (minutes: number, room = 'r1'): Promise<HandledDecision> => {
      const r = await guard.handleEvent(message({ room, text: '加微信领红包', ts: at(minutes) }))
      if (r.status !== 'stored' || !r.decisions[0]) throw new Error('expected a decision')
      await supervisor.onDecision(r.decisions[0], new Date(at(minutes)))
      return r.decisions[0]
    }
    const say = async (text: string, minutes: number, sender = 'wxid_owner') =>
      says(await supervisor.onPrivate({ kind: 'private', id: `p${minutes}`, ts: at(minutes), sender, text }, new Date(at(minutes))))

    const first = await judge(1)
    expect(await say(`误判 D${first.id}`, 2)).toEqual([
      `wxid_owner: [qunguard] 已把 D${first.id}（「周末亲子活动群」，关键词规则 no-ads）记为误判，这条规则的记录已更正。`,
    ])
    expect(await store.getRule('r1', 'no-ads')).toMatchObject({ state: 'active', rejected: 1 })
    expect(await say(`误判 D${first.id}`, 3)).toEqual([
      `wxid_owner: [qunguard] D${first.id}（「周末亲子活动群」，关键词规则 no-ads）已经记为误判了。`,
    ])
    expect((await store.getRule('r1', 'no-ads'))?.rejected).toBe(1)

    // Another owner's group, an unknown number: nothing learned.
    const elsewhere = await judge(4, 'r2')
    expect((await say(`误判 D${elsewhere.id}`, 5))[0]).toContain('找不到处理')
    expect((await say('误判 D999', 6))[0]).toContain('找不到处理')
    expect(await store.getRule('r2', 'no-ads')).toMatchObject({ rejected: 0 })

    // The second wrong decision of the last ten: back to trial, the staff told.
    const second = await judge(7)
    const told = await say(`wrong ${second.id}`, 8)
    expect(told[0]).toContain(`已把 D${second.id}`)
    expect(told.slice(1).join('\n')).toContain('退回试运行')
    expect(await store.getRule('r1', 'no-ads')).toMatchObject({ state: 'shadow', rejected: 2 })
  })

  it('answers an open request as N<n> would', async () => {
    const config = parseConfig({ groups: { '*': { rules: [{ id: 'no-ads', any: ['加微信'], mode: 'shadow' }] } } })
    const guardStore = SqliteGuardStore.open(':memory:')
    const guard = new Guard({ store: guardStore, config })
    await guard.handleEvent(account('wxid_bot'))
    await guard.handleEvent(roomSnapshot({ topic: '周末亲子活动群' }))
    const store = SqliteSupervisionStore.open(':memory:')
    const supervisor = supervisorFor(config, store, { rooms: guardStore, decisions: guardStore })
    const r = await guard.handleEvent(message({ text: '加微信领红包', ts: at(1) }))
    if (r.status !== 'stored' || !r.decisions[0]) throw new Error('expected a decision')
    const asked = says(await supervisor.onDecision(r.decisions[0], new Date(at(1))))
    expect(asked[0]).toContain('1')
    const answered = says(
      await supervisor.onPrivate(
        { kind: 'private', id: 'p2', ts: at(2), sender: 'wxid_owner', text: `误判 D${r.decisions[0].id}` },
        new Date(at(2)),
      ),
    )
    expect(answered).toHaveLength(1)
    expect(await store.listOpen('wxid_owner')).toEqual([])
    expect(await store.getRule('r1', 'no-ads')).toMatchObject({ rejected: 1 })
  })
})
