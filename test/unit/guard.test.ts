import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { MemoryFactsStore } from '../../functions/adapters/memory/memory-facts-store.ts'
import type { AdClassifier } from '../../functions/domain/ad-classifier.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import { Guard } from '../../functions/domain/guard.ts'
import type { LearnedPolicy } from '../../functions/domain/learning/rule-learner.ts'
import type { LearnedRule } from '../../functions/domain/learning/rules.ts'
import type { ActionExecutor, ActionRequest } from '../../functions/ports/action-executor.port.ts'
import { account, at, join, message, roomSnapshot } from '../helpers/factories.ts'
import { tempDir } from '../helpers/temp-dirs.ts'

const config = (settings: Record<string, unknown> = {}) =>
  parseConfig({ groups: { '*': { rules: [{ id: 'no-ads', any: ['加微信'] }], ...settings } } })

async function primed(settings: Record<string, unknown> = {}, store = SqliteGuardStore.open(':memory:')) {
  const requests: ActionRequest[] = []
  const executor: ActionExecutor = {
    execute: async (r) => {
      requests.push(r)
      return { status: 'done', detail: 'ok' }
    },
  }
  const guard = new Guard({ store, config: config(settings), executor })
  await guard.handleEvent(account('wxid_bot'))
  await guard.handleEvent(roomSnapshot())
  return { guard, store, requests }
}

const actionsOf = (r: Awaited<ReturnType<Guard['handle']>>) =>
  r.status === 'stored' ? r.decisions.map((d) => d.decision.action) : r.status

