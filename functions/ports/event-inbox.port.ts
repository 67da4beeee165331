/**
 * EventInbox: a durable overflow for events the bot host has received but not judged yet.
 *
 * The embedded queue keeps a bounded number of events in memory; what does not fit is appended
 * here, in order per lane (a room, or one private chat), and read back oldest first when the
 * lane has room again. An entry stays until `remove`: events left by a crash are judged at the
 * next start (`pending`). On AWS the inbound SQS FIFO queue is the buffer, so there is no
 * DynamoDB inbox.
 *
 * @example
 *   await inbox.append('room1@chatroom', event)
 *   for (const e of await inbox.peek('room1@chatroom', 100)) { await judge(e.event); await inbox.remove(e.seq) }
 */
import type { GroupEvent } from '../domain/events.ts'

export interface InboxEntry {
  /** Increases with every append (over all lanes); the order within a lane. */
  readonly seq: number
  readonly lane: string
  readonly event: GroupEvent
}

export interface EventInbox {
  /** Appends an event at the end of its lane. */
  append(lane: string, event: GroupEvent): Promise<void>
  /** The oldest `limit` entries of a lane, oldest first; they stay until removed. */
  peek(lane: string, limit: number): Promise<InboxEntry[]>
  /** Removes one entry (it has been judged). Removing an unknown entry does nothing. */
  remove(seq: number): Promise<void>
  /** How many entries wait in each lane that has any. */
  pending(): Promise<Record<string, number>>
}

export class EventInboxError extends Error {
  override name = 'EventInboxError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}
