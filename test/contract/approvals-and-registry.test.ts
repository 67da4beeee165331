/**
 * The ApprovalStore, BotRegistry and FactsStore contracts for the memory adapters and, on DynamoDB Local,
 * the DynamoDB ones (skipped locally without Java; required under CI=true).
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DynamoDbAnalyticsStore } from '../../functions/adapters/aws/dynamodb-analytics-store.ts'
import { DynamoDbApprovalStore } from '../../functions/adapters/aws/dynamodb-approval-store.ts'
import { DynamoDbBotRegistry } from '../../functions/adapters/aws/dynamodb-bot-registry.ts'
import { DynamoDbFactsStore } from '../../functions/adapters/aws/dynamodb-facts-store.ts'
import { MemoryApprovalStore } from '../../functions/adapters/memory/memory-approval-store.ts'
import { MemoryBotRegistry } from '../../functions/adapters/memory/memory-bot-registry.ts'
import { ApprovalStoreError } from '../../functions/ports/approval-store.port.ts'
import { type DynamoDbLocal, dynamoDbLocalUnavailable, startDynamoDbLocal } from '../helpers/dynamodb-local.ts'
import { analyticsStoreContract } from './analytics-store.contract.ts'
import { approvalStoreContract, newApproval } from './approval-store.contract.ts'
import { botRegistryContract } from './bot-registry.contract.ts'
import { factsStoreContract } from './facts-store.contract.ts'
import { supervisionStoreContract } from './supervision-store.contract.ts'

approvalStoreContract('MemoryApprovalStore', async () => new MemoryApprovalStore())
botRegistryContract('MemoryBotRegistry', async () => new MemoryBotRegistry())

const unavailable = dynamoDbLocalUnavailable()
if (unavailable && process.env.CI) throw new Error(`DynamoDB Local is needed in CI: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('on DynamoDB Local', () => {
  let ddb: DynamoDbLocal
  let client: DynamoDBClient
  beforeAll(async () => {
    ddb = await startDynamoDbLocal()
    client = new DynamoDBClient({
      endpoint: ddb.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
  }, 60_000)
  afterAll(async () => {
    client?.destroy()
    await ddb?.stop()
  })

  approvalStoreContract('DynamoDbApprovalStore', async () => new DynamoDbApprovalStore({ client, table: await ddb.createTable() }))
  supervisionStoreContract('DynamoDbApprovalStore', async () => new DynamoDbApprovalStore({ client, table: await ddb.createTable() }))
  factsStoreContract('DynamoDbFactsStore', async () => new DynamoDbFactsStore({ client, table: await ddb.createTable() }))
  analyticsStoreContract('DynamoDbAnalyticsStore', async () => new DynamoDbAnalyticsStore({ client, table: await ddb.createTable() }))
  botRegistryContract('DynamoDbBotRegistry', async () => new DynamoDbBotRegistry({ client, table: await ddb.createTable() }))

  it('numbers concurrent requests of one owner without gaps or repeats', async () => {
    const store = new DynamoDbApprovalStore({ client, table: await ddb.createTable() })
    const opened = await Promise.all(Array.from({ length: 8 }, () => store.open(newApproval())))
    expect(opened.map((r) => r.number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
  })

  it('throws an ApprovalStoreError keeping the cause when the table does not exist', async () => {
    const err = await new DynamoDbApprovalStore({ client, table: 'no-such-table' }).open(newApproval()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApprovalStoreError)
    expect((err as Error).cause).toBeDefined()
  })
})
