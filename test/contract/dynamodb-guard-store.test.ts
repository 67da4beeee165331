/**
 * The GuardStore contract against DynamoDB Local (a real DynamoDB-compatible server on loopback).
 * Without Java the suite is skipped locally and fails under CI=true, where Java must be present.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DynamoDbGuardStore } from '../../functions/adapters/aws/dynamodb-guard-store.ts'
import { StoreError } from '../../functions/ports/guard-store.port.ts'
import { type DynamoDbLocal, dynamoDbLocalUnavailable, startDynamoDbLocal } from '../helpers/dynamodb-local.ts'
import { message } from '../helpers/factories.ts'
import { guardStoreContract } from './guard-store.contract.ts'

const unavailable = dynamoDbLocalUnavailable()
if (unavailable && process.env.CI) throw new Error(`DynamoDB Local is needed in CI: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('DynamoDbGuardStore on DynamoDB Local', () => {
  let ddb: DynamoDbLocal
  beforeAll(async () => {
    ddb = await startDynamoDbLocal()
  }, 60_000)
  afterAll(async () => {
    await ddb?.stop()
  })

  guardStoreContract('DynamoDbGuardStore', async () => {
    // Each store gets its own client: close() destroys it.
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb')
    const client = new DynamoDBClient({
      endpoint: ddb.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
    return new DynamoDbGuardStore({ client, table: await ddb.createTable() })
  })

  it('throws a StoreError keeping the cause when the table does not exist', async () => {
    const store = new DynamoDbGuardStore({ client: ddb.client, table: 'no-such-table' })
    const err = await store.commit({ event: message() }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreError)
    expect((err as StoreError).cause).toBeDefined()
  })
})
