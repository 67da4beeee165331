/**
 * Listens to a Wechaty bot and turns every group event into a docs/format.md event, put on a queue
 * lane — the room's, or one lane per sender of private messages (`private:<id>`), so an owner's
 * answer never waits behind strangers' — with a room snapshot (topic, owner, members) of every
 * room at login and before a room's first event after that.
 *
 * Events are converted as they arrive (conversion asks the puppet about the room and sender) and
 * put on the queue in arrival order per lane. Shared by the embedded plugin (the queue judges
 * them) and the cloud relay (the queue sends them to the inbound SQS queue).
 * Events reach the queue with personal numbers masked (maskEvent): nothing raw goes into a queue.
 */
import type { WechatyInterface } from 'wechaty/impls'
import type { GroupEvent } from '../functions/domain/events.ts'
import { maskEvent } from '../functions/domain/privacy.ts'
import { accountEvent, joinEvent, leaveEvent, messageEvent, roomSnapshotEvent } from './wechaty-events.ts'

/** Where converted events go: a queue that keeps each lane's order and never refuses. */
export interface EventLanes {
  put(lane: string, event: GroupEvent): void
}

export interface EventSourceOptions {
  readonly queue: EventLanes
  /** Called for every message, before it is converted (e.g. to remember it for a later recall). */
  readonly onMessage?: (msg: Parameters<Parameters<WechatyInterface['on']>[1]>[0]) => void
  readonly onError: (error: Error) => void
  /** Completes a message event before it is queued (e.g. uploads its picture and sets `media`). */
  readonly enrichMessage?: (msg: Parameters<Parameters<WechatyInterface['on']>[1]>[0], event: GroupEvent) => Promise<GroupEvent>
}

export interface EventSource {
  /** Resolves when every Wechaty event seen so far has been converted and put on the queue. */
  idle(): Promise<void>
  /** Events being converted now, and the most at once (they are not on the queue yet). */
  readonly converting: number
  readonly peakConverting: number
}

/** What `settle` waits on: the queue the source feeds (e.g. a SpillingQueue). */
export interface SettlingQueue {
  idle(): Promise<void>
  readonly stats: { readonly inMemory: number; readonly inInbox: number }
}

/**
 * Resolves when the source has converted every event it saw and the queue has handled them all.
 * A converted event reaches the queue after its conversion: both are waited for until both are still.
 */
export async function settle(source: EventSource | undefined, queue: SettlingQueue): Promise<void> {
  do {
    await source?.idle()
    await queue.idle()
  } while ((source?.converting ?? 0) > 0 || queue.stats.inMemory > 0 || queue.stats.inInbox > 0)
}

export function watchWechaty(bot: WechatyInterface, o: EventSourceOptions): EventSource {
  // Rooms whose snapshot has been taken in this process.
  const snapshotted = new Set<string>()
  type Room = Parameters<typeof roomSnapshotEvent>[0]
  // Per lane, the conversion that must reach the queue before the next one does.
  const tails = new Map<string, Promise<void>>()
  let converting = 0
  let peakConverting = 0
  let idleWaiters: (() => void)[] = []

  const submit = (key: string, make: () => Promise<GroupEvent | undefined>, room?: Room) => {
    converting++
    if (converting > peakConverting) peakConverting = converting
    const snapshot = room && !snapshotted.has(room.id)
    if (room && snapshot) snapshotted.add(room.id)
    // Started at once; only the hand-over to the queue waits for the lane's earlier events.
    const made = (async function convertWechatyEvent() {
      const snap = room && snapshot ? await roomSnapshotEvent(room, new Date()) : undefined
      const event = await make()
      // The snapshot taken for a room's first event goes before it in time too (the message's
      // own time can be earlier than the moment the room was looked at): a history sorted by
      // time, as replay reads one, then knows the room's topic and staff when it judges the event.
      const first = snap && event && Date.parse(event.ts) < Date.parse(snap.ts) ? { ...snap, ts: event.ts } : snap
      return [first, event].filter((e): e is GroupEvent => e !== undefined)
    })()
    const tail = (tails.get(key) ?? Promise.resolve())
      .then(() => made)
      .then(
        (events) => {
          for (const event of events) o.queue.put(key, maskEvent(event))
        },
        (e: unknown) => o.onError(e instanceof Error ? e : new Error(String(e))),
      )
      .finally(() => {
        converting--
        if (tails.get(key) === tail) tails.delete(key)
        if (converting === 0) {
          const waiters = idleWaiters
          idleWaiters = []
          for (const w of waiters) w()
        }
      })
    tails.set(key, tail)
  }

  bot.on('login', (user) => {
    submit('account', async () => accountEvent(user, new Date()))
    // Every room's snapshot up front, so owners and admins are known before a room's first event.
    bot.Room.findAll()
      .then((rooms) => {
        for (const room of rooms) submit(room.id, async () => undefined, room)
      })
      .catch((e: unknown) => o.onError(new Error(`could not list the rooms: ${(e as Error).message}`)))
  })
  bot.on('message', (msg) => {
    o.onMessage?.(msg)
    const room = msg.room()
    submit(
      room ? room.id : `private:${msg.talker().id}`,
      async () => {
        const event = await messageEvent(msg)
        return event && o.enrichMessage ? o.enrichMessage(msg, event) : event
      },
      room,
    )
  })
  bot.on('room-join', (room, invitees, inviter, date) =>
    submit(room.id, async () => joinEvent(room, invitees, inviter, date ?? new Date()), room),
  )
  bot.on('room-leave', (room, leavers, remover, date) =>
    submit(room.id, async () => leaveEvent(room, leavers, remover, date ?? new Date()), room),
  )
  bot.on('room-topic', (room) => {
    snapshotted.delete(room.id) // the next event takes a fresh snapshot with the new topic
    submit(room.id, async () => undefined, room)
  })

  return {
    idle: () => (converting === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
    get converting() {
      return converting
    },
    get peakConverting() {
      return peakConverting
    },
  }
}
