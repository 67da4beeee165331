/**
 * The SupervisionStore contract (rules' lifecycle records, digests, room switches), run against
 * every adapter that has it (memory, SQLite).
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { newRule, recordFired } from '../../functions/domain/supervision/lifecycle.ts'
import type { SupervisionStore } from '../../functions/ports/supervision-store.port.ts'
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
      await store.saveRule({ ...rule, paused: true })
      expect(await store.getRule('r1', 'no-ads')).toEqual({ ...rule, paused: true })
      expect((await store.listRules()).map((r) => [r.room, r.rule])).toEqual([
        ['r0', 'qr'],
        ['r1', 'no-ads'],
      ])
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

    it('keeps an owner’s room switches', async () => {
      expect(await store.getRoomOverrides('r1')).toEqual({})
      await store.saveRoomOverrides('r1', { quiet: true })
      expect(await store.getRoomOverrides('r1')).toEqual({ quiet: true })
      expect(await store.getRoomOverrides('r2')).toEqual({})
    })
  })
}
