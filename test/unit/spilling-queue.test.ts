import { describe, expect, it } from 'vitest'
import { SpillingQueue } from '../../functions/adapters/local/spilling-queue.ts'
import { MemoryEventInbox } from '../../functions/adapters/memory/memory-event-inbox.ts'
import type { GroupEvent } from '../../functions/domain/events.ts'
import { message } from '../helpers/factories.ts'

const text = (e: GroupEvent) => (e.kind === 'message' ? (e.text ?? '') : e.kind)

/** A queue whose handler waits for `release()`, so that events pile up. */
function gated(o: { memoryPerLane?: number; memoryTotal?: number; inbox?: MemoryEventInbox } = {}) {
  const judged: string[] = []
  const errors: Error[] = []
  let open = false
  let waiting: (() => void)[] = []
  const inbox = o.inbox ?? new MemoryEventInbox()
  const queue = new SpillingQueue({
    inbox,
    memoryPerLane: o.memoryPerLane,
    memoryTotal: o.memoryTotal,
    onError: (e) => errors.push(e),
    handle: async (event, lane) => {
      if (!open) await new Promise<void>((r) => waiting.push(r))
      judged.push(`${lane}:${text(event)}`)
    },
  })
  const release = () => {
    open = true
    for (const w of waiting) w()
    waiting = []
  }
  return { queue, inbox, judged, errors, release }
}

describe('SpillingQueue', () => {
  it('never refuses: what does not fit in memory waits in the inbox and is judged in order', async () => {
    const t = gated({ memoryPerLane: 3, memoryTotal: 10 })
    for (let i = 0; i < 20; i++) t.queue.put('r1', message({ room: 'r1', text: String(i) }))
    expect(t.queue.stats).toMatchObject({ received: 20, spilled: 17, inMemory: 3 })
    t.release()
    await t.queue.idle()
    expect(t.judged).toEqual(Array.from({ length: 20 }, (_, i) => `r1:${i}`))
    expect(t.queue.stats).toMatchObject({ judged: 20, inMemory: 0, inInbox: 0 })
    expect(t.queue.stats.peakInMemory).toBeLessThanOrEqual(3)
    expect(await t.inbox.pending()).toEqual({})
    expect(t.errors).toEqual([])
  })

  it('keeps the total in memory within memoryTotal over many lanes', async () => {
    const t = gated({ memoryPerLane: 5, memoryTotal: 7 })
    for (let i = 0; i < 10; i++) for (const room of ['a', 'b', 'c']) t.queue.put(room, message({ room, text: String(i) }))
    expect(t.queue.stats.inMemory).toBe(7)
    t.release()
    await t.queue.idle()
    for (const room of ['a', 'b', 'c']) {
      expect(t.judged.filter((j) => j.startsWith(`${room}:`))).toEqual(Array.from({ length: 10 }, (_, i) => `${room}:${i}`))
    }
    expect(t.queue.stats.peakInMemory).toBeLessThanOrEqual(7)
  })

  it('lets a quiet lane go on while another lane is flooded and blocked', async () => {
    const judged: string[] = []
    let releaseFlood: () => void = () => {}
    const floodGate = new Promise<void>((r) => {
      releaseFlood = r
    })
    const queue = new SpillingQueue({
      inbox: new MemoryEventInbox(),
      memoryPerLane: 2,
      memoryTotal: 100,
      onError: () => {},
      handle: async (event, lane) => {
        if (lane === 'flood') await floodGate
        judged.push(`${lane}:${text(event)}`)
      },
    })
    for (let i = 0; i < 50; i++) queue.put('flood', message({ room: 'flood', text: String(i) }))
    queue.put('private:wxid_owner', { kind: 'private', id: 'p1', ts: '2026-03-01T20:00:00+08:00', sender: 'wxid_owner', text: 'Y1' })
    await new Promise((r) => setTimeout(r, 0))
    expect(judged).toEqual(['private:wxid_owner:private'])
    releaseFlood()
    await queue.idle()
    expect(judged).toHaveLength(51)
  })

  it('judges, at start, what an earlier run left in the inbox, before newer events of the lane', async () => {
    const inbox = new MemoryEventInbox()
    await inbox.append('r1', message({ room: 'r1', text: 'old 1' }))
    await inbox.append('r1', message({ room: 'r1', text: 'old 2' }))
    const t = gated({ inbox })
    t.release()
    const recovering = t.queue.recover()
    t.queue.put('r1', message({ room: 'r1', text: 'new' }))
    expect(await recovering).toBe(2)
    await t.queue.idle()
    expect(t.judged).toEqual(['r1:old 1', 'r1:old 2', 'r1:new'])
    expect(await inbox.pending()).toEqual({})
  })

  it('reports a failed judgement and goes on with the lane', async () => {
    const errors: Error[] = []
    const judged: string[] = []
    const queue = new SpillingQueue({
      inbox: new MemoryEventInbox(),
      memoryPerLane: 1,
      onError: (e) => errors.push(e),
      handle: async (event) => {
        if (text(event) === 'bad') throw new Error('boom')
        judged.push(text(event))
      },
    })
    for (const s of ['a', 'bad', 'c']) queue.put('r', message({ text: s }))
    await queue.idle()
    expect(judged).toEqual(['a', 'c'])
    expect(errors.map((e) => e.message)).toEqual(['boom'])
  })

  it('throws for limits that are not positive integers', () => {
    expect(() => new SpillingQueue({ inbox: new MemoryEventInbox(), handle: async () => {}, onError: () => {}, memoryPerLane: 0 })).toThrow(
      RangeError,
    )
  })
})
