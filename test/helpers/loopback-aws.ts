/**
 * DynamoDB Local and fauxqs for a describe block: started before its tests, stopped after, with
 * an SQS client on fauxqs; Powertools' log lines and EMF metrics are kept off the test output.
 *
 * @example
 *   describe.skipIf(dynamoDbLocalUnavailable() !== undefined)('…', () => {
 *     const aws = useLoopbackAws()
 *     it('…', async () => { const table = await aws.ddb.createTable(); … aws.sqs … })
 *   })
 */
import { SQSClient } from '@aws-sdk/client-sqs'
import { type FauxqsServer, startFauxqs } from 'fauxqs'
import { afterAll, beforeAll, vi } from 'vitest'
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.ts'

export interface LoopbackAws {
  readonly ddb: DynamoDbLocal
  readonly fauxqs: FauxqsServer
  readonly sqs: SQSClient
}

export function useLoopbackAws(): LoopbackAws {
  const held: { ddb?: DynamoDbLocal; fauxqs?: FauxqsServer; sqs?: SQSClient } = {}
  beforeAll(async () => {
    ;[held.ddb, held.fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs({ port: 0, logger: false })])
    held.sqs = new SQSClient({
      endpoint: held.fauxqs.address,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
    vi.spyOn(console, 'info').mockImplementation(() => {})
    vi.spyOn(console, 'warn').mockImplementation(() => {})
  }, 60_000)
  afterAll(async () => {
    held.sqs?.destroy()
    await Promise.all([held.ddb?.stop(), held.fauxqs?.stop()])
  })
  const started = <T>(x: T | undefined): T => {
    if (x === undefined) throw new Error('useLoopbackAws: used outside of a test')
    return x
  }
  return {
    get ddb() {
      return started(held.ddb)
    },
    get fauxqs() {
      return started(held.fauxqs)
    },
    get sqs() {
      return started(held.sqs)
    },
  }
}
