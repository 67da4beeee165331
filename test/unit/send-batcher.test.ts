/** The bot host's SendBatcher: ten to a request, in order, refused messages sent again. */
import { describe, expect, it } from 'vitest'
import { SendBatcher } from '../../bot-host/send-batcher.ts'
import type { SendRequest } from '../../functions/ports/message-queue.port.ts'
import { MemoryQueue } from '../helpers/memory-queue.ts'

/** Records each request's batch; refuses a body the number of times `refuse` says. */
class Recording extends MemoryQueue<number> {
  readonly batches: number[][] = []
  constructor(private readonly refuse = new Map<number, number>()) {
    super()
  }
  override async sendMany(requests: readonly SendRequest<number>[]): Promise<number[]> {
    this.batches.push(requests.map((r) => r.body))
    const failed: number[] = []
    for (const [i, r] of requests.entries()) {
      const left = this.refuse.get(r.body) ?? 0
      if (left > 0) {
        this.refuse.set(r.body, left - 1)
        failed.push(i)
      } else await this.send(r)
    }
    return failed
  }
}

const request = (n: number) => ({ group: `room-${n % 3}`, dedupeId: `e${n}`, body: n })

describe('SendBatcher', () => {
  it('sends what arrives together ten to a request, in order', async () => {
    const q = new Recording()
    const b = new SendBatcher(q, { waitMs: 5 })
    await Promise.all(Array.from({ length: 25 }, (_, n) => b.send(request(n))))
    expect(q.batches.map((x) => x.length)).toEqual([10, 10, 5])
    expect(q.take()).toEqual(Array.from({ length: 25 }, (_, n) => n))
    expect(b.stats).toEqual({ batches: 3, messages: 25 })
  })

  it('sends a lone message after the wait', async () => {
    const q = new Recording()
    const b = new SendBatcher(q, { waitMs: 5 })
    const t0 = performance.now()
    await b.send(request(1))
    expect(performance.now() - t0).toBeGreaterThanOrEqual(4)
    expect(q.batches).toEqual([[1]])
  })

  it('sends a refused message again, and rejects it after the last try', async () => {
    const q = new Recording(
      new Map([
        [2, 1],
        [3, 9],
      ]),
    )
    const b = new SendBatcher(q, { waitMs: 1, retryMs: 1, attempts: 3 })
    const results = await Promise.allSettled([1, 2, 3].map((n) => b.send(request(n))))
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected'])
    expect(q.take()).toEqual([1, 2])
    expect(q.batches).toEqual([[1, 2, 3], [2, 3], [3]])
  })
})
