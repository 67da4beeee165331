/**
 * The EventInbox contract, run against every adapter.
 *
 * @example
 *   eventInboxContract('MemoryEventInbox', async () => new MemoryEventInbox())
 */
import { describe, expect, it } from 'vitest'
import type { EventInbox } from '../../functions/ports/event-inbox.port.ts'
import { message } from '../helpers/factories.ts'

export function eventInboxContract(name: string, make: () => Promise<EventInbox>): void {
  describe(`EventInbox contract: ${name}`, () => {
    it('gives a lane’s events back oldest first, and only that lane’s', async () => {
      const inbox = await make()
      const a = [message({ room: 'a', text: '1' }), message({ room: 'a', text: '2' }), message({ room: 'a', text: '3' })]
      const b = message({ room: 'b', text: 'b1' })
      await inbox.append('a', a[0] as never)
      await inbox.append('b', b)
      await inbox.append('a', a[1] as never)
      await inbox.append('a', a[2] as never)
      const got = await inbox.peek('a', 2)
      expect(got.map((e) => e.event)).toEqual(a.slice(0, 2))
      expect(got.every((e) => e.lane === 'a')).toBe(true)
      expect(got[0]?.seq).toBeLessThan(got[1]?.seq ?? 0)
      expect((await inbox.peek('b', 10)).map((e) => e.event)).toEqual([b])
      expect(await inbox.peek('nobody', 10)).toEqual([])
    })

    it('keeps an entry until it is removed, and counts what waits per lane', async () => {
      const inbox = await make()
      await inbox.append('a', message({ room: 'a' }))
      await inbox.append('a', message({ room: 'a' }))
      await inbox.append('private:wxid_owner', {
        kind: 'private',
        id: 'p1',
        ts: '2026-03-01T20:00:00+08:00',
        sender: 'wxid_owner',
        text: 'Y1',
      })
      expect(await inbox.pending()).toEqual({ a: 2, 'private:wxid_owner': 1 })
      const [first] = await inbox.peek('a', 1)
      expect(await inbox.peek('a', 1)).toEqual([first])
      await inbox.remove(first?.seq ?? -1)
      await inbox.remove(first?.seq ?? -1) // twice: nothing happens
      expect(await inbox.pending()).toEqual({ a: 1, 'private:wxid_owner': 1 })
      for (const e of await inbox.peek('private:wxid_owner', 5)) await inbox.remove(e.seq)
      expect(await inbox.pending()).toEqual({ a: 1 })
    })
  })
}
