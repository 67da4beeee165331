/**
 * The AWS shape on loopback: bot host (Wechaty on wechaty-puppet-mock, QunGuardRelay) → inbound
 * FIFO queue (fauxqs) → a local poller invoking the real handlers (ingest → moderate →
 * approvals) → DynamoDB Local → action queue → the bot host carries the action out.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs'
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { QunGuardRelay } from '../../bot-host/cloud-relay.ts'
import { MockWorld } from '../../bot-host/mock-world.ts'
import { DynamoDbApprovalStore } from '../../functions/adapters/aws/dynamodb-approval-store.ts'
import { DynamoDbGuardStore } from '../../functions/adapters/aws/dynamodb-guard-store.ts'
import { SqsMessageQueue } from '../../functions/adapters/aws/sqs-message-queue.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import type { GroupEvent } from '../../functions/domain/events.ts'
import { Guard } from '../../functions/domain/guard.ts'
import { approvalsBatch } from '../../functions/handlers/approvals.ts'
import { ingestBatch } from '../../functions/handlers/ingest.ts'
import { moderateBatch } from '../../functions/handlers/moderate.ts'
import type { ActionRequest } from '../../functions/ports/action-executor.port.ts'
import { dynamoDbLocalUnavailable } from '../helpers/dynamodb-local.ts'
import { pollOnce } from '../helpers/local-lambda-poller.ts'
import { useLoopbackAws } from '../helpers/loopback-aws.ts'

const unavailable = dynamoDbLocalUnavailable()
if (unavailable && process.env.CI) throw new Error(`DynamoDB Local is needed in CI: ${unavailable}`)

const CONFIG = `
groups:
  "*":
    rules:
      - id: no-ads
        any: ["加微信"]
  "shadow-room@chatroom":
    mode: shadow
`

describe.skipIf(unavailable !== undefined)('bot host → SQS → Lambda handlers → DynamoDB → actions → bot host', () => {
  const aws = useLoopbackAws()

  async function fifo(name: string, dlqArn?: string) {
    const Attributes: Record<string, string> = { FifoQueue: 'true' }
    if (dlqArn) Attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 })
    const url = (await aws.sqs.send(new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes }))).QueueUrl ?? ''
    const arn =
      (await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn ?? ''
    return { url, arn }
  }

  it('removes a marketer on the third ad, asks the owner about a shadow rule and acts on Y<n>, and dead-letters a poison message', async () => {
    const dlq = await fifo('events-dlq')
    const events = await fifo('events', dlq.arn)
    const [moderate, approvals, vision, actions] = await Promise.all(['moderate', 'approvals', 'vision', 'actions'].map((n) => fifo(n)))
    const table = await aws.ddb.createTable()
    const store = new DynamoDbGuardStore({ client: aws.ddb.client, table })
    const guard = new Guard({ store, config: parseConfig(YAML.parse(CONFIG)) })
    const q = <T>(url: string) => new SqsMessageQueue<T>({ client: aws.sqs, queueUrl: url })
    const actionQueue = q<ActionRequest>(actions!.url)
    // The "Lambda functions": each queue's consumer, invoked by a small local poller.
    const consumers: [string, (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>][] = [
      [
        events.url,
        (e, c) =>
          ingestBatch(
            {
              guard,
              store,
              judge: { guard, actions: actionQueue, approvals: q(approvals!.url) },
              vision: q(vision!.url),
              approvals: q(approvals!.url),
            },
            e,
            c,
          ),
      ],
      [moderate!.url, (e, c) => moderateBatch({ guard, actions: actionQueue, approvals: q(approvals!.url) }, e, c)],
      [
        approvals!.url,
        (e, c) =>
          approvalsBatch(
            {
              approvals: new DynamoDbApprovalStore({ client: aws.ddb.client, table }),
              actions: actionQueue,
              rooms: store,
              config: parseConfig(YAML.parse(CONFIG)),
            },
            e,
            c,
          ),
      ],
    ]

    const relay = QunGuardRelay({ events: q<GroupEvent>(events.url), actions: actionQueue, waitSeconds: 0 })
    const world = await MockWorld.start({ plugins: [relay] })
    const runLambdas = async (until: () => boolean) => {
      for (let i = 0; i < 30; i++) {
        let received = 0
        for (const [url, handler] of consumers) received += (await pollOnce(aws.sqs, url, handler)).received
        await world.settle(50)
        await relay.idle()
        if (received === 0 && until()) return
      }
    }
    try {
      const owner = world.contact('群主', 'wxid_owner')
      const marketer = world.contact('推广员', 'wxid_promo')
      const room = world.room('亲子群', { owner, members: [marketer], id: 'cloud-room@chatroom' })
      const trial = world.room('试运行群', { owner, members: [marketer], id: 'shadow-room@chatroom' })
      await aws.sqs.send(
        new SendMessageCommand({
          QueueUrl: events.url,
          MessageBody: '{ poison',
          MessageGroupId: 'poison-room',
          MessageDeduplicationId: 'poison-1',
        }),
      )
      for (const text of ['加微信 1', '加微信 2', '加 微 信 3']) await world.say(marketer, room, text)
      await world.say(marketer, trial, '加微信 试试')
      await relay.idle()
      await runLambdas(() => world.removed(room).length > 0 && world.said(owner).length > 0)

      expect(world.said(room).filter((t) => t.includes('提醒'))).toHaveLength(2)
      expect(world.removed(room)).toEqual([marketer.id])
      expect((await store.listDecisions({ room: room.id })).map((d) => d.action)).toEqual(['warn', 'warn', 'remove'])

      // The shadow room: nothing happened in the group; the owner was asked privately.
      expect(world.said(trial)).toEqual([])
      // The active room's decisions were numbered too (kept for review in the next digest), so the
      // request's number depends on the order the rooms were judged in.
      const [ask] = world.said(owner)
      const n = /审批 #(\d+)/.exec(ask ?? '')?.[1]
      expect(n).toBeDefined()
      expect(ask).toContain('试运行群')

      await world.say(owner, world.self, `Y${n}`)
      await relay.idle()
      await runLambdas(() => world.said(trial).length > 0)
      expect(world.said(trial)).toEqual([expect.stringContaining('第 1 次提醒')])
      expect(world.said(owner).at(-1)).toContain(`已同意 #${n}`)

      const dead = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, MaxNumberOfMessages: 10 }))
      expect(dead.Messages?.map((m) => m.Body)).toEqual(['{ poison'])
    } finally {
      await relay.stop()
      await world.stop()
    }
  })
})
