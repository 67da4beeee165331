/**
 * SendBatcher: gathers what the bot host sends to a queue for a moment and sends it together,
 * ten to a request (`MessageQueue.sendMany`) — a busy bot host pays for a tenth of the requests.
 * Each `send` resolves when its message is in the queue, so a room's lane (which waits for one
 * event's send before the next) keeps its order. A batch goes when ten are waiting or `waitMs`
 * after the first; messages the queue refuses are sent again (`attempts` in all) before their
 * `send` rejects.
 *
 * @example
 *   const batcher = new SendBatcher(events, { waitMs: 100 })
 *   await batcher.send({ group: event.room, dedupeId: event.id, body: event })
 */
import { type MessageQueue, QueueError, type SendRequest } from '../functions/ports/message-queue.port.ts'

export interface SendBatcherOptions {
  /** Most messages in one batch. @default 10 (SQS's limit) */
  readonly maxBatch?: number
  /** How long the first message of a batch waits for others. @default 100 ms */
  readonly waitMs?: number
  /** Tries per message before its send rejects. @default 3 */
  readonly attempts?: number
  /** Pause before refused messages are sent again. @default 200 ms */
  readonly retryMs?: number
}

interface Waiting<T> {
  readonly request: SendRequest<T>
  readonly resolve: () => void
  readonly reject: (e: Error) => void
  tries: number
}

export class SendBatcher<T> {
  private waiting: Waiting<T>[] = []
  private timer: ReturnType<typeof setTimeout> | undefined
  private sending: Promise<void> = Promise.resolve()
  /** Batches sent and messages in them, for figures. */
  readonly stats = { batches: 0, messages: 0 }

  constructor(
    private readonly queue: MessageQueue<T>,
    private readonly o: SendBatcherOptions = {},
  ) {}

  send(request: SendRequest<T>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ request, resolve, reject, tries: 0 })
      if (this.waiting.length >= (this.o.maxBatch ?? 10)) void this.flush()
      else this.timer ??= setTimeout(() => void this.flush(), this.o.waitMs ?? 100)
    })
  }

  /** Sends what waits now (after the batch before it: one batch in flight at a time, so batches keep their order). */
  flush(): Promise<void> {
    this.sending = this.sending.then(() => this.sendBatch())
    return this.sending
  }

  private async sendBatch(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    const batch = this.waiting.splice(0, this.o.maxBatch ?? 10)
    if (this.waiting.length) this.timer = setTimeout(() => void this.flush(), 0)
    if (!batch.length) return
    let refused: number[]
    let error: Error | undefined
    try {
      refused = await this.queue.sendMany(batch.map((w) => w.request))
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e))
      refused = batch.map((_, i) => i)
    }
    this.stats.batches++
    this.stats.messages += batch.length - refused.length
    const again = new Set(refused)
    const retries: Waiting<T>[] = []
    for (const [i, w] of batch.entries()) {
      if (!again.has(i)) {
        w.resolve()
        continue
      }
      w.tries++
      if (w.tries >= (this.o.attempts ?? 3)) {
        w.reject(
          new QueueError(`could not send ${w.request.dedupeId} after ${w.tries} tries${error ? `: ${error.message}` : ''}`, {
            cause: error,
          }),
        )
        continue
      }
      retries.push(w)
    }
    if (retries.length) {
      // Back at the front, in their order, after a pause.
      this.waiting.unshift(...retries)
      if (this.timer) clearTimeout(this.timer)
      this.timer = setTimeout(() => void this.flush(), this.o.retryMs ?? 200)
    }
  }
}
