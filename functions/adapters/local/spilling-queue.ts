/**
 * SpillingQueue: the embedded runtime's event queue. It never refuses an event.
 *
 * Events are judged one at a time per lane (a room, or one private chat: every sender of a
 * private message has a lane of their own, so owners' answers never wait behind strangers'),
 * in the order they were put; different lanes proceed concurrently. Memory is bounded: at most
 * `memoryPerLane` events of one lane and `memoryTotal` over all lanes are held in memory
 * (waiting or being judged). An event that does not fit is appended to the durable inbox
 * (EventInbox; in the store), and so is every later event of its lane until the lane has read
 * its spilled events back, oldest first — a lane's order never changes. Spilled events stay in
 * the inbox until judged; `recover()` drains what an earlier run left there.
 *
 * @example
 *   const q = new SpillingQueue({ inbox, handle: (event) => judge(event), onError: report })
 *   await q.recover()
 *   q.put(event.room, event)
 *   await q.idle()
 */
import type { GroupEvent } from '../../domain/events.ts'
import type { EventInbox } from '../../ports/event-inbox.port.ts'

export interface SpillingQueueOptions {
  /** Where events that do not fit in memory wait. Required. */
  readonly inbox: EventInbox
  /** Judges one event. A throw is reported through onError and the lane goes on. */
  readonly handle: (event: GroupEvent, lane: string) => Promise<void>
  /** Called when an event could not be judged, spilled or read back. */
  readonly onError: (error: Error, event?: GroupEvent) => void
  /** Most events of one lane held in memory. @default 1000 */
  readonly memoryPerLane?: number
  /** Most events held in memory over all lanes. @default 10000 */
  readonly memoryTotal?: number
  /** Most spilled events read back at once. @default min(100, memoryPerLane) */
  readonly readBack?: number
}

export interface QueueStats {
  /** Events put since the queue was made (recovered ones not included). */
  readonly received: number
  /** Events judged (handled, successfully or not). */
  readonly judged: number
  /** Events appended to the inbox because memory was full (or their lane had spilled events). */
  readonly spilled: number
  /** Events from an earlier run found in the inbox by recover(). */
  readonly recovered: number
  /** Events held in memory now, and the most ever held at once. */
  readonly inMemory: number
  readonly peakInMemory: number
  /** Events waiting in the inbox now (as far as this queue knows). */
  readonly inInbox: number
}

interface Item {
  readonly event: GroupEvent
  /** The inbox entry, for an event read back from it. */
  readonly seq?: number
}

interface Lane {
  readonly memory: Item[]
  /** Events of this lane in the inbox (or on their way there) not yet read back. */
  inInbox: number
  /** Appends to the inbox, chained so a lane's spilled events keep their order. */
  writes: Promise<void>
  running: boolean
}

export const QUEUE_DEFAULTS = { memoryPerLane: 1000, memoryTotal: 10_000 } as const

export class SpillingQueue {
  private readonly inbox: EventInbox
  private readonly handle: SpillingQueueOptions['handle']
  private readonly onError: SpillingQueueOptions['onError']
  private readonly memoryPerLane: number
  private readonly memoryTotal: number
  private readonly readBack: number
  private readonly lanes = new Map<string, Lane>()
  /** Lanes with spilled events waiting for room in memory. */
  private readonly blocked = new Set<string>()
  /** Events put while recover() was counting the inbox: put again once it knows. */
  private early: [string, GroupEvent][] | undefined
  private idleWaiters: (() => void)[] = []
  /** Room in memory taken by lanes reading spilled events back. */
  private reserved = 0
  private n = { received: 0, judged: 0, spilled: 0, recovered: 0, inMemory: 0, peakInMemory: 0 }

  constructor(options: SpillingQueueOptions) {
    this.inbox = options.inbox
    this.handle = options.handle
    this.onError = options.onError
    this.memoryPerLane = options.memoryPerLane ?? QUEUE_DEFAULTS.memoryPerLane
    this.memoryTotal = options.memoryTotal ?? QUEUE_DEFAULTS.memoryTotal
    this.readBack = options.readBack ?? Math.min(100, this.memoryPerLane)
    for (const [k, v] of Object.entries({ memoryPerLane: this.memoryPerLane, memoryTotal: this.memoryTotal, readBack: this.readBack })) {
      if (!(Number.isInteger(v) && v > 0)) throw new RangeError(`SpillingQueue ${k} must be a positive integer, got ${v}`)
    }
  }

  get stats(): QueueStats {
    let inInbox = 0
    for (const lane of this.lanes.values()) inInbox += lane.inInbox
    return { ...this.n, inInbox }
  }

