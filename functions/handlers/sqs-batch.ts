/**
 * What every SQS-fed handler shares: FIFO-aware partial batch failures (Powertools batch) and
 * validation of the record body, where a record that can never succeed is a PoisonRecordError
 * (retried, then dead-lettered by the queue's redrive policy — never silently dropped).
 */
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import type { z } from 'zod'
import { parseStageMessage } from '../domain/stage-messages.ts'
import type { MessageQueue, SendRequest } from '../ports/message-queue.port.ts'

/** Thrown for a record that can never succeed; it is retried and then dead-lettered. */
export class PoisonRecordError extends Error {
  override name = 'PoisonRecordError'
}

/** The record's body validated against a stage schema. */
export function recordBody<T>(schema: z.ZodType<T>, record: SQSRecord): T {
  const r = parseStageMessage(schema, record.body)
  if (!r.ok) throw new PoisonRecordError(`record ${record.messageId}: ${r.error}`)
  return r.value
}

/**
 * Runs `handle` on each record. A failed record fails alone: later records of its message
 * group (room) wait for their turn, other groups go on.
 */
export function fifoBatch(event: SQSEvent, context: Context, handle: (record: SQSRecord) => Promise<void>): Promise<SQSBatchResponse> {
  return processPartialResponse(event, handle, new SqsFifoPartialProcessorAsync(), {
    context,
    skipGroupOnError: true,
    throwOnFullBatchFailure: false,
  })
}

/**
 * Holds what a batch's records send and sends it at the end, several to a request
 * (`MessageQueue.sendMany`: on SQS ten to a request, a tenth of the cost). A record whose message
 * is refused fails, and so do the later records of its message group — they come back in order;
 * what they had sent already is dropped as a repeat by SQS deduplication.
 *
 * @example
 *   const outbox = new Outbox()
 *   const moderate = outbox.queue(deps.moderate)
 *   const r = await fifoBatch(event, context, (rec) => outbox.during(rec.messageId, () => handle(rec, moderate)))
 *   return outbox.flush(event, r)
 */
export class Outbox {
  private readonly held: { record: string; queue: MessageQueue<unknown>; request: SendRequest<unknown> }[] = []
  private current: string | undefined

  /** A queue whose sends wait in the outbox (receiving from it is not for handlers). */
  queue<T>(target: MessageQueue<T>): MessageQueue<T> {
    const hold = async (request: SendRequest<T>) => {
      if (this.current === undefined) throw new Error('Outbox: a send outside of a record')
      this.held.push({ record: this.current, queue: target as MessageQueue<unknown>, request: request as SendRequest<unknown> })
    }
    const notHere = async (): Promise<never> => {
      throw new Error('Outbox: only sends are held')
    }
    return {
      send: hold,
      sendMany: async (requests) => {
        for (const r of requests) await hold(r)
        return []
      },
      receive: notHere,
      ack: notHere,
      release: notHere,
    }
  }

  /** Runs one record's handling, its sends held under its id. */
  async during<T>(record: string, handle: () => Promise<T>): Promise<T> {
    this.current = record
    try {
      return await handle()
    } finally {
      this.current = undefined
    }
  }

  /** Sends what the records that succeeded held; returns the batch's failures, refused sends' records added. */
  async flush(event: SQSEvent, response: SQSBatchResponse): Promise<SQSBatchResponse> {
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier))
    const byQueue = new Map<MessageQueue<unknown>, { record: string; request: SendRequest<unknown> }[]>()
    for (const h of this.held.splice(0)) {
      if (failed.has(h.record)) continue // it comes back: it sends then
      const list = byQueue.get(h.queue) ?? []
      list.push(h)
      byQueue.set(h.queue, list)
    }
    const refused = new Set<string>()
    for (const [queue, list] of byQueue) {
      let notSent: number[]
      try {
        notSent = await queue.sendMany(list.map((h) => h.request))
      } catch {
        notSent = list.map((_, i) => i)
      }
      for (const i of notSent) refused.add(list[i]?.record ?? '')
    }
    if (!refused.size) return response
    // A refused record fails with the later records of its group, so the group stays in order.
    const stopped = new Set<string>()
    for (const r of event.Records) {
      const group = r.attributes.MessageGroupId ?? ''
      if (refused.has(r.messageId) || stopped.has(group)) {
        stopped.add(group)
        failed.add(r.messageId)
      }
    }
    return { batchItemFailures: event.Records.filter((r) => failed.has(r.messageId)).map((r) => ({ itemIdentifier: r.messageId })) }
  }
}
