/**
 * MessageQueue: an ordered, at-least-once queue of JSON messages, grouped by key (a room).
 *
 * On AWS it is an SQS FIFO queue (message group = room, deduplication id = event or decision
 * id); the bot host sends group events through one and receives actions from another.
 * Receivers must `ack` what they handled; what is not acked comes back after the visibility
 * timeout, and after too many tries lands in the dead-letter queue.
 *
 * @example
 *   await queue.send({ group: event.room, dedupeId: event.id, body: event })
 *   for (const m of await queue.receive({ max: 10, waitSeconds: 1 })) { handle(m.body); await queue.ack(m) }
 */
export interface ReceivedMessage<T> {
  readonly id: string
  readonly body: T
  /** Opaque handle for ack/release. */
  readonly receipt: string
  /** How many times it has been received, this time included. */
  readonly receiveCount: number
}

export interface SendRequest<T> {
  /** Messages of one group are delivered in order, one at a time. */
  readonly group: string
  /** A second send with the same id within the deduplication window is dropped. */
  readonly dedupeId: string
  readonly body: T
}

export interface MessageQueue<T> {
  send(request: SendRequest<T>): Promise<void>
  /**
   * Sends several at once (on SQS, ten to a request: a tenth of the requests' cost), in order.
   * Returns the indexes of those not sent (to send again); throws only when none could be.
   */
  sendMany(requests: readonly SendRequest<T>[]): Promise<number[]>
  receive(options?: { max?: number; waitSeconds?: number; visibilitySeconds?: number }): Promise<ReceivedMessage<T>[]>
  ack(message: ReceivedMessage<T>): Promise<void>
  /** Gives a message back now, for another try. */
  release(message: ReceivedMessage<T>): Promise<void>
}

export class QueueError extends Error {
  override name = 'QueueError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}
