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
import {
  type DynamoDbLocal,
  dyingClient,
  dynamoDbLocalUnavailable,
  type RequestKeys,
  startDynamoDbLocal,
} from '../helpers/dynamodb-local.ts'
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

  it('mends a request a failure left half-opened or half-closed, from the decision’s marker and the next sweep', async () => {
    const table = await ddb.createTable()
    // A client that "dies" at the chosen writes: a request's item or its open index.
    let failing: (request: RequestKeys) => boolean = () => false
    const dying = dyingClient(ddb.endpoint, (r) => failing(r))
    const broken = new DynamoDbApprovalStore({ client: dying, table })
    const store = new DynamoDbApprovalStore({ client, table })
    const approval = newApproval({ createdAt: '2026-12-01T00:00:00.000Z', deadline: '2026-12-02T00:00:00.000Z' })
    // Opened: the marker written, the open index and the request not.
    failing = (i) => (i.Item?.pk?.S ?? '').startsWith('APPROVALS')
    await expect(broken.open(approval)).rejects.toBeInstanceOf(ApprovalStoreError)
    expect(await store.listOpen('wxid_owner')).toEqual([])
    // The redelivery opens the same request, written now from the marker's copy.
    const opened = await store.open(approval)
    expect(opened.number).toBe(1)
    expect((await store.listOpen('wxid_owner')).map((r) => [r.number, r.decisionId])).toEqual([[1, approval.decisionId]])
    expect(await store.countOpen('2026-12-01T12:00:00.000Z')).toBe(1)
    // Answered: the request closed, its open index not removed.
    failing = (i) => i.Key?.pk?.S === 'APPROVALS_OPEN'
    await expect(broken.close('wxid_owner', 1, 'approved', '2026-12-01T01:00:00.000Z')).rejects.toBeInstanceOf(ApprovalStoreError)
    expect((await store.get('wxid_owner', 1))?.status).toBe('approved')
    expect(await store.listAnswered('2026-12-01T00:00:00.000Z')).toHaveLength(1)
    // Another answer finds it closed: nothing changes, and the answer is listed once.
    failing = () => false
    expect(await broken.close('wxid_owner', 1, 'rejected', '2026-12-01T02:00:00.000Z')).toBeUndefined()
    expect((await store.listAnswered('2026-12-01T00:00:00.000Z')).map((r) => r.status)).toEqual(['approved'])
    // The sweep past its deadline finds the closed request's index and removes it.
    expect(await store.countOpen('2026-12-01T12:00:00.000Z')).toBe(1)
    expect(await store.listOverdue('2026-12-03T00:00:00.000Z')).toEqual([])
    expect(await store.countOpen('2026-12-01T12:00:00.000Z')).toBe(0)
    dying.destroy()
  })

  it('throws an ApprovalStoreError keeping the cause when the table does not exist', async () => {
    const err = await new DynamoDbApprovalStore({ client, table: 'no-such-table' }).open(newApproval()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApprovalStoreError)
    expect((err as Error).cause).toBeDefined()
  })
})
