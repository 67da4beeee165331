/** Builders for Lambda inputs: SQS events and a context, as the Lambda runtime would pass them. */
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda'

let seq = 0

export function sqsRecord(body: string, group: string): SQSRecord {
  const id = `msg-${++seq}`
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      MessageGroupId: group,
      MessageDeduplicationId: id,
      SequenceNumber: String(seq),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:events.fifo',
    awsRegion: 'us-east-1',
  }
}

export const sqsEvent = (records: SQSRecord[]): SQSEvent => ({ Records: records })

/** A Lambda context; `remainingMs` is what getRemainingTimeInMillis reports (the function's timeout, as at its start). */
export function lambdaContext(functionName = 'ingest', remainingMs = 30_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `req-${++seq}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  }
}
