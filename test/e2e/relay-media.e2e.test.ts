/**
 * Pictures travel through S3, never inside SQS messages: the relay uploads an image message's
 * picture to the media bucket (fauxqs S3) and the event on the inbound queue names its key.
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