  /** Queues an event at the end of its lane: in memory if it fits, in the inbox if not. Never refuses. */
  put(key: string, event: GroupEvent): void {
    if (this.early) {
      this.early.push([key, event])
      return
    }
    this.n.received++
    const lane = this.lane(key)
    if (lane.inInbox > 0 || lane.memory.length >= this.memoryPerLane || this.n.inMemory + this.reserved >= this.memoryTotal) {
      this.spill(key, lane, event)
    } else {
      lane.memory.push({ event })
      this.held(1)
    }
    this.kick(key, lane)
  }

  /** Takes up the events an earlier run left in the inbox; call before the first put. Returns how many. */
  async recover(): Promise<number> {
    this.early ??= []
    let found = 0
    try {
      for (const [key, count] of Object.entries(await this.inbox.pending())) {
        const lane = this.lane(key)
        lane.inInbox += count
        found += count
        this.kick(key, lane)
      }
    } catch (e) {
      this.onError(new Error(`could not read the inbox of an earlier run: ${(e as Error).message}`))
    } finally {
      const early = this.early ?? []
      this.early = undefined
      for (const [key, event] of early) this.put(key, event)
    }
    this.n.recovered += found
    return found
  }

  /** Resolves once every event put so far (and every recovered one) has been judged. */
  idle(): Promise<void> {
    if (this.lanes.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key)
    if (!lane) {
      lane = { memory: [], inInbox: 0, writes: Promise.resolve(), running: false }
      this.lanes.set(key, lane)
    }
    return lane
  }

  private held(count: number): void {
    this.n.inMemory += count
    if (this.n.inMemory > this.n.peakInMemory) this.n.peakInMemory = this.n.inMemory
  }

  private spill(key: string, lane: Lane, event: GroupEvent): void {
    lane.inInbox++
    this.n.spilled++
    lane.writes = lane.writes.then(
      () =>
        this.inbox.append(key, event).catch((e: unknown) => {
          lane.inInbox--
          this.onError(new Error(`could not spill an event of ${key} to the inbox: ${(e as Error).message}`), event)
        }),
      () => {},
    )
  }

  private kick(key: string, lane: Lane): void {
    if (lane.running) return
    this.blocked.delete(key)
    lane.running = true
    void this.drain(key, lane)
  }

  private async drain(key: string, lane: Lane): Promise<void> {
    try {
      for (;;) {
        const item = lane.memory[0]
        if (!item) {
          if (lane.inInbox === 0) break
          await lane.writes
          if (lane.inInbox === 0) break
          const room = Math.min(this.readBack, this.memoryPerLane, this.memoryTotal - this.n.inMemory - this.reserved)
          if (room <= 0) {
            // Memory is full with other lanes' events: wait until one is judged.
            this.blocked.add(key)
            return
          }
          // Reserved while reading, so that lanes reading back at the same time stay within the total.
          this.reserved += room
          const entries = await this.readFromInbox(key, room)
          this.reserved -= room // in the same step as held() below: no other lane runs in between
          if (!entries) return // the inbox failed: reported; the events stay there for the next start
          if (entries.length === 0) {
            lane.inInbox = 0 // nothing there after all (removed by hand?): go on
            continue
          }
          lane.inInbox = Math.max(0, lane.inInbox - entries.length)
          for (const e of entries) lane.memory.push({ event: e.event, seq: e.seq })
          this.held(entries.length)
          continue
        }
        try {
          await this.handle(item.event, key)
        } catch (e) {
          this.onError(e instanceof Error ? e : new Error(String(e)), item.event)
        }
        if (item.seq !== undefined) {
          await this.inbox.remove(item.seq).catch((e: unknown) => {
            this.onError(new Error(`could not remove a judged event from the inbox: ${(e as Error).message}`), item.event)
          })
        }
        lane.memory.shift()
        this.n.inMemory--
        this.n.judged++
        this.wakeBlocked()
      }
      lane.running = false
      if (lane.memory.length === 0 && lane.inInbox === 0 && this.lanes.get(key) === lane) this.lanes.delete(key)
    } finally {
      lane.running = false
      this.settle()
    }
  }

  private async readFromInbox(key: string, limit: number) {
    try {
      return await this.inbox.peek(key, limit)
    } catch (e) {
      this.onError(new Error(`could not read spilled events of ${key} back from the inbox: ${(e as Error).message}`))
      // Give the lane up for this run so idle() is not held forever; the events stay in the inbox.
      const lane = this.lanes.get(key)
      if (lane) {
        lane.inInbox = 0
        if (lane.memory.length === 0) this.lanes.delete(key)
      }
      return undefined
    }
  }

  private wakeBlocked(): void {
    for (const key of [...this.blocked]) {
      const lane = this.lanes.get(key)
      if (lane) this.kick(key, lane)
      else this.blocked.delete(key)
    }
  }

  private settle(): void {
    if (this.lanes.size !== 0) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w()
  }
}
