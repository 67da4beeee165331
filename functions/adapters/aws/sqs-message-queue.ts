/**
 * SqsMessageQueue: MessageQueue on an SQS FIFO queue.
 *
 * Bodies are JSON. SQS takes at most 256 KiB a message: larger bodies are refused with a
 * QueueError (media travel through S3; a message carries only its key).
 *
 * @example
 *   const q = new SqsMessageQueue<GroupEvent>({ client: new SQSClient({}), queueUrl: process.env.EVENTS_QUEUE_URL })
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs'
import { type MessageQueue, QueueError, type ReceivedMessage, type SendRequest } from '../../ports/message-queue.port.ts'

export const SQS_MAX_BYTES = 256 * 1024

export interface SqsMessageQueueOptions {
  readonly client: SQSClient
  /** From the stack's outputs or env; never hard-coded. */
  readonly queueUrl: string
}

/** SQS deduplication ids are at most 128 characters of a limited alphabet. */
const dedupeId = (id: string) => id.replace(/[^\w!"#$%&'()*+,\-./:;<=>?@[\\\]^`{|}~]/g, '_').slice(0, 128)

export class SqsMessageQueue<T> implements MessageQueue<T> {
  private readonly client: SQSClient
  private readonly queueUrl: string

  constructor(options: SqsMessageQueueOptions) {
    if (!options.queueUrl) throw new QueueError('SqsMessageQueue needs a queue URL')
    if (!options.queueUrl.endsWith('.fifo')) throw new QueueError(`${options.queueUrl} is not a FIFO queue (its name must end in .fifo)`)
    this.client = options.client
    this.queueUrl = options.queueUrl
  }

  async send(request: SendRequest<T>): Promise<void> {
    const body = this.body(request)
    await this.call('send', () =>
      this.client.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: body,
          MessageGroupId: request.group,
          MessageDeduplicationId: dedupeId(request.dedupeId),
        }),
      ),
    )
  }

  async sendMany(requests: readonly SendRequest<T>[]): Promise<number[]> {
    const bodies = requests.map((r) => this.body(r))
    // Batches of up to ten entries and 256 KiB, in order.
    const batches: number[][] = []
    let batch: number[] = []
    let bytes = 0
    bodies.forEach((b, i) => {
      const n = Buffer.byteLength(b)
      if (batch.length === 10 || bytes + n > SQS_MAX_BYTES) {
        batches.push(batch)
        batch = []
        bytes = 0
      }
      batch.push(i)
      bytes += n
    })
    if (batch.length) batches.push(batch)
    const failed: number[] = []
    let sent = 0
    let lastError: unknown
    for (const indexes of batches) {
      try {
        const r = await this.client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: indexes.map((i) => ({
              Id: String(i),
              MessageBody: bodies[i],
              MessageGroupId: requests[i]?.group,
              MessageDeduplicationId: dedupeId(requests[i]?.dedupeId ?? ''),
            })),
          }),
        )
        for (const f of r.Failed ?? []) failed.push(Number(f.Id))
        sent += r.Successful?.length ?? 0
      } catch (e) {
        lastError = e
        failed.push(...indexes)
      }
    }
    if (requests.length && !sent)
      throw new QueueError(`SQS send of ${requests.length} message(s) failed: ${(lastError as Error)?.message ?? 'every entry refused'}`, {
        cause: lastError,
      })
    return failed.sort((a, b) => a - b)
  }

  private body(request: SendRequest<T>): string {
    // SQS refuses U+FFFE/U+FFFF in a body, and some SQS implementations (fauxqs) emoji and other
    // characters beyond U+FFFF too: those go as JSON \u escapes, which JSON.parse reads back the same.
    const body = JSON.stringify(request.body).replace(
      /[\uD800-\uDFFF\uFFFE\uFFFF]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
    const bytes = Buffer.byteLength(body)
    if (bytes > SQS_MAX_BYTES)
      throw new QueueError(`message ${request.dedupeId} is ${bytes} bytes; SQS takes at most ${SQS_MAX_BYTES} (send media through S3)`)
    return body
  }

  async receive(options: { max?: number; waitSeconds?: number; visibilitySeconds?: number } = {}): Promise<ReceivedMessage<T>[]> {
    const r = await this.call('receive', () =>
      this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: options.max ?? 10,
          WaitTimeSeconds: options.waitSeconds ?? 0,
          ...(options.visibilitySeconds !== undefined ? { VisibilityTimeout: options.visibilitySeconds } : {}),
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      ),
    )
    return (r.Messages ?? []).map((m) => ({
      id: m.MessageId ?? '',
      body: JSON.parse(m.Body ?? 'null') as T,
      receipt: m.ReceiptHandle ?? '',
      receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
    }))
  }

  async ack(message: ReceivedMessage<T>): Promise<void> {
    await this.call('ack', () => this.client.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.receipt })))
  }

  async release(message: ReceivedMessage<T>): Promise<void> {
    await this.call('release', () =>
      this.client.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.receipt, VisibilityTimeout: 0 }),
      ),
    )
  }

  private async call<R>(what: string, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn()
    } catch (e) {
      throw new QueueError(`SQS ${what} on ${this.queueUrl} failed: ${(e as Error).message}`, { cause: e })
    }
  }
}
