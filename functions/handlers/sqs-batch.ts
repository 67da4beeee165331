/**
 * What every SQS-fed handler shares: FIFO-aware partial batch failures (Powertools batch) and
 * validation of the record body, where a record that can never succeed is a PoisonRecordError
 * (retried, then dead-lettered by the queue's redrive policy — never silently dropped).
 */
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import type { z } from 'zod'
import { parseStageMessage } from '../domain/stage-messages.ts'

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
