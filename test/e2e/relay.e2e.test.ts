/**
 * The cloud relay (the bot host of the AWS deployment) on fauxqs:
 * - pictures travel through S3, never inside SQS messages: the relay uploads an image message's
 *   picture to the media bucket and the event on the inbound queue names its key;
 * - several bot accounts share one action queue: each carries out only its rooms' actions.
 */

import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs'
import { type FauxqsServer, startFauxqs } from 'fauxqs'
import { FileBox } from 'file-box'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QunGuardRelay } from '../../bot-host/cloud-relay.ts'
import { MockWorld } from '../../bot-host/mock-world.ts'
import { S3MediaStore } from '../../functions/adapters/aws/s3-media-store.ts'
import { SqsMessageQueue } from '../../functions/adapters/aws/sqs-message-queue.ts'
import { MemoryBotRegistry } from '../../functions/adapters/memory/memory-bot-registry.ts'
import type { GroupEvent, MessageEvent } from '../../functions/domain/events.ts'
import type { ActionRequest } from '../../functions/ports/action-executor.port.ts'

let fauxqs: FauxqsServer
let sqs: SQSClient
let s3: S3Client
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' }

beforeAll(async () => {
  fauxqs = await startFauxqs({ port: 0, logger: false })
  sqs = new SQSClient({ endpoint: fauxqs.address, region: 'us-east-1', credentials })
  s3 = new S3Client({ endpoint: fauxqs.address, region: 'us-east-1', credentials, forcePathStyle: true })
  await s3.send(new CreateBucketCommand({ Bucket: 'media' }))
})
afterAll(async () => {
  sqs?.destroy()
  s3?.destroy()
  await fauxqs?.stop()
})

describe('QunGuardRelay with a media store', () => {
  it('uploads pictures to S3 and sends only their key; refuses pictures over the size limit', async () => {
    const queue = async (name: string) =>
      (await sqs.send(new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes: { FifoQueue: 'true' } }))).QueueUrl ?? ''
    const events = new SqsMessageQueue<GroupEvent>({ client: sqs, queueUrl: await queue('media-events') })
    const media = new S3MediaStore({ client: s3, bucket: 'media' })
    const errors: string[] = []
    const relay = QunGuardRelay({
      events,
      actions: new SqsMessageQueue<ActionRequest>({ client: sqs, queueUrl: await queue('media-actions') }),
      media,
      maxMediaBytes: 1000,
      waitSeconds: 0,
      onError: (e) => errors.push(e.message),
    })
    const world = await MockWorld.start({ plugins: [relay] })
    try {
      const member = world.contact('成员', 'wxid_m')
      const room = world.room('图片群', { owner: world.contact('群主', 'wxid_owner'), members: [member], id: 'pics@chatroom' })
      const small = Buffer.from('a small picture, as bytes')
      member.say(FileBox.fromBase64(small.toString('base64'), 'qr.png')).to(room)
      await world.settle(100)
      member.say(FileBox.fromBase64(Buffer.alloc(5000, 1).toString('base64'), 'big.jpg')).to(room)
      await world.settle(100)
      await relay.idle()

      const sent: MessageEvent[] = []
      for (let i = 0; i < 5; i++) {
        for (const m of await events.receive({ max: 10 })) {
          if (m.body.kind === 'message') sent.push(m.body)
          await events.ack(m)
        }
      }
      expect(sent.map((e) => e.type)).toEqual(['image', 'image'])
      const [first, second] = sent
      expect(first?.media).toMatch(/^media\/pics@chatroom\/.+\.png$/)
      expect(Buffer.from((await media.get(first?.media ?? '')) ?? [])).toEqual(small)
      expect(second?.media).toBeUndefined()
      expect(errors).toEqual([expect.stringContaining('over the 1000-byte limit')])
    } finally {
      await relay.stop()
      await world.stop()
    }
  })
})

