/**
 * A small stand-in for Lambda's SQS event source mapping: receives a batch from a FIFO queue,
 * invokes a real handler with it, deletes what succeeded and gives back what failed (so SQS
 * retries it and, after maxReceiveCount, moves it to the dead-letter queue).
 */
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs'
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { lambdaContext } from './lambda.ts'

export async function pollOnce(
  sqs: SQSClient,
  queueUrl: string,
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>,
): Promise<{ received: number; failed: number }> {
  const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }))
  const messages = r.Messages ?? []
  if (!messages.length) return { received: 0, failed: 0 }
  const records: SQSRecord[] = messages.map((m) => ({
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: m.Attributes?.SentTimestamp ?? '0',
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: '0',
      MessageGroupId: m.Attributes?.MessageGroupId ?? '',
      MessageDeduplicationId: m.Attributes?.MessageDeduplicationId ?? '',
      SequenceNumber: m.Attributes?.SequenceNumber ?? '0',
    },
    messageAttributes: {},
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:events.fifo',
    awsRegion: 'us-east-1',
  }))
  const response = await handler({ Records: records }, lambdaContext())
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier))
  for (const m of records) {
    if (failed.has(m.messageId))
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: m.receiptHandle, VisibilityTimeout: 0 }))
    else await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.receiptHandle }))
  }
  return { received: records.length, failed: failed.size }
}
