/**
 * The SupervisionStore contract (rules' lifecycle records, digests, room switches, owners'
 * pacing, rooms' counts per day), run against every adapter (memory, SQLite, DynamoDB Local).
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { newRule, recordFired } from '../../functions/domain/supervision/lifecycle.ts'
import { RuleConflictError, type SupervisionStore } from '../../functions/ports/supervision-store.port.ts'
import { newApproval } from './approval-store.contract.ts'

export function supervisionStoreContract(name: string, makeStore: () => Promise<SupervisionStore>): void {
  describe(`SupervisionStore contract: ${name}`, () => {
    let store: SupervisionStore
    beforeEach(async () => {
      store = await makeStore()
    })

    it('keeps rules’ lifecycle records, listed by room then rule', async () => {
      expect(await store.getRule('r1', 'no-ads')).toBeUndefined()
      const rule = recordFired(newRule('r1', 'no-ads', 'shadow'), 7)
      await store.saveRule(rule)
      await store.saveRule(newRule('r0', 'qr', 'active'))
      await store.saveRule({ ...rule, version: 1, paused: true })
      expect(await store.getRule('r1', 'no-ads')).toEqual({ ...rule, paused: true, version: 2 })
      expect((await store.listRules()).map((r) => [r.room, r.rule])).toEqual([
        ['r0', 'qr'],
        ['r1', 'no-ads'],
      ])
      await store.saveRule(newRule('r10', 'links', 'shadow'))
      await store.saveRule(newRule('r1', 'flood', 'shadow'))
      expect((await store.listRules('r1')).map((r) => r.rule)).toEqual(['flood', 'no-ads'])
      expect(await store.listRules('r9')).toEqual([])
    })

    it('refuses to save a copy of a rule’s record read before someone else saved it, and saves nothing', async () => {
      await store.saveRule(newRule('r1', 'no-ads', 'shadow'))
      const read = await store.getRule('r1', 'no-ads')
      if (!read) throw new Error('not saved')
      const mine = recordFired(read, 1)
      const theirs = recordFired(read, 2)
      await store.saveRule(theirs)
      await expect(store.saveRule(mine)).rejects.toBeInstanceOf(RuleConflictError)
      expect(await store.getRule('r1', 'no-ads')).toEqual({ ...theirs, version: 2 })
      // A first save of a rule someone saved meanwhile is refused too.
      await expect(store.saveRule(newRule('r1', 'no-ads', 'shadow'))).rejects.toBeInstanceOf(RuleConflictError)
      // Read again, the change applies.
      const again = await store.getRule('r1', 'no-ads')
      if (!again) throw new Error('lost')
      await store.saveRule(recordFired(again, 1))
      expect((await store.getRule('r1', 'no-ads'))?.fired).toBe(2)
    })

    it('lists an owner’s open requests and remembers which were sent', async () => {
      const a = await store.open(newApproval({ done: true, summary: '张三：加微信', score: 0.8, topic: '周末亲子活动群' }))
      const b = await store.open(newApproval())
      await store.open(newApproval({ owner: 'wxid_other' }))
      await store.close('wxid_owner', b.number, 'rejected', a.createdAt)
      const open = await store.listOpen('wxid_owner')
      expect(open.map((r) => r.number)).toEqual([a.number])
      expect(open[0]).toMatchObject({ done: true, summary: '张三：加微信', score: 0.8, topic: '周末亲子活动群' })
      expect(open[0]?.notifiedAt).toBeUndefined()
      await store.markNotified('wxid_owner', [a.number], '2026-03-01T13:00:00.000Z')
      expect((await store.get('wxid_owner', a.number))?.notifiedAt).toBe('2026-03-01T13:00:00.000Z')
    })

    it('lists every request an owner was put, open or closed, or one rule’s (members’ appeals)', async () => {
      const a = await store.open(newApproval())
      const b = await store.open(newApproval({ rule: 'appeal', decisionId: 77 }))
      await store.open(newApproval({ owner: 'wxid_other', decisionId: 78 }))
      await store.close('wxid_owner', b.number, 'approved', a.createdAt)
      expect((await store.listRequests('wxid_owner')).map((r) => [r.number, r.status])).toEqual([
        [a.number, 'open'],
        [b.number, 'approved'],
      ])
      expect((await store.listRequests('wxid_owner', 'appeal')).map((r) => r.number)).toEqual([b.number])
      expect(await store.listRequests('wxid_nobody')).toEqual([])
    })

    it('keeps an owner’s room switches', async () => {
      expect(await store.getRoomOverrides('r1')).toEqual({})
      await store.saveRoomOverrides('r1', { quiet: true })
      expect(await store.getRoomOverrides('r1')).toEqual({ quiet: true })
      expect(await store.getRoomOverrides('r2')).toEqual({})
    })

    it('keeps each owner’s pacing and lists the owners it has', async () => {
      expect(await store.getPacing('wxid_b')).toBeUndefined()
      await store.savePacing('wxid_b', { sent: [1000, 2000], digestDue: 5000, expiredUnseen: 1 })
      await store.savePacing('wxid_a', { sent: [], expiredUnseen: 0, reportDay: '2026-03-01' })
      await store.savePacing('wxid_b', { sent: [2000], expiredUnseen: 0 })
      expect(await store.getPacing('wxid_b')).toEqual({ sent: [2000], expiredUnseen: 0 })
      expect(await store.getPacing('wxid_a')).toEqual({ sent: [], expiredUnseen: 0, reportDay: '2026-03-01' })
      expect(await store.listPacedOwners()).toEqual(['wxid_a', 'wxid_b'])
    })

    it('adds to a room’s counts for a day, keeps the changes in order, and forgets old days', async () => {
      expect(await store.getDay('2026-03-01', 'r1')).toBeUndefined()
      await store.addToDay('2026-03-01', 'r1', { acted: 1 })
      await store.addToDay('2026-03-01', 'r1', { asked: 2, approved: 1, change: '二维码：试运行 → 自动执行' })
      await store.addToDay('2026-03-01', 'r1', { expired: 1, rejected: 1, change: '广告：自动执行 → 试运行' })
      await store.addToDay('2026-03-01', 'r2', { acted: 3 })
      await store.addToDay('2026-03-02', 'r1', { asked: 1 })
      expect(await store.getDay('2026-03-01', 'r1')).toEqual({
        acted: 1,
        asked: 2,
        approved: 1,
        rejected: 1,
        expired: 1,
        changes: ['二维码：试运行 → 自动执行', '广告：自动执行 → 试运行'],
      })
      expect(await store.getDay('2026-03-01', 'r2')).toMatchObject({ acted: 3, asked: 0, changes: [] })
      await store.pruneDays('2026-03-02')
      expect(await store.getDay('2026-03-01', 'r1')).toBeUndefined()
      expect(await store.getDay('2026-03-02', 'r1')).toMatchObject({ asked: 1 })
    })
  })
}