describe('QunGuardRelay with two bot accounts on one action queue', () => {
  /** An events and an action FIFO queue of their own for a test. */
  const queues = async (prefix: string) => {
    const url = async (name: string) =>
      (await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-${name}.fifo`, Attributes: { FifoQueue: 'true' } }))).QueueUrl ?? ''
    return {
      events: new SqsMessageQueue<GroupEvent>({ client: sqs, queueUrl: await url('events') }),
      actions: new SqsMessageQueue<ActionRequest>({ client: sqs, queueUrl: await url('actions') }),
    }
  }
  /** An action request for the relays (what moderate sends). */
  const actionFor = (room: string, target: string, action: 'warn' | 'remove', text: string, ownerId: string) => ({
    decisionId: 1,
    decision: { event: 'm1', room, target, action, mode: 'active' as const, rule: 'r', score: 1, reason: '' },
    messageId: 'm1',
    text,
    ownerId,
  })

  it('carries each action out through the bot that is in the room', async () => {
    const { events, actions } = await queues('two-bots')
    const relayA = QunGuardRelay({ events, actions, waitSeconds: 0 })
    const relayB = QunGuardRelay({ events, actions, waitSeconds: 0 })
    // A alone first: the action is not for any room of A's, so A gives it back each time it sees it.
    const a = await MockWorld.start({ plugins: [relayA], botName: 'A' })
    let b: MockWorld | undefined
    try {
      a.room('A 的群', { owner: a.contact('群主A', 'wxid_a_owner'), members: [], id: 'only-a@chatroom' })
      await actions.send({
        group: 'only-b@chatroom',
        dedupeId: 'a1',
        body: actionFor('only-b@chatroom', 'wxid_b_member', 'warn', '请勿发广告', 'wxid_b_owner'),
      })
      await a.settle(300)
      expect(a.records.filter((r) => r.kind === 'say')).toEqual([])

      b = await MockWorld.start({ plugins: [relayB], botName: 'B' })
      const member = b.contact('成员', 'wxid_b_member')
      const roomB = b.room('B 的群', { owner: b.contact('群主', 'wxid_b_owner'), members: [member], id: 'only-b@chatroom' })
      for (let i = 0; i < 40 && b.said(roomB).length === 0; i++) await b.settle(50)
      expect(b.said(roomB)).toEqual(['@成员 请勿发广告'])
      expect(a.records.filter((r) => r.kind === 'say')).toEqual([])
    } finally {
      await Promise.all([relayA.stop(), relayB.stop()])
      await Promise.all([a.stop(), b?.stop()])
    }
  })

  it('with the registry, gives a removal to the bot in the room that can remove, not to the first that receives it', async () => {
    const { events, actions } = await queues('routed')
    const registry = new MemoryBotRegistry()
    const routing = { registry, heartbeatSeconds: 60 }
    const relayA = QunGuardRelay({ events, actions, waitSeconds: 0, giveBackPauseMs: 50, routing })
    const relayB = QunGuardRelay({ events, actions, waitSeconds: 0, giveBackPauseMs: 50, routing })
    const a = await MockWorld.start({ plugins: [relayA], botName: 'A' })
    const b = await MockWorld.start({ plugins: [relayB], botName: 'B' })
    try {
      // The same group seen by both accounts (one id in both worlds); only B's puppet can remove.
      const rooms = [a, b].map((w) =>
        w.room('共同的群', { owner: w.contact('群主', 'wxid_owner'), members: [w.contact('推广员', 'wxid_ad')], id: 'shared@chatroom' }),
      )
      const now = new Date().toISOString()
      await registry.beat({
        bot: a.self.id,
        lastBeat: now,
        rooms: ['shared@chatroom'],
        can: { remove: false, recall: false, invite: false },
      })
      await registry.beat({
        bot: b.self.id,
        lastBeat: now,
        rooms: ['shared@chatroom'],
        can: { remove: true, recall: false, invite: false },
      })
      await actions.send({
        group: 'shared@chatroom',
        dedupeId: 'rm1',
        body: actionFor('shared@chatroom', 'wxid_ad', 'remove', '', 'wxid_owner'),
      })
      for (let i = 0; i < 60 && b.removed(rooms[1] as never).length === 0; i++) await b.settle(50)
      expect(b.removed(rooms[1] as never)).toEqual(['wxid_ad'])
      expect(a.removed(rooms[0] as never)).toEqual([])
    } finally {
      await Promise.all([relayA.stop(), relayB.stop()])
      await Promise.all([a.stop(), b.stop()])
    }
  })

  it('with the registry, tells the owner by name what to do by hand when no live bot is in the group', async () => {
    const { events, actions } = await queues('stranded')
    const registry = new MemoryBotRegistry()
    const relay = QunGuardRelay({ events, actions, waitSeconds: 0, giveBackPauseMs: 50, routing: { registry, heartbeatSeconds: 60 } })
    const world = await MockWorld.start({ plugins: [relay], botName: 'A' })
    try {
      const owner = world.contact('王姐', 'wxid_owner')
      world.room('A 的群', { owner, members: [], id: 'only-a@chatroom' })
      await registry.beat({ bot: world.self.id, lastBeat: new Date().toISOString(), rooms: ['only-a@chatroom'] })
      await actions.send({
        group: 'nobody@chatroom',
        dedupeId: 'st1',
        body: { ...actionFor('nobody@chatroom', 'wxid_x', 'remove', '', 'wxid_owner'), names: { room: '无人看守的群', target: '推广员' } },
      })
      for (let i = 0; i < 200 && world.said(owner).length === 0; i++) await world.settle(50)
      const [told] = world.said(owner)
      expect(told).toContain('「无人看守的群」里现在没有在线的守卫账号')
      expect(told).toContain('对 推广员 移出群聊')
      await world.settle(300)
      expect(world.said(owner)).toHaveLength(1)
      expect(await actions.receive({ max: 10 })).toEqual([])
    } finally {
      await relay.stop()
      await world.stop()
    }
  }, 30_000)
})
