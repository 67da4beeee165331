/** A MessageQueue in memory for handler tests: records what was sent, drops repeated dedupe ids like SQS FIFO. */
import type { MessageQueue, ReceivedMessage, SendRequest } from '../../functions/ports/message-queue.port.ts'

export class MemoryQueue<T> implements MessageQueue<T> {
  readonly sent: SendRequest<T>[] = []
  private readonly seen = new Set<string>()

  async send(request: SendRequest<T>): Promise<void> {
    const key = `${request.group}\u0000${request.dedupeId}`
    if (this.seen.has(key)) return
    this.seen.add(key)
    this.sent.push(structuredClone(request))
  }

  async sendMany(requests: readonly SendRequest<T>[]): Promise<number[]> {
    for (const r of requests) await this.send(r)
    return []
  }

  async receive(): Promise<ReceivedMessage<T>[]> {
    return this.sent.splice(0).map((r, i) => ({ id: `${i}`, body: r.body, receipt: `${i}`, receiveCount: 1 }))
  }

  async ack(): Promise<void> {}
  async release(): Promise<void> {}

  /** The bodies sent so far, emptied. */
  take(): T[] {
    return this.sent.splice(0).map((r) => r.body)
  }
}
