import { describe, expect, it } from 'vitest'
import { QueueFullError, RoomQueue } from '../../functions/adapters/local/room-queue.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('RoomQueue', () => {
  it('runs one room’s tasks one at a time, in order', async () => {
    const q = new RoomQueue()
    const log: string[] = []
    let running = 0
    const task = (name: string, ms: number) => async () => {
      running++
      expect(running).toBe(1)
      await sleep(ms)
      log.push(name)
      running--
    }
    await Promise.all([q.push('r1', task('a', 20)), q.push('r1', task('b', 1)), q.push('r1', task('c', 5))])
    expect(log).toEqual(['a', 'b', 'c'])
  })

  it('lets different rooms run concurrently', async () => {
    const q = new RoomQueue()
    const log: string[] = []
    const slow = q.push('r1', async () => {
      await sleep(30)
      log.push('slow r1')
    })
    const fast = q.push('r2', async () => {
      log.push('fast r2')
    })
    await Promise.all([slow, fast])
    expect(log).toEqual(['fast r2', 'slow r1'])
  })

  it('refuses tasks beyond the per-room bound without blocking other rooms', async () => {
    const q = new RoomQueue({ perRoomLimit: 2, totalLimit: 10 })
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => {
      release = r
    })
    const first = q.push('flood', () => gate)
    const second = q.push('flood', async () => {})
    await expect(q.push('flood', async () => {})).rejects.toBeInstanceOf(QueueFullError)
    await expect(q.push('calm', async () => 'ok')).resolves.toBe('ok')
    expect(q.refused).toBe(1)
    release()
    await Promise.all([first, second])
    expect(q.size).toBe(0)
  })

  it('refuses tasks beyond the total bound', async () => {
    const q = new RoomQueue({ perRoomLimit: 5, totalLimit: 1 })
    const first = q.push('a', () => sleep(5))
    await expect(q.push('b', async () => {})).rejects.toThrow(/queue full/)
    await first
  })

  it('keeps going after a task fails, and idle() waits for all', async () => {
    const q = new RoomQueue()
    const failed = q.push('r', async () => {
      throw new Error('boom')
    })
    const after = q.push('r', async () => 'after')
    await expect(failed).rejects.toThrow('boom')
    await expect(after).resolves.toBe('after')
    q.push('r', () => sleep(10))
    await q.idle()
    expect(q.size).toBe(0)
  })

  it('throws for non-positive limits', () => {
    expect(() => new RoomQueue({ perRoomLimit: 0 })).toThrow(RangeError)
  })
})
