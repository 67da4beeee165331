/**
 * Supervision keeps nothing that matters only in a process's memory: a supervisor started
 * afresh on the same stores (a restarted bot, another Lambda invocation) holds the hourly limit,
 * sends the digest that was due and sends the daily report once a day.
 */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { SqliteSupervisionStore } from '../../functions/adapters/local/sqlite-supervision-store.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import { Guard, type HandledDecision } from '../../functions/domain/guard.ts'
import { supervisorFor } from '../../functions/domain/supervision/catalogue.ts'
import type { SupervisorEffect } from '../../functions/domain/supervision/supervisor.ts'
import { account, at, message, roomSnapshot } from '../helpers/factories.ts'
import { tempDir } from '../helpers/temp-dirs.ts'

const config = parseConfig({
  groups: { '*': { rules: [{ id: 'no-ads', any: ['加微信'], mode: 'shadow' }] } },
  supervision: { maxPerHour: 2, digestMinutes: 60, reportHour: 21 },
})

const says = (effects: readonly SupervisorEffect[]) => effects.flatMap((e) => (e.kind === 'say' ? [`${e.to}: ${e.text}`] : []))

describe('Supervisor state across restarts', () => {
  it('holds the hourly limit, sends the due digest and the report once a day after a restart', async () => {
    const file = path.join(tempDir('supervisor-state'), 'qunguard.db')
    const guardStore = SqliteGuardStore.open(file)
    const guard = new Guard({ store: guardStore, config })
    await guard.handleEvent(account('wxid_bot'))
    await guard.handleEvent(roomSnapshot({ topic: '周末亲子活动群' }))
    const judge = async (minutes: number): Promise<HandledDecision> => {
      const r = await guard.handleEvent(message({ text: '加微信领红包', ts: at(minutes) }))
      if (r.status !== 'stored' || !r.decisions[0]) throw new Error('expected a decision')
      return r.decisions[0]
    }

    // The first run asks twice (the hourly limit), the third request waits for the digest.
    let store = SqliteSupervisionStore.open(file)
    const first = supervisorFor(config, store, { rooms: guardStore })
    const sent: string[] = []
    for (const m of [0, 1, 2]) sent.push(...says(await first.onDecision(await judge(m), new Date(at(m)))))
    expect(sent).toHaveLength(2)
    await store.closeStore()

    // A new supervisor on the reopened store, seeing no events: the limit still holds…
    store = SqliteSupervisionStore.open(file)
    const second = supervisorFor(config, store, { rooms: guardStore })
    expect(says(await second.onDecision(await judge(3), new Date(at(3))))).toEqual([])
    expect(says(await second.tick(new Date(at(30))))).toEqual([])
    // It is past 21:00 China time: the day's report, with the day's counts so far.
    const [report] = says(await second.tick(new Date(at(61))))
    expect(report).toContain('日报')
    expect(report).toContain('周末亲子活动群：自动处理 0，请你审批 2')
    // The digest comes when it was due (an hour after the first request that waited), with the
    // two requests that waited, naming the group.
    const digest = says(await second.tick(new Date(at(62))))
    expect(digest).toHaveLength(1)
    expect(digest[0]).toMatch(/^wxid_owner: /)
    expect(digest[0]).toContain('3')
    expect(digest[0]).toContain('4')
    expect(digest[0]).toContain('周末亲子活动群')
    await store.closeStore()

    store = SqliteSupervisionStore.open(file)
    const third = supervisorFor(config, store, { rooms: guardStore })
    // The report went out today already; 日报 still answers with the day's counts, now 4 asked.
    expect(says(await third.tick(new Date(at(120))))).toEqual([])
    const asked = says(
      await third.onPrivate({ kind: 'private', id: 'p1', ts: at(121), sender: 'wxid_owner', text: '日报' }, new Date(at(121))),
    )
    expect(asked[0]).toContain('周末亲子活动群：自动处理 0，请你审批 4')
    await store.closeStore()
    await guardStore.close()
  })
})

describe('Supervisor state shared by two functions', () => {
  it('loses neither count when one expires a request and the other records an answer for the same rule', async () => {
    const cfg = parseConfig({
      groups: { '*': { rules: [{ id: 'no-ads', any: ['加微信'], mode: 'shadow' }] } },
      supervision: { maxPerHour: 2, expiryHours: 2 },
    })
    const file = path.join(tempDir('supervisor-shared'), 'qunguard.db')
    const guardStore = SqliteGuardStore.open(file)
    const guard = new Guard({ store: guardStore, config: cfg })
    await guard.handleEvent(account('wxid_bot'))
    await guard.handleEvent(roomSnapshot({ topic: '周末亲子活动群' }))
    const store = SqliteSupervisionStore.open(file)
    // As on AWS: the approvals function and the monitor, each with its own supervisor.
    const approvals = supervisorFor(cfg, store, { rooms: guardStore })
    const monitor = supervisorFor(cfg, store, { rooms: guardStore })
    for (const m of [0, 100]) {
      const r = await guard.handleEvent(message({ text: '加微信领红包', ts: at(m) }))
      if (r.status !== 'stored' || !r.decisions[0]) throw new Error('expected a decision')
      expect(says(await approvals.onDecision(r.decisions[0], new Date(at(m))))).toHaveLength(1)
    }
    // The monitor expires #1 while the approvals function still holds the record it read.
    await monitor.tick(new Date(at(125)))
    const receipt = says(
      await approvals.onPrivate({ kind: 'private', id: 'y2', ts: at(126), sender: 'wxid_owner', text: 'Y2' }, new Date(at(126))),
    )
    expect(receipt[0]).toContain('已同意 #2')
    expect(await store.getRule('r1', 'no-ads')).toMatchObject({ fired: 2, expired: 1, approved: 1 })
    await store.closeStore()
    await guardStore.close()
  })
})
