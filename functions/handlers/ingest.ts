/**
 * ingest: the inbound FIFO queue's consumer. Each record is one FORMAT.md group event; the
 * Guard validates, deduplicates, stores and judges it, and every active decision is sent to the
 * action queue for the bot host to carry out.
 *
 * Partial batch failures (Powertools SqsFifoPartialProcessorAsync, skipGroupOnError): a poison
 * record fails alone — later records of its room wait for their turn, other rooms go on — and
 * after the queue's maxReceiveCount it lands in the dead-letter queue. A redelivered event is a
 * duplicate for the store and sends nothing again.
 */
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { MetricUnit } from '@aws-lambda-powertools/metrics'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { SQSClient } from '@aws-sdk/client-sqs'
import middy from '@middy/core'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { DynamoDbGuardStore } from '../adapters/aws/dynamodb-guard-store.ts'
import { SqsMessageQueue } from '../adapters/aws/sqs-message-queue.ts'
import { Guard } from '../domain/guard.ts'
import type { ActionRequest } from '../ports/action-executor.port.ts'
import type { MessageQueue } from '../ports/message-queue.port.ts'
import { configFromEnv, requiredEnv } from './env.ts'
import { logger, metrics, tracer } from './observability.ts'

export interface IngestDeps {
  readonly guard: Guard
  readonly actions: MessageQueue<ActionRequest>
}

/** Thrown for a record that can never succeed; it is retried and then dead-lettered. */
export class PoisonRecordError extends Error {
  override name = 'PoisonRecordError'
}

/** Handles one SQS record: the domain call plus forwarding of the actions. */
export async function ingestRecord(deps: IngestDeps, record: SQSRecord): Promise<void> {
  let body: unknown
  try {
    body = JSON.parse(record.body)
  } catch {
    throw new PoisonRecordError(`record ${record.messageId} is not JSON`)
  }
  const result = await deps.guard.handle(body)
  if (result.status === 'invalid') {
    metrics.addMetric('InvalidEvents', MetricUnit.Count, 1)
    throw new PoisonRecordError(`record ${record.messageId}: ${result.error}`)
  }
  if (result.status === 'duplicate') {
    metrics.addMetric('DuplicateEvents', MetricUnit.Count, 1)
    return
  }
  metrics.addMetric('EventsStored', MetricUnit.Count, 1)
  for (const d of result.decisions) {
    metrics.addMetric('Decisions', MetricUnit.Count, 1)
    logger.info('decision', {
      event: d.decision.event,
      room: d.decision.room,
      action: d.decision.action,
      mode: d.decision.mode,
      rule: d.decision.rule,
    })
    if (d.request) await deps.actions.send({ group: d.decision.room, dedupeId: `decision-${d.id}`, body: d.request })
  }
}

/** The batch: FIFO-aware partial failures. */
export async function ingestBatch(deps: IngestDeps, event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const processor = new SqsFifoPartialProcessorAsync()
  return processPartialResponse(event, (record: SQSRecord) => ingestRecord(deps, record), processor, {
    context,
    skipGroupOnError: true,
    throwOnFullBatchFailure: false,
  })
}

let deps: IngestDeps | undefined
/** The production wiring, from TABLE_NAME, ACTIONS_QUEUE_URL and QUNGUARD_CONFIG (built once). */
export function depsFromEnv(): IngestDeps {
  deps ??= {
    guard: new Guard({
      store: new DynamoDbGuardStore({ client: new DynamoDBClient({}), table: requiredEnv('TABLE_NAME') }),
      config: configFromEnv(),
    }),
    // Send to the configured (regional or AWS_ENDPOINT_URL_SQS) endpoint, not the queue URL's host.
    actions: new SqsMessageQueue<ActionRequest>({
      client: new SQSClient({ useQueueUrlAsEndpoint: false }),
      queueUrl: requiredEnv('ACTIONS_QUEUE_URL'),
    }),
  }
  return deps
}

export const handler = middy(async function ingestHandler(event: SQSEvent, context: Context) {
  return ingestBatch(depsFromEnv(), event, context)
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
