/**
 * The AWS shape on loopback: bot host (Wechaty on wechaty-puppet-mock, QunGuardRelay) → inbound
 * FIFO queue (fauxqs) → a local poller invoking the real ingest handler → DynamoDB Local →
 * action queue → the bot host carries the action out.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { type FauxqsServer, startFauxqs } from 'fauxqs'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import YAML from 'yaml'
import { QunGuardRelay } from '../../bot-host/cloud-relay.ts'
import { MockWorld } from '../../bot-host/mock-world.ts'
import { DynamoDbGuardStore } from '../../functions/adapters/aws/dynamodb-guard-store.ts'
import { SqsMessageQueue } from '../../functions/adapters/aws/sqs-message-queue.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import type { GroupEvent } from '../../functions/domain/events.ts'
import { Guard } from '../../functions/domain/guard.ts'
import { ingestBatch } from '../../functions/handlers/ingest.ts'
import type { ActionRequest } from '../../functions/ports/action-executor.port.ts'
import { type DynamoDbLocal, dynamoDbLocalUnavailable, startDynamoDbLocal } from '../helpers/dynamodb-local.ts'
import { pollOnce } from '../helpers/local-lambda-poller.ts'

const unavailable = dynamoDbLocalUnavailable()
if (unavailable && process.env.CI) throw new Error(`DynamoDB Local is needed in CI: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('bot host → SQS → ingest Lambda → DynamoDB → actions → bot host', () => {
  let ddb: DynamoDbLocal
  let fauxqs: FauxqsServer
  let sqs: SQSClient

  beforeAll(async () => {
    ;[ddb, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs({ port: 0, logger: false })])
    sqs = new SQSClient({ endpoint: fauxqs.address, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
    vi.spyOn(console, 'info').mockImplementation(() => {}) // Powertools logs and EMF metrics
  }, 60_000)
  afterAll(async () => {
    sqs?.destroy()
    await Promise.all([ddb?.stop(), fauxqs?.stop()])
  })

  async function fifo(name: string, attributes: Record<string, string> = {}) {
    const url =
      (await sqs.send(new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes: { FifoQueue: 'true', ...attributes } }))).QueueUrl ??
      ''
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? ''
    return { url, arn }
  }

  it('removes a marketer on the third ad, and dead-letters a poison message while the rest go through', async () => {
    const dlq = await fifo('events-dlq')
    const events = await fifo('events', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) })
    const actions = await fifo('actions')
    const store = new DynamoDbGuardStore({ client: ddb.client, table: await ddb.createTable() })
    const guard = new Guard({
      store,
      config: parseConfig(YAML.parse('groups:\n  "*":\n    rules:\n      - id: no-ads\n        any: ["加微信"]\n')),
    })
    const actionQueue = new SqsMessageQueue<ActionRequest>({ client: sqs, queueUrl: actions.url })
    const deps = { guard, actions: actionQueue }

    const relay = QunGuardRelay({
      events: new SqsMessageQueue<GroupEvent>({ client: sqs, queueUrl: events.url }),
      actions: actionQueue,
      waitSeconds: 0,
    })
    const world = await MockWorld.start({ plugins: [relay] })
    try {
      const owner = world.contact('群主', 'wxid_owner')
      const marketer = world.contact('推广员', 'wxid_promo')
      const room = world.room('亲子群', { owner, members: [marketer], id: 'cloud-room@chatroom' })
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: events.url,
          MessageBody: '{ poison',
          MessageGroupId: 'poison-room',
          MessageDeduplicationId: 'poison-1',
        }),
      )
      for (const text of ['加微信 1', '加微信 2', '加 微 信 3']) await world.say(marketer, room, text)
      await relay.idle()

      // The "Lambda" runs until the inbound queue is empty; the relay carries actions out.
      for (let i = 0; i < 20; i++) {
        const { received } = await pollOnce(sqs, events.url, (e, c) => ingestBatch(deps, e, c))
        await world.settle(50)
        await relay.idle()
        if (received === 0 && world.removed(room).length > 0) break
      }
      expect(world.said(room).filter((t) => t.includes('提醒'))).toHaveLength(2)
      expect(world.removed(room)).toEqual([marketer.id])
      expect((await store.listDecisions({ room: room.id })).map((d) => d.action)).toEqual(['warn', 'warn', 'remove'])

      const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, MaxNumberOfMessages: 10 }))
      expect(dead.Messages?.map((m) => m.Body)).toEqual(['{ poison'])
    } finally {
      await relay.stop()
      await world.stop()
    }
  })
})
