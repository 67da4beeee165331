/**
 * The GuardStore contract: every adapter (SQLite now, DynamoDB later) runs this same suite.
 *
 * @example
 *   guardStoreContract('SqliteGuardStore', async () => SqliteGuardStore.open(':memory:'))
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Decision, GroupEvent } from '../../functions/domain/events.ts'
import type { GuardStore } from '../../functions/ports/guard-store.port.ts'
import { account, at, join, message, roomSnapshot } from '../helpers/factories.ts'

const decisionFor = (event: GroupEvent & { room: string }, o: Partial<Decision> = {}): Decision => ({
  event: event.id,
  room: event.room,
  target: 'wxid_member',
  action: 'warn',
  mode: 'active',
  rule: 'no-ads',
  score: 1,
  reason: 'posted an ad',
  ...o,
})

export function guardStoreContract(name: string, makeStore: () => Promise<GuardStore>): void {
  describe(`GuardStore contract: ${name}`, () => {
    let store: GuardStore
    beforeEach(async () => {
      store = await makeStore()
    })
    afterEach(async () => {
      await store.close()
    })

    it('stores an event with its decisions and returns their ids', async () => {
      const m = message({ text: '加微信' })
      const r = await store.commit({ event: m, decisions: [decisionFor(m), decisionFor(m, { action: 'recall' })] })
      expect(r.stored).toBe(true)
      expect(r.decisionIds).toHaveLength(2)
      expect(await store.getEvent(m.id)).toEqual(m)
      expect(await store.hasEvent(m.id)).toBe(true)
      const ds = await store.listDecisions({ event: m.id })
      expect(ds.map((d) => [d.id, d.action])).toEqual([
        [r.decisionIds[0], 'warn'],
        [r.decisionIds[1], 'recall'],
      ])
      expect(ds[0]).toMatchObject({ ...decisionFor(m), ts: m.ts })
    })

    it('lists stored messages oldest first, from a time on, up to a limit', async () => {
      const late = message({ ts: at(30), text: 'later' })
      const early = message({ ts: at(10), text: 'earlier' })
      const old = message({ ts: at(-100), text: 'old' })
      for (const m of [late, early, old]) await store.commit({ event: m })
      await store.commit({ event: roomSnapshot() })
      expect((await store.listMessages()).map((m) => m.text)).toEqual(['old', 'earlier', 'later'])
      expect((await store.listMessages({ since: at(0) })).map((m) => m.text)).toEqual(['earlier', 'later'])
      expect((await store.listMessages({ limit: 1 })).map((m) => m.text)).toEqual(['later'])
    })

    it('lists stored events of every kind oldest first, from a time on, up to a limit', async () => {
      const snap = roomSnapshot({ ts: at(-200) })
      const joined = join({ ts: at(-150) })
      const late = message({ ts: at(30), text: 'later' })
      for (const e of [late, snap, joined]) await store.commit({ event: e })
      expect((await store.listEvents()).map((e) => e.id)).toEqual([snap.id, joined.id, late.id])
      expect((await store.listEvents({ since: at(-160) })).map((e) => e.id)).toEqual([joined.id, late.id])
      // Over the limit: the newest, still oldest first.
      expect((await store.listEvents({ limit: 2 })).map((e) => e.id)).toEqual([joined.id, late.id])
      expect(await store.listEvents({ since: at(-160) })).toEqual([joined, late])
      // One room's only (a group's analytics).
      const elsewhere = message({ room: 'r2', ts: at(40) })
      await store.commit({ event: elsewhere })
      expect((await store.listEvents({ room: 'r2' })).map((e) => e.id)).toEqual([elsewhere.id])
      expect((await store.listEvents({ room: 'r1', since: at(-160) })).map((e) => e.id)).toEqual([joined.id, late.id])
    })

    it('keeps what a decision sends with it', async () => {
      const m = message({ text: '加微信' })
      const outgoing = { text: '请勿发广告。这是第 1 次提醒。', ownerId: 'wxid_owner', proposed: 'remove' as const }
      await store.commit({ event: m, decisions: [{ ...decisionFor(m, { mode: 'shadow' }), outgoing }, decisionFor(m)] })
      const [withText, plain] = await store.listDecisions({ event: m.id })
      expect(withText?.outgoing).toEqual(outgoing)
      expect(plain?.outgoing).toBeUndefined()
    })

    it('writes nothing the second time an event id is committed', async () => {
      const m = message({ text: '加微信' })
      await store.commit({ event: m, decisions: [decisionFor(m)] })
      const again = await store.commit({ event: m, decisions: [decisionFor(m)] })
      expect(again).toEqual({ stored: false, decisionIds: [] })
      expect(await store.listDecisions()).toHaveLength(1)
      expect(await store.countEvents()).toBe(1)
    })

    it('keeps the account id and room snapshots', async () => {
      await store.commit({ event: account('wxid_bot'), self: 'wxid_bot' })
      const snap = roomSnapshot({ topic: '亲子群', names: { wxid_member: '小王' } })
      await store.commit({ event: snap, room: snap })
      expect(await store.getBots()).toEqual(['wxid_bot'])
      expect(await store.getRoom('r1')).toMatchObject({ topic: '亲子群', owner: 'wxid_owner', admins: ['wxid_admin'] })
      expect(await store.getMember('r1', 'wxid_member')).toMatchObject({ via: 'snapshot', name: '小王', joinedAt: undefined })
    })

    it('stores a snapshot of a group of 500 members (more than a DynamoDB transaction holds), once', async () => {
      const members = Array.from({ length: 500 }, (_, i) => `wxid_m${i}`)
      const snap = roomSnapshot({ members, names: Object.fromEntries(members.map((m, i) => [m, `成员${i}`])) })
      expect((await store.commit({ event: snap, room: snap })).stored).toBe(true)
      expect((await store.commit({ event: snap, room: snap })).stored).toBe(false)
      expect(await store.getMember('r1', 'wxid_m499')).toMatchObject({ via: 'snapshot', name: '成员499' })
      expect((await store.findMembers('r1', '成员37'))[0]?.member).toBe('wxid_m37')
    })

    it('keeps every account that logged in, the latest first (several accounts guard the same groups)', async () => {
      await store.commit({ event: { ...account('wxid_bot_a'), id: 'account-a-1' }, self: 'wxid_bot_a' })
      await store.commit({ event: { ...account('wxid_bot_b'), id: 'account-b-1' }, self: 'wxid_bot_b' })
      expect(await store.getBots()).toEqual(['wxid_bot_b', 'wxid_bot_a'])
      await store.commit({ event: { ...account('wxid_bot_a'), id: 'account-a-2' }, self: 'wxid_bot_a' })
      expect(await store.getBots()).toEqual(['wxid_bot_a', 'wxid_bot_b'])
    })

    it('lists the rooms it knows with their names, by room id', async () => {
      expect(await store.listRooms()).toEqual([])
      for (const [room, topic] of [
        ['r2@chatroom', '周末亲子活动群'],
        ['r1@chatroom', '读书会'],
        ['r3@chatroom', '周末亲子活动群'],
      ] as const) {
        const snap = roomSnapshot({ room, topic })
        await store.commit({ event: snap, room: snap })
      }
      const rooms = await store.listRooms()
      expect(rooms.map((r) => [r.room, r.topic])).toEqual([
        ['r1@chatroom', '读书会'],
        ['r2@chatroom', '周末亲子活动群'],
        ['r3@chatroom', '周末亲子活动群'],
      ])
      expect(rooms[0]).toMatchObject({ owner: 'wxid_owner', admins: ['wxid_admin'] })
    })

    it('keeps a known owner when a snapshot names none, and marks listed members present again', async () => {
      const first = roomSnapshot({ owner: 'wxid_owner' })
      await store.commit({ event: first, room: first })
      const leave = message()
      await store.commit({
        event: leave,
        members: [{ room: 'r1', member: 'wxid_member', via: 'snapshot', leftAt: at(1), remover: 'wxid_owner' }],
      })
      const { owner: _dropped, ...withoutOwner } = roomSnapshot({ topic: '新群名', ts: at(2) })
      await store.commit({ event: withoutOwner, room: withoutOwner })
      expect(await store.getRoom('r1')).toMatchObject({ topic: '新群名', owner: 'wxid_owner' })
      expect(await store.getMember('r1', 'wxid_member')).toMatchObject({ leftAt: undefined, remover: undefined })
    })

    it('keeps each room’s announcement as last set, over snapshots, and a room first seen by its announcement', async () => {
      const snap = roomSnapshot({ room: 'r1', topic: '宝妈群', owner: 'o1' })
      await store.commit({ event: snap, room: snap })
      const a1 = { kind: 'announcement' as const, id: 'an1', ts: at(1), room: 'r1', sender: 'o1', text: '禁止广告' }
      await store.commit({ event: a1, announcement: { room: 'r1', text: a1.text, ts: a1.ts } })
      const again = roomSnapshot({ room: 'r1', topic: '宝妈群2', owner: 'o1', ts: at(2) })
      await store.commit({ event: again, room: again })
      expect(await store.getRoom('r1')).toMatchObject({ topic: '宝妈群2', owner: 'o1', announcement: '禁止广告' })
      const a2 = { kind: 'announcement' as const, id: 'an2', ts: at(3), room: 'r9', sender: 'o1', text: '不要刷屏' }
      await store.commit({ event: a2, announcement: { room: 'r9', text: a2.text, ts: a2.ts } })
      expect(await store.getRoom('r9')).toMatchObject({ topic: '', admins: [], announcement: '不要刷屏' })
    })

    it('records joins, leaves and re-joins of a member', async () => {
      const m1 = message()
      await store.commit({ event: m1, members: [{ room: 'r1', member: 'u', joinedAt: at(0), via: 'qrcode', inviter: 'a' }] })
      const m2 = message()
      await store.commit({
        event: m2,
        members: [{ room: 'r1', member: 'u', joinedAt: at(0), via: 'qrcode', inviter: 'a', leftAt: at(5), remover: 'wxid_bot' }],
      })
      expect(await store.getMember('r1', 'u')).toMatchObject({ leftAt: at(5), remover: 'wxid_bot' })
      const m3 = message()
      await store.commit({ event: m3, members: [{ room: 'r1', member: 'u', joinedAt: at(10), via: 'invite', inviter: 'b' }] })
      expect(await store.getMember('r1', 'u')).toMatchObject({
        joinedAt: at(10),
        via: 'invite',
        inviter: 'b',
        leftAt: undefined,
        remover: undefined,
      })
    })

    it('counts offences within a window, per mode', async () => {
      for (const [minutes, mode] of [
        [0, 'active'],
        [10, 'active'],
        [20, 'shadow'],
      ] as const) {
        const m = message({ ts: at(minutes) })
        await store.commit({
          event: m,
          offences: [
            { room: 'r1', member: 'u', rule: 'x', event: m.id, ts: new Date(Date.parse(m.ts)).toISOString(), mode, counted: true },
          ],
        })
      }
      expect(await store.countOffences('r1', 'u', at(-1), 'active')).toBe(2)
      expect(await store.countOffences('r1', 'u', at(5), 'active')).toBe(1)
      expect(await store.countOffences('r1', 'u', at(-1), 'shadow')).toBe(1)
      expect(await store.countOffences('r1', 'other', at(-1), 'active')).toBe(0)
    })

    it('counts only the offences recorded as counting on the ladder', async () => {
      for (const [minutes, counted] of [
        [0, true],
        [10, false],
        [20, true],
      ] as const) {
        const m = message({ ts: at(minutes) })
        await store.commit({
          event: m,
          offences: [
            { room: 'r1', member: 'v', rule: 'x', event: m.id, ts: new Date(Date.parse(m.ts)).toISOString(), mode: 'active', counted },
          ],
        })
      }
      expect(await store.countOffences('r1', 'v', at(-1), 'active')).toBe(2)
      expect(await store.countOffences('r1', 'v', at(5), 'active')).toBe(1)
    })

    it('filters decisions by room and records actions; unacted active decisions are pending', async () => {
      const a = message({ room: 'r1' })
      const b = message({ room: 'r2' })
      const [ra, rb] = [
        await store.commit({ event: a, decisions: [decisionFor(a)] }),
        await store.commit({ event: b, decisions: [decisionFor(b)] }),
      ]
      const c = message({ room: 'r2' })
      await store.commit({ event: c, decisions: [decisionFor(c, { mode: 'shadow' })] })
      expect((await store.listDecisions({ room: 'r2' })).map((d) => d.event)).toEqual([b.id, c.id])
      await store.recordAction({ decisionId: ra.decisionIds[0] ?? -1, status: 'fallback', detail: 'owner alerted instead', ts: at(1) })
      expect(await store.listActions(ra.decisionIds[0])).toEqual([
        { decisionId: ra.decisionIds[0], status: 'fallback', detail: 'owner alerted instead', ts: at(1) },
      ])
      expect((await store.listPendingDecisions()).map((d) => d.id)).toEqual([rb.decisionIds[0]])
    })

    it("keeps owners' blacklists: listed with an event, looked up across trusted owners, listed oldest first, taken off", async () => {
      const removal: GroupEvent = { kind: 'leave', id: 'l1', ts: at(5), room: 'r1', members: ['wxid_spam'], remover: 'wxid_owner' }
      const entry = { owner: 'wxid_owner', member: 'wxid_spam', name: '推广小王', room: 'r1', rule: 'no-ads', event: 'l1', ts: at(5) }
      await store.commit({ event: removal, blacklist: [entry] })
      const later = message({ id: 'm9', ts: at(9) })
      const second = { owner: 'wxid_owner', member: 'wxid_b', room: 'r2', event: 'm9', ts: at(9) }
      await store.commit({ event: later, blacklist: [second] })
      expect(await store.getBlacklisted(['wxid_owner'], 'wxid_spam')).toEqual(entry)
      // Another owner's list only counts when that owner is asked about.
      expect(await store.getBlacklisted(['wxid_other'], 'wxid_spam')).toBeUndefined()
      expect(await store.getBlacklisted(['wxid_other', 'wxid_owner'], 'wxid_spam')).toEqual(entry)
      expect((await store.listBlacklist('wxid_owner')).map((e) => e.member)).toEqual(['wxid_spam', 'wxid_b'])
      expect(await store.listBlacklist('wxid_other')).toEqual([])
      // Listed again: the newer entry replaces the old one.
      await store.commit({ event: message({ id: 'm10', ts: at(10) }), blacklist: [{ ...entry, room: 'r3', event: 'm10', ts: at(10) }] })
      expect((await store.getBlacklisted(['wxid_owner'], 'wxid_spam'))?.room).toBe('r3')
      expect(await store.unblacklist('wxid_owner', 'wxid_spam')).toBe(true)
      expect(await store.unblacklist('wxid_owner', 'wxid_spam')).toBe(false)
      expect(await store.getBlacklisted(['wxid_owner'], 'wxid_spam')).toBeUndefined()
      // A repeated event lists nobody.
      await store.commit({ event: removal, blacklist: [entry] })
      expect(await store.getBlacklisted(['wxid_owner'], 'wxid_spam')).toBeUndefined()
    })

    it('finds a room’s present members by WeChat id or (part of) their name, exact matches first', async () => {
      const snapshot = roomSnapshot({
        room: 'r1',
        members: ['wxid_a', 'wxid_b', 'wxid_c'],
        names: { wxid_a: '小王', wxid_b: '老小王', wxid_c: '100%_x' },
      })
      await store.commit({ event: snapshot, room: snapshot })
      await store.commit({
        event: join({ room: 'r1', members: ['wxid_d'], names: { wxid_d: '小王子' }, ts: at(1) }),
        members: [{ room: 'r1', member: 'wxid_d', name: '小王子', via: 'invite', joinedAt: at(1) }],
      })
      await store.commit({
        event: { kind: 'leave', id: 'l-b', ts: at(2), room: 'r1', members: ['wxid_b'] },
        members: [{ room: 'r1', member: 'wxid_b', name: '老小王', via: 'snapshot', leftAt: at(2) }],
      })
      const ids = async (who: string) => (await store.findMembers('r1', who)).map((m) => m.member)
      expect(await ids('小王')).toEqual(['wxid_a', 'wxid_d']) // 老小王 left
      expect(await ids('wxid_c')).toEqual(['wxid_c'])
      expect(await ids('%_')).toEqual(['wxid_c']) // LIKE's wildcards are plain characters
      expect(await ids('nobody')).toEqual([])
      expect(await store.findMembers('r2', '小王')).toEqual([])
      // Former members too, where asked (a member's case history).
      expect((await store.findMembers('r1', '小王', { withLeft: true })).map((m) => m.member)).toEqual(['wxid_a', 'wxid_d', 'wxid_b'])
    })

    it('lists a member’s decisions, and forgets their offences in one room (an upheld appeal)', async () => {
      const a = message({ room: 'r1', sender: 'wxid_x', ts: at(1) })
      const b = message({ room: 'r2', sender: 'wxid_x', ts: at(2) })
      const offence = (m: typeof a, mode: 'active' | 'shadow') => ({
        room: m.room,
        member: 'wxid_x',
        rule: 'no-ads',
        event: m.id,
        ts: m.ts,
        mode,
        counted: true,
      })
      await store.commit({ event: a, offences: [offence(a, 'active')], decisions: [decisionFor(a, { target: 'wxid_x' })] })
      await store.commit({
        event: b,
        offences: [offence(b, 'shadow')],
        decisions: [decisionFor(b, { target: 'wxid_x' }), decisionFor(b, { target: 'wxid_y' })],
      })
      expect((await store.listDecisions({ target: 'wxid_x' })).map((d) => d.event)).toEqual([a.id, b.id])
      expect((await store.listDecisions({ target: 'wxid_x', room: 'r2' })).map((d) => d.event)).toEqual([b.id])
      // By id (an owner's 误判 D12): that decision, or nothing.
      const [second] = (await store.listDecisions({ event: b.id })).slice(1)
      expect(await store.listDecisions({ id: second?.id ?? -1 })).toEqual([second])
      expect(await store.listDecisions({ id: 999_999 })).toEqual([])
      expect(await store.listDecisions({ id: second?.id ?? -1, room: 'r1' })).toEqual([])
      expect(await store.clearOffences('r1', 'wxid_x')).toBe(1)
      expect(await store.countOffences('r1', 'wxid_x', at(0), 'active')).toBe(0)
      expect(await store.countOffences('r2', 'wxid_x', at(0), 'shadow')).toBe(1)
      expect(await store.clearOffences('r1', 'wxid_x')).toBe(0)
    })

    it('keeps newcomers’ verifications: opened with their join, listed when due, closed by an answer or settled once with decisions', async () => {
      const iso = (m: number) => new Date(Date.parse(at(m))).toISOString()
      const j = join({ members: ['wxid_a', 'wxid_b'], ts: at(0) })
      const pending = (member: string, until: number) => ({
        room: 'r1',
        member,
        event: j.id,
        since: iso(0),
        until: iso(until),
        answers: ['4821'],
      })
      await store.commit({ event: j, verifying: [pending('wxid_a', 10), pending('wxid_b', 5)] })
      expect(await store.getVerification('r1', 'wxid_a')).toEqual(pending('wxid_a', 10))
      expect(await store.getVerification('r2', 'wxid_a')).toBeUndefined()
      expect((await store.listDueVerifications(iso(4))).map((v) => v.member)).toEqual([])
      expect((await store.listDueVerifications(iso(10))).map((v) => v.member)).toEqual(['wxid_b', 'wxid_a'])
      expect((await store.listDueVerifications(iso(10), 1)).map((v) => v.member)).toEqual(['wxid_b'])
      // wxid_a answers: closed with their message.
      const answer = message({ sender: 'wxid_a', text: '4821', ts: at(2) })
      await store.commit({ event: answer, verified: [{ room: 'r1', member: 'wxid_a' }] })
      expect(await store.getVerification('r1', 'wxid_a')).toBeUndefined()
      // wxid_b times out: settled once, with the guard's decision; a second run writes nothing.
      const d = { ...decisionFor(j, { target: 'wxid_b', action: 'remove', rule: 'verification' }) }
      const first = await store.settleVerification(pending('wxid_b', 5), [d], iso(6))
      expect(first.stored).toBe(true)
      expect(first.decisionIds).toHaveLength(1)
      expect(await store.settleVerification(pending('wxid_b', 5), [d], iso(7))).toEqual({ stored: false, decisionIds: [] })
      expect(await store.getVerification('r1', 'wxid_b')).toBeUndefined()
      expect((await store.listDecisions({ event: j.id })).map((x) => [x.id, x.target, x.rule])).toEqual([
        [first.decisionIds[0], 'wxid_b', 'verification'],
      ])
      // A verification opened again by a later join is not settled by the earlier one's timeout.
      const again = join({ members: ['wxid_b'], ts: at(20) })
      await store.commit({ event: again, verifying: [{ ...pending('wxid_b', 30), event: again.id }] })
      expect((await store.settleVerification(pending('wxid_b', 5), [], iso(31))).stored).toBe(false)
      expect((await store.getVerification('r1', 'wxid_b'))?.event).toBe(again.id)
    })

    it('stores nothing when part of a commit fails', async () => {
      const m = message()
      const broken = { ...decisionFor(m), reason: undefined } as unknown as Decision
      await expect(
        store.commit({ event: m, members: [{ room: 'r1', member: 'z', via: 'unknown' }], decisions: [broken] }),
      ).rejects.toThrow()
      expect(await store.hasEvent(m.id)).toBe(false)
      expect(await store.getMember('r1', 'z')).toBeUndefined()
      expect(await store.countEvents()).toBe(0)
    })
  })
}
