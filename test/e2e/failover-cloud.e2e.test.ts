/**
 * Failover on the cloud-shaped path: two bot hosts (QunGuardRelay + Heartbeat, one account each,
 * both in the same group) → fauxqs → the real ingest handler → DynamoDB Local → one action queue.
 * One account is killed mid-flood: every pending action is carried out by the other once the
 * registry counts the first dead (three missed beats), none twice; restarted, it takes actions
 * again without repeating any.
 */
import { CreateQueueCommand } from '@aws-sdk/client-sqs'
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { QunGuardRelay } from '../../bot-host/cloud-relay.ts'
import { Heartbeat } from '../../bot-host/heartbeat.ts'
import { MockFleet } from '../../bot-host/mock-fleet.ts'
import { DynamoDbBotRegistry } from '../../functions/adapters/aws/dynamodb-bot-registry.ts'
import { DynamoDbGuardStore } from '../../functions/adapters/aws/dynamodb-guard-store.ts'
import { SqsMessageQueue } from '../../functions/adapters/aws/sqs-message-queue.ts'
import type { GroupEvent } from '../../functions/domain/events.ts'
import { Guard } from '../../functions/domain/guard.ts'
import { ingestBatch } from '../../functions/handlers/ingest.ts'
import type { ActionRequest } from '../../functions/ports/action-executor.port.ts'
import { dynamoDbLocalUnavailable } from '../helpers/dynamodb-local.ts'
import { pollOnce } from '../helpers/local-lambda-poller.ts'
import { useLoopbackAws } from '../helpers/loopback-aws.ts'
import { warnThenRemove } from '../helpers/warn-then-remove.ts'

const unavailable = dynamoDbLocalUnavailable()
if (unavailable && process.env.CI) throw new Error(`DynamoDB Local is needed in CI: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('two bot hosts in one group on the cloud-shaped path', () => {
  const aws = useLoopbackAws()

  it('killed mid-flood: the other carries out every pending action within three beats, none twice; restarted, it repeats nothing', async () => {
    const fifo = async (name: string) =>
      (
        await aws.sqs.send(
          new CreateQueueCommand({ QueueName: `fo-${name}.fifo`, Attributes: { FifoQueue: 'true', VisibilityTimeout: '5' } }),
        )
      ).QueueUrl ?? ''
    const [eventsUrl, actionsUrl, approvalsUrl, visionUrl] = await Promise.all(['events', 'actions', 'approvals', 'vision'].map(fifo))
    const q = <T>(url: string) => new SqsMessageQueue<T>({ client: aws.sqs, queueUrl: url })
    const table = await aws.ddb.createTable()
    const store = new DynamoDbGuardStore({ client: aws.ddb.client, table })
    const guard = new Guard({ store, config: warnThenRemove() })
    const registry = new DynamoDbBotRegistry({ client: aws.ddb.client, table })
    const actions = q<ActionRequest>(actionsUrl as string)
    const ingest = (e: SQSEvent, c: Context): Promise<SQSBatchResponse> =>
      ingestBatch(
        {
          guard,
          store,
          judge: { guard, actions, approvals: q(approvalsUrl as string) },
          vision: q(visionUrl as string),
          approvals: q(approvalsUrl as string),
        },
        e,
        c,
      )
    const routing = { registry, heartbeatSeconds: 1 }
    const relays = [0, 1].map(() =>
      QunGuardRelay({
        events: q<GroupEvent>(eventsUrl as string),
        actions,
        waitSeconds: 0,
        giveBackPauseMs: 50,
        routing,
        onError: () => {},
      }),
    )
    const beats = [0, 1].map(() => Heartbeat({ registry, intervalSeconds: 1, onError: () => {} }))
    const fleet = await MockFleet.start({
      accounts: [
        { name: '守卫甲', id: 'wxid_guard_a' },
        { name: '守卫乙', id: 'wxid_guard_b' },
      ],
      pluginsFor: (i) => [relays[i], beats[i]].filter((p) => p !== undefined),
    })
    /** Runs the "Lambda" on the events queue (the relays poll the action queue themselves) until `until` holds, at most `ms`. */
    const settled = async (until: () => boolean, ms = 60_000) => {
      const deadline = Date.now() + ms
      while (Date.now() < deadline) {
        await Promise.all(relays.map((r) => r.idle()))
        const { received } = await pollOnce(aws.sqs, eventsUrl as string, ingest)
        if (received > 0) continue
        if (until()) return
        await fleet.settle(50)
      }
    }
    try {
      const owner = fleet.contact('王姐', 'wxid_owner')
      const room = fleet.room('亲子群', { owner, members: [], id: 'failover@chatroom' })
      const marketers = Array.from({ length: 8 }, (_, i) => fleet.contact(`营销号${i + 1}`, `wxid_ad_${i + 1}`))
      for (const m of marketers) await fleet.join(room, m, owner)
      await Promise.all(beats.map((b) => b.beat()))
      for (const [i, m] of marketers.entries()) {
        if (i === 4) await fleet.kill(0)
        await fleet.say(m, room, `加微信 优惠 ${i}`)
        await fleet.say(m, room, `加微信 返现 ${i}`)
        await settled(() => true, 300)
      }
      await settled(() => fleet.removed(room).length >= 8 && fleet.said(room).length >= 8)
      const removed = fleet.removed(room)
      expect(removed.map((r) => r.member).sort()).toEqual(marketers.map((m) => m.id).sort())
      expect(removed.filter((r) => r.by === 'wxid_guard_b').length).toBeGreaterThanOrEqual(4)
      expect(fleet.said(room)).toHaveLength(8)
      const decided = (await store.listDecisions({ room: room.id })).filter((d) => d.mode === 'active')
      expect(decided).toHaveLength(16)

      // Restarted: a beats again and takes its share; nothing done before is done again.
      await fleet.restart(0)
      await Promise.all(beats.map((b) => b.beat()))
      const late = fleet.contact('迟到的营销号', 'wxid_ad_late')
      await fleet.join(room, late, owner)
      await fleet.say(late, room, '加微信')
      await fleet.say(late, room, '加微信 再来')
      await settled(() => fleet.removed(room).length >= 9)
      await fleet.settle(500)
      expect(
        fleet
          .removed(room)
          .map((r) => r.member)
          .sort(),
      ).toEqual([...marketers.map((m) => m.id), late.id].sort())
      expect(fleet.said(room)).toHaveLength(9)
    } finally {
      for (const b of beats) b.stop()
      await Promise.all(relays.map((r) => r.stop()))
      await fleet.stop()
    }
  }, 120_000)
})
