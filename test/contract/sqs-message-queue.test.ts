/** SqsMessageQueue against fauxqs, an SQS-compatible server run in the test process on loopback. */
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs'
import { type FauxqsServer, startFauxqs } from 'fauxqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SqsMessageQueue } from '../../functions/adapters/aws/sqs-message-queue.ts'
import { QueueError } from '../../functions/ports/message-queue.port.ts'

let server: FauxqsServer
let client: SQSClient
let n = 0

beforeAll(async () => {
  server = await startFauxqs({ port: 0, logger: false })
  client = new SQSClient({ endpoint: server.address, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
})
afterAll(async () => {
  client?.destroy()
  await server?.stop()
})

/** A FIFO queue with a dead-letter queue after `maxReceiveCount` receives. */
async function fifoWithDlq(maxReceiveCount = 2) {
  const name = `q${++n}`
  const dlq = await client.send(new CreateQueueCommand({ QueueName: `${name}-dlq.fifo`, Attributes: { FifoQueue: 'true' } }))
  const dlqArn = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
  const main = await client.send(
    new CreateQueueCommand({
      QueueName: `${name}.fifo`,
      Attributes: {
        FifoQueue: 'true',
        VisibilityTimeout: '1',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn.Attributes?.QueueArn, maxReceiveCount }),
      },
    }),
  )
  return {
    queue: new SqsMessageQueue<{ n: number }>({ client, queueUrl: main.QueueUrl ?? '' }),
    dlq: new SqsMessageQueue<{ n: number }>({ client, queueUrl: dlq.QueueUrl ?? '' }),
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('SqsMessageQueue (fauxqs)', () => {
  it('delivers one group in order and drops a duplicate send', async () => {
    const { queue } = await fifoWithDlq()
    for (const i of [1, 2, 3]) await queue.send({ group: 'room-a', dedupeId: `e${i}`, body: { n: i } })
    await queue.send({ group: 'room-a', dedupeId: 'e2', body: { n: 2 } })
    const got: number[] = []
    for (let tries = 0; tries < 10 && got.length < 3; tries++) {
      for (const m of await queue.receive({ max: 10 })) {
        got.push(m.body.n)
        await queue.ack(m)
      }
    }
    expect(got).toEqual([1, 2, 3])
    expect(await queue.receive()).toEqual([])
  })

  it('carries any text a WeChat message holds: emoji, characters beyond U+FFFF, U+FFFF', async () => {
    const { queue } = await fifoWithDlq()
    const texts = ['好的👌', '𠀀 and \\👌 \\u0041', 'odd \uffff end', '\u0007 bell']
    await queue.sendMany(texts.map((text, i) => ({ group: 'room-e', dedupeId: `t${i}`, body: { n: i, text } as never })))
    const got: string[] = []
    for (let tries = 0; tries < 10 && got.length < texts.length; tries++)
      for (const m of await queue.receive({ max: 10 })) {
        got.push((m.body as unknown as { text: string }).text)
        await queue.ack(m)
      }
    expect(got).toEqual(texts)
  })

  it('sends many at once, ten to a request, in order, dropping repeats', async () => {
    const { queue } = await fifoWithDlq()
    const requests = Array.from({ length: 23 }, (_, i) => ({ group: 'room-a', dedupeId: `m${i}`, body: { n: i } }))
    expect(await queue.sendMany([...requests, requests[5] as (typeof requests)[number]])).toEqual([])
    const got: number[] = []
    for (let tries = 0; tries < 60 && got.length < 23; tries++) {
      for (const m of await queue.receive({ max: 10 })) {
        got.push(m.body.n)
        await queue.ack(m)
      }
    }
    expect(got).toEqual(requests.map((r) => r.body.n))
    expect(await queue.receive()).toEqual([])
  })

  it('holds back the rest of a group while one message is in flight', async () => {
    const { queue } = await fifoWithDlq()
    await queue.send({ group: 'room-a', dedupeId: 'a1', body: { n: 1 } })
    await queue.send({ group: 'room-a', dedupeId: 'a2', body: { n: 2 } })
    await queue.send({ group: 'room-b', dedupeId: 'b1', body: { n: 10 } })
    const first = await queue.receive({ max: 1 })
    expect(first.map((m) => m.body.n)).toEqual([1])
    const others = await queue.receive({ max: 10 })
    expect(others.map((m) => m.body.n)).toEqual([10])
  })

  it('gives an unacknowledged message back after the visibility timeout', async () => {
    const { queue } = await fifoWithDlq(5)
    await queue.send({ group: 'g', dedupeId: 'v1', body: { n: 1 } })
    const [m] = await queue.receive()
    expect(m?.receiveCount).toBe(1)
    expect(await queue.receive()).toEqual([])
    await sleep(1200)
    const [again] = await queue.receive()
    expect(again?.body).toEqual({ n: 1 })
    expect(again?.receiveCount).toBe(2)
  })

  it('moves a message that keeps failing to the dead-letter queue', async () => {
    const { queue, dlq } = await fifoWithDlq(2)
    await queue.send({ group: 'g', dedupeId: 'poison', body: { n: 666 } })
    for (let i = 0; i < 2; i++) {
      const [m] = await queue.receive()
      expect(m?.body.n).toBe(666)
      await queue.release(m!)
    }
    expect(await queue.receive()).toEqual([])
    const dead = await dlq.receive()
    expect(dead.map((m) => m.body.n)).toEqual([666])
  })

  it('refuses a body over 256 KiB and a queue that is not FIFO', async () => {
    const { queue } = await fifoWithDlq()
    await expect(queue.send({ group: 'g', dedupeId: 'big', body: { n: 1, pad: 'x'.repeat(300_000) } as { n: number } })).rejects.toThrow(
      /at most 262144/,
    )
    expect(() => new SqsMessageQueue({ client, queueUrl: 'http://localhost/q' })).toThrow(QueueError)
  })
})
