/**
 * RoomQueue: the embedded runtime's in-process event queue.
 *
 * Keeps each room's events in order (one at a time per room), lets different rooms proceed
 * concurrently, and is bounded: a flood in one room cannot exhaust memory or starve the others.
 * When a room's backlog (or the total) is full, `push` refuses the event at once with
 * `QueueFullError` — the event was never accepted, so the caller can count and report it.
 *
 * @example
 *   const q = new RoomQueue({ perRoomLimit: 1000, totalLimit: 10_000 })
 *   q.push(event.room, () => guard.handle(event)).catch(report)
 *   await q.idle()
 */

export interface RoomQueueOptions {
  /** Most tasks waiting or running for one room. @default 1000 */
  readonly perRoomLimit?: number
  /** Most tasks waiting or running over all rooms. @default 10000 */
  readonly totalLimit?: number
}

export class QueueFullError extends Error {
  override name = 'QueueFullError'
  constructor(
    readonly key: string,
    readonly limit: number,
  ) {
    super(`queue full for ${key} (${limit} waiting): event refused`)
  }
}

interface Lane {
  tail: Promise<void>
  size: number
}

export class RoomQueue {
  private readonly perRoomLimit: number
  private readonly totalLimit: number
  private readonly lanes = new Map<string, Lane>()
  private total = 0
  private refusedCount = 0
  private idleWaiters: (() => void)[] = []

  constructor(options: RoomQueueOptions = {}) {
    this.perRoomLimit = options.perRoomLimit ?? 1000
    this.totalLimit = options.totalLimit ?? 10_000
    if (!(this.perRoomLimit > 0 && this.totalLimit > 0)) throw new RangeError('RoomQueue limits must be positive')
  }

  /** Tasks waiting or running now. */
  get size(): number {
    return this.total
  }

  /** Tasks refused because a limit was reached, since the queue was made. */
  get refused(): number {
    return this.refusedCount
  }

  /** Runs `task` after every earlier task of the same key; resolves or rejects with its result. */
  push<T>(key: string, task: () => Promise<T>): Promise<T> {
    const lane = this.lanes.get(key) ?? { tail: Promise.resolve(), size: 0 }
    if (lane.size >= this.perRoomLimit || this.total >= this.totalLimit) {
      this.refusedCount++
      return Promise.reject(new QueueFullError(key, lane.size >= this.perRoomLimit ? this.perRoomLimit : this.totalLimit))
    }
    this.lanes.set(key, lane)
    lane.size++
    this.total++
    const run = lane.tail.then(task)
    lane.tail = run.then(
      () => this.settle(key, lane),
      () => this.settle(key, lane),
    )
    return run
  }

  /** Resolves once every task pushed so far has finished. */
  idle(): Promise<void> {
    if (this.total === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private settle(key: string, lane: Lane): void {
    lane.size--
    this.total--
    if (lane.size === 0 && this.lanes.get(key) === lane) this.lanes.delete(key)
    if (this.total === 0) {
      const waiters = this.idleWaiters
      this.idleWaiters = []
      for (const w of waiters) w()
    }
  }
}