describe('Guard', () => {
  it('rejects an invalid event naming the field, and stores nothing', async () => {
    const { guard, store } = await primed()
    const before = await store.countEvents()
    expect(await guard.handle({ id: 'x', kind: 'message', ts: at(0), room: 'r1', type: 'text', text: '加微信' })).toEqual({
      status: 'invalid',
      error: expect.stringContaining('message.sender'),
    })
    expect(await store.countEvents()).toBe(before)
  })

  it('does nothing twice for a redelivered event', async () => {
    const { guard, requests } = await primed()
    const m = message({ text: '加微信' })
    expect(actionsOf(await guard.handle(m))).toEqual(['warn'])
    expect(actionsOf(await guard.handle(m))).toBe('duplicate')
    expect(requests).toHaveLength(1)
  })

  it('lets offences older than the window expire', async () => {
    const { guard } = await primed({ offenceWindowDays: 30 })
    expect(actionsOf(await guard.handle(message({ text: '加微信', ts: at(0) })))).toEqual(['warn'])
    expect(actionsOf(await guard.handle(message({ text: '加微信', ts: at(60) })))).toEqual(['warn'])
    // 30 days and 30 minutes after the first offence, only the second one still counts.
    expect(actionsOf(await guard.handle(message({ text: '加微信', ts: at(30 * 24 * 60 + 30) })))).toEqual(['warn'])
    expect(actionsOf(await guard.handle(message({ text: '加微信', ts: at(30 * 24 * 60 + 40) })))).toEqual(['remove'])
  })

  it('compares offence windows correctly across time-zone offsets', async () => {
    const { guard } = await primed({ offenceWindowDays: 1 })
    await guard.handle(message({ text: '加微信', ts: '2026-03-01T23:00:00+08:00' }))
    // 2026-03-01T16:30Z is 30 minutes later: the first offence still counts.
    expect(actionsOf(await guard.handle(message({ text: '加微信', ts: '2026-03-01T16:30:00Z' })))).toEqual(['warn'])
    expect(actionsOf(await guard.handle(message({ text: '加微信', ts: '2026-03-01T16:40:00Z' })))).toEqual(['remove'])
  })

  it('keeps the ladder across a restart (persisted in the store file)', async () => {
    const file = path.join(tempDir('qunguard-'), 'guard.db')
    const first = await primed({}, SqliteGuardStore.open(file))
    await first.guard.handle(message({ text: '加微信', ts: at(1) }))
    await first.guard.handle(message({ text: '加微信', ts: at(2) }))
    await first.store.close()
    const store = SqliteGuardStore.open(file)
    const guard = new Guard({ store, config: config() })
    expect(actionsOf(await guard.handle(message({ text: '加微信', ts: at(3) })))).toEqual(['remove'])
    await store.close()
  })

  it('keeps shadow offences apart from active ones', async () => {
    const { guard, store } = await primed({ mode: 'shadow' })
    await guard.handle(message({ text: '加微信', ts: at(1) }))
    await guard.handle(message({ text: '加微信', ts: at(2) }))
    expect(await store.countOffences('r1', 'wxid_member', at(-1), 'shadow')).toBe(2)
    expect(await store.countOffences('r1', 'wxid_member', at(-1), 'active')).toBe(0)
  })

  it('records a join with its route and uses it for newcomer rules', async () => {
    const store = SqliteGuardStore.open(':memory:')
    const guard = new Guard({
      store,
      config: parseConfig({ groups: { '*': { rules: [{ id: 'new', any: ['链接'], newcomerHours: 1 }] } } }),
    })
    await guard.handle(join({ members: ['wxid_new'], via: 'qrcode', inviter: 'wxid_owner', ts: at(0) }))
    expect(await store.getMember('r1', 'wxid_new')).toMatchObject({ via: 'qrcode', inviter: 'wxid_owner', joinedAt: at(0) })
    expect(actionsOf(await guard.handle(message({ sender: 'wxid_new', text: '看链接', ts: at(10) })))).toEqual(['warn'])
    expect(actionsOf(await guard.handle(message({ sender: 'wxid_new', text: '看链接', ts: at(120) })))).toEqual([])
  })

  it('records an executor failure instead of throwing', async () => {
    const store = SqliteGuardStore.open(':memory:')
    const executor: ActionExecutor = {
      execute: async () => {
        throw new Error('network down')
      },
    }
    const guard = new Guard({ store, config: config(), executor })
    const r = await guard.handle(message({ text: '加微信' }))
    expect(r.status === 'stored' && r.decisions[0]?.outcome).toEqual({ status: 'failed', detail: 'network down' })
    const [d] = await store.listDecisions()
    expect(await store.listActions(d?.id)).toEqual([expect.objectContaining({ status: 'failed' })])
  })

  it("counts a keyword rule's catch towards the learned second-offence rule", async () => {
    const rule = (who: LearnedRule['who'], threshold: number): LearnedRule => ({
      id: `learned:ad-text@${threshold}:${who}`,
      room: 'r1',
      what: 'ad-text',
      who,
      threshold,
      action: 'remove',
      mode: 'shadow',
      evidence: { matched: 10, labelled: 8, rate: 0.8, precision: 1, announced: false },
      sentence: `ad-text ${who}`,
    })
    // A stand-in classifier: "优惠" texts score 0.6, under the room's own 0.9.
    const classifier = { score: (t: string) => (t.includes('优惠') ? 0.6 : 0.1) } as unknown as AdClassifier
    const learned: LearnedPolicy = {
      version: 1,
      createdAt: '2026-11-26T00:00:00Z',
      rooms: { r1: { rules: [rule('newcomer', 0.9), rule('offender', 0.5)], actionRate: 0.6 } },
      classifier,
      stats: { events: 0, messages: 0, labelled: 0 },
    }
    const guard = new Guard({
      store: SqliteGuardStore.open(':memory:'),
      config: config(),
      learned: { policy: learned, facts: new MemoryFactsStore() },
    })
    for (const e of [account('wxid_bot'), roomSnapshot(), join({ members: ['wxid_x', 'wxid_y'], ts: at(0) })]) await guard.handleEvent(e)
    const ruleOf = async (m: ReturnType<typeof message>) => {
      const r = await guard.handle(m)
      return r.status === 'stored' ? r.decisions.map((d) => `${d.decision.rule} ${d.decision.mode}`) : r.status
    }
    expect(await ruleOf(message({ sender: 'wxid_y', text: '优惠多多', ts: at(1) }))).toEqual([])
    expect(await ruleOf(message({ sender: 'wxid_x', text: '加微信', ts: at(2) }))).toEqual(['no-ads active'])
    expect(await ruleOf(message({ sender: 'wxid_x', text: '优惠多多', ts: at(3) }))).toEqual(['learned:ad-text@0.5:offender shadow'])
  })
})

describe('Guard groups keyed by name', () => {
  it('applies a groups entry keyed by the room name, and warns once when two rooms share it', async () => {
    const store = SqliteGuardStore.open(':memory:')
    const warnings: string[] = []
    // The blacklist off: a removal in r1 would otherwise look r2 up at once (blacklist.test.ts).
    const cfg = parseConfig({
      groups: { '*': { blacklist: { action: 'off' } }, 周末亲子活动群: { rules: [{ id: 'no-ads', any: ['加微信'], action: 'remove' }] } },
    })
    const guard = new Guard({ store, config: cfg, onWarning: (l) => warnings.push(l) })
    await guard.handleEvent(roomSnapshot({ room: 'r1', topic: '周末亲子活动群' }))
    await guard.handleEvent(roomSnapshot({ room: 'r2', topic: '周末亲子活动群' }))
    expect(actionsOf(await guard.handle(message({ room: 'r1', text: '加微信' })))).toEqual(['remove'])
    expect(warnings).toEqual([])
    expect(actionsOf(await guard.handle(message({ room: 'r2', text: '加微信' })))).toEqual(['remove'])
    expect(warnings).toEqual([expect.stringContaining('groups."周末亲子活动群" applies to several groups')])
    await store.close()
  })
})
