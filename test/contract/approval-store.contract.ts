/**
 * The ApprovalStore contract, run against every adapter (memory, DynamoDB Local).
 */
import { beforeEach, describe, expect, it } from 'vitest'
import type { ActionRequest } from '../../functions/ports/action-executor.port.ts'
import type { ApprovalStore, NewApproval } from '../../functions/ports/approval-store.port.ts'

const HOUR = 3_600_000
const T0 = Date.UTC(2026, 2, 1, 12)
const iso = (ms: number) => new Date(T0 + ms).toISOString()

let decision = 0
export function newApproval(o: Partial<NewApproval> = {}): NewApproval {
  const decisionId = o.decisionId ?? ++decision
  const request: ActionRequest = {
    decisionId,
    decision: {
      event: `m${decisionId}`,
      room: 'r1',
      target: 'wxid_promo',
      action: 'remove',
      mode: 'active',
      rule: 'qr-newcomer',
      score: 0.9,
      reason: 'QR code',
    },
    messageId: `m${decisionId}`,
    text: '',
    ownerId: 'wxid_owner',
  }
  return { owner: 'wxid_owner', room: 'r1', rule: 'qr-newcomer', decisionId, request, createdAt: iso(0), deadline: iso(24 * HOUR), ...o }
}

export function approvalStoreContract(name: string, makeStore: () => Promise<ApprovalStore>): void {
  describe(`ApprovalStore contract: ${name}`, () => {
    let store: ApprovalStore
    beforeEach(async () => {
      store = await makeStore()
    })

    it('numbers requests from 1 per owner', async () => {
      const a = await store.open(newApproval())
      const b = await store.open(newApproval())
      const other = await store.open(newApproval({ owner: 'wxid_other' }))
      expect([a.number, b.number, other.number]).toEqual([1, 2, 1])
      expect(await store.get('wxid_owner', 2)).toMatchObject({ status: 'open', decisionId: b.decisionId, request: b.request })
    })

    it('opens one request per decision however often it is asked', async () => {
      const first = await store.open(newApproval({ decisionId: 9001 }))
      const again = await store.open(newApproval({ decisionId: 9001 }))
      expect(again.number).toBe(first.number)
      expect(await store.countOpen(iso(0))).toBe(1)
    })

    it('closes an open request once', async () => {
      const a = await store.open(newApproval())
      const b = await store.open(newApproval())
      expect(await store.close('wxid_owner', a.number, 'approved', iso(HOUR))).toMatchObject({ status: 'approved', answeredAt: iso(HOUR) })
      expect(await store.close('wxid_owner', a.number, 'rejected', iso(HOUR))).toBeUndefined()
      expect(await store.close('wxid_owner', b.number, 'rejected', iso(HOUR))).toMatchObject({ status: 'rejected' })
      expect(await store.get('wxid_owner', a.number)).toMatchObject({ status: 'approved' })
      expect(await store.countOpen(iso(0))).toBe(0)
    })

    it('answers nothing for another owner’s number or an unknown one', async () => {
      const a = await store.open(newApproval())
      expect(await store.close('wxid_someone', a.number, 'approved', iso(HOUR))).toBeUndefined()
      expect(await store.close('wxid_owner', 99, 'approved', iso(HOUR))).toBeUndefined()
      expect(await store.get('wxid_owner', a.number)).toMatchObject({ status: 'open' })
    })

    it('refuses answers after the deadline, lists overdue requests and expires them', async () => {
      const a = await store.open(newApproval({ deadline: iso(HOUR) }))
      await store.open(newApproval({ deadline: iso(48 * HOUR) }))
      expect(await store.countOpen(iso(0))).toBe(2)
      expect(await store.close('wxid_owner', a.number, 'approved', iso(2 * HOUR))).toBeUndefined()
      const overdue = await store.listOverdue(iso(2 * HOUR))
      expect(overdue.map((r) => r.number)).toEqual([a.number])
      expect(await store.close('wxid_owner', a.number, 'expired', iso(2 * HOUR))).toMatchObject({ status: 'expired' })
      expect(await store.listOverdue(iso(2 * HOUR))).toEqual([])
      expect(await store.countOpen(iso(2 * HOUR))).toBe(1)
      expect(await store.get('wxid_owner', a.number)).toMatchObject({ status: 'expired' })
    })

    it('lists the requests owners answered since a time, oldest answer first, never the expired ones', async () => {
      const a = await store.open(newApproval({ deadline: iso(48 * HOUR) }))
      const b = await store.open(newApproval({ deadline: iso(48 * HOUR) }))
      const c = await store.open(newApproval({ deadline: iso(HOUR) }))
      await store.open(newApproval({ deadline: iso(48 * HOUR) })) // never answered
      await store.close('wxid_owner', b.number, 'rejected', iso(3 * HOUR))
      await store.close('wxid_owner', a.number, 'approved', iso(5 * HOUR))
      await store.close('wxid_owner', c.number, 'expired', iso(2 * HOUR))
      const answered = await store.listAnswered(iso(0))
      expect(answered.map((r) => [r.number, r.status, r.request.messageId])).toEqual([
        [b.number, 'rejected', b.request.messageId],
        [a.number, 'approved', a.request.messageId],
      ])
      expect((await store.listAnswered(iso(4 * HOUR))).map((r) => r.number)).toEqual([a.number])
    })
  })
}
