/**
 * The ingest handler on real local servers: DynamoDB Local for the store, fauxqs for the action
 * queue. Asserts partial batch failures, idempotency and the actions sent.
 */
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs'
import { type FauxqsServer, startFauxqs } from 'fauxqs'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { DynamoDbGuardStore } from '../../functions/adapters/aws/dynamodb-guard-store.ts'
import { SqsMessageQueue } from '../../functions/adapters/aws/sqs-message-queue.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import { Guard } from '../../functions/domain/guard.ts'
import { type IngestDeps, ingestBatch } from '../../functions/handlers/ingest.ts'
import type { ActionRequest } from '../../functions/ports/action-executor.port.ts'
import { type DynamoDbLocal, dynamoDbLocalUnavailable, startDynamoDbLocal } from '../helpers/dynamodb-local.ts'
import { account, at, message, roomSnapshot } from '../helpers/factories.ts'
import { lambdaContext, sqsEvent, sqsRecord } from '../helpers/lambda.ts'

const unavailable = dynamoDbLocalUnavailable()
if (unavailable && process.env.CI) throw new Error(`DynamoDB Local is needed in CI: ${unavailable}`)

const CONFIG = 'groups:\n  "*":\n    rules:\n      - id: no-ads\n        any: ["加微信"]\n'

describe.skipIf(unavailable !== undefined)('ingest handler', () => {
  let ddb: DynamoDbLocal
  let fauxqs: FauxqsServer
  let sqs: SQSClient
  let deps: IngestDeps
  let actions: SqsMessageQueue<ActionRequest>
  let table: string
  let actionsUrl: string

  beforeAll(async () => {
    ;[ddb, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs({ port: 0, logger: false })])
    sqs = new SQSClient({ endpoint: fauxqs.address, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
    actionsUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'actions.fifo', Attributes: { FifoQueue: 'true' } }))).QueueUrl ?? ''
    actions = new SqsMessageQueue<ActionRequest>({ client: sqs, queueUrl: actionsUrl })
    table = await ddb.createTable()
    const store = new DynamoDbGuardStore({ client: ddb.client, table })
    deps = { guard: new Guard({ store, config: parseConfig((await import('yaml')).parse(CONFIG)) }), actions }
    vi.spyOn(console, 'info').mockImplementation(() => {}) // Powertools logs and EMF metrics go to stdout
  }, 60_000)
  afterAll(async () => {
    sqs?.destroy()
    await Promise.all([ddb?.stop(), fauxqs?.stop()])
  })

  async function drainActions(): Promise<ActionRequest[]> {
    const out: ActionRequest[] = []
    for (let i = 0; i < 10; i++) {
      const got = await actions.receive({ max: 10 })
      if (!got.length) break
      for (const m of got) {
        out.push(m.body)
        await actions.ack(m)
      }
    }
    return out
  }

  it('stores the batch, reports only the poison record as failed, and queues the actions', async () => {
    const ads = [1, 2, 3].map((i) => message({ room: 'r1', sender: 'wxid_promo', text: `加微信 ${i}`, ts: at(i) }))
    const records = [
      sqsRecord(JSON.stringify(account('wxid_bot')), 'account'),
      sqsRecord(JSON.stringify(roomSnapshot({ room: 'r1' })), 'r1'),
      sqsRecord('{ not json', 'r2'),
      ...ads.map((m) => sqsRecord(JSON.stringify(m), 'r1')),
    ]
    const poison = records[2]!.messageId
    const response = await ingestBatch(deps, sqsEvent(records), lambdaContext())
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: poison }])
    const queued = await drainActions()
    expect(queued.map((a) => [a.decision.event, a.decision.action])).toEqual(ads.map((m, i) => [m.id, i < 2 ? 'warn' : 'remove']))
    expect(queued[0]?.text).toContain('第 1 次提醒')

    // Redelivery of the same records changes nothing and sends nothing again.
    const again = await ingestBatch(deps, sqsEvent(records.filter((r) => r.messageId !== poison)), lambdaContext())
    expect(again.batchItemFailures).toEqual([])
    expect(await drainActions()).toEqual([])
  })

  it('fails an invalid event, naming the field, without storing it', async () => {
    const bad = { id: 'bad-1', kind: 'message', ts: at(0), room: 'r3', type: 'text' }
    const response = await ingestBatch(deps, sqsEvent([sqsRecord(JSON.stringify(bad), 'r3')]), lambdaContext())
    expect(response.batchItemFailures).toHaveLength(1)
    expect(await deps.guard.handle(bad)).toMatchObject({ status: 'invalid', error: expect.stringContaining('message.sender') })
  })

  it('runs as the deployed handler, wired from the environment', async () => {
    vi.stubEnv('TABLE_NAME', table)
    vi.stubEnv('ACTIONS_QUEUE_URL', actionsUrl)
    vi.stubEnv('QUNGUARD_CONFIG', CONFIG)
    vi.stubEnv('AWS_REGION', 'us-east-1')
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local')
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', ddb.endpoint)
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', fauxqs.address)
    const { handler } = await import('../../functions/handlers/ingest.ts')
    const m = message({ room: 'r4', sender: 'wxid_x', text: '加微信', ts: at(50) })
    const response = await handler(sqsEvent([sqsRecord(JSON.stringify(m), 'r4')]), lambdaContext())
    expect(response).toEqual({ batchItemFailures: [] })
    expect((await drainActions()).map((a) => a.decision.event)).toEqual([m.id])
    vi.unstubAllEnvs()
  })
})
