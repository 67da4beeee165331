/**
 * Listens to a Wechaty bot and hands every group event, as a FORMAT.md event, to a sink —
 * in order per room, with a room snapshot (topic, owner, members) of every room at login and
 * before a room's first event after that.
 *
 * Shared by the embedded plugin (sink = the Guard) and the cloud relay (sink = the inbound queue).
 * Events reach the sink with personal numbers masked (maskEvent): nothing raw goes into a queue.
 */
import type { WechatyInterface } from 'wechaty/impls'
import type { RoomQueue } from '../functions/adapters/local/room-queue.ts'
import type { GroupEvent } from '../functions/domain/events.ts'
import { maskEvent } from '../functions/domain/privacy.ts'
import { accountEvent, joinEvent, leaveEvent, messageEvent, roomSnapshotEvent } from './wechaty-events.ts'

export interface EventSourceOptions {
  readonly queue: RoomQueue
  readonly sink: (event: GroupEvent) => Promise<void>
  /** Called for every message, before it is queued (e.g. to remember it for a later recall). */
  readonly onMessage?: (msg: Parameters<Parameters<WechatyInterface['on']>[1]>[0]) => void
  readonly onError: (error: Error) => void
  /** Completes a message event before it reaches the sink (e.g. uploads its picture and sets `media`). */
  readonly enrichMessage?: (msg: Parameters<Parameters<WechatyInterface['on']>[1]>[0], event: GroupEvent) => Promise<GroupEvent>
}

export function watchWechaty(bot: WechatyInterface, o: EventSourceOptions): void {
  // Rooms whose snapshot has been taken in this process.
  const snapshotted = new Set<string>()
  type Room = Parameters<typeof roomSnapshotEvent>[0]

  const submit = (key: string, make: () => Promise<GroupEvent | undefined>, room?: Room) => {
    o.queue
      .push(key, async function forwardWechatyEvent() {
        if (room && !snapshotted.has(room.id)) {
          snapshotted.add(room.id)
          await o.sink(maskEvent(await roomSnapshotEvent(room, new Date())))
        }
        const event = await make()
        if (event) await o.sink(maskEvent(event))
      })
      .catch((e: unknown) => o.onError(e instanceof Error ? e : new Error(String(e))))
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
      room ? room.id : 'private',
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
}
