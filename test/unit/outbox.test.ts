/** The Outbox: a batch's sends go out together; a refused send fails its record and the rest of its group. */
import { describe, expect, it } from 'vitest'
import { fifoBatch, Outbox } from '../../functions/handlers/sqs-batch.ts'
import type { MessageQueue, SendRequest } from '../../functions/ports/message-queue.port.ts'
import { lambdaContext, sqsEvent, sqsRecord } from '../helpers/lambda.ts'
import { MemoryQueue } from '../helpers/memory-queue.ts'

/** A queue that refuses the sends whose body is in `refuse`, counting its requests. */
class Picky extends MemoryQueue<string> {
  calls = 0
  constructor(private readonly refuse: ReadonlySet<string>) {
    super()
  }
  override async sendMany(requests: readonly SendRequest<string>[]): Promise<number[]> {
    this.calls++
    const failed: number[] = []
    for (const [i, r] of requests.entries()) {
      if (this.refuse.has(r.body)) failed.push(i)
      else await this.send(r)
    }
    return failed
  }
}

const batch = (records: [string, string][]) => sqsEvent(records.map(([body, group]) => sqsRecord(body, group)))

async function run(queue: MessageQueue<string>, event: ReturnType<typeof batch>, fail: Set<string> = new Set()) {
  const outbox = new Outbox()
  const held = outbox.queue(queue)
  const r = await fifoBatch(event, lambdaContext(), (rec) =>
    outbox.during(rec.messageId, async () => {
      if (fail.has(rec.body)) throw new Error('handler failed')
      await held.send({ group: rec.attributes.MessageGroupId ?? '', dedupeId: rec.body, body: rec.body })
    }),
  )
  return outbox.flush(event, r)
}

describe('Outbox', () => {
  it('sends what every record held in one call, in order', async () => {
    const q = new Picky(new Set())
    const event = batch([
      ['a1', 'A'],
      ['b1', 'B'],
      ['a2', 'A'],
    ])
    expect(await run(q, event)).toEqual({ batchItemFailures: [] })
    expect(q.calls).toBe(1)
    expect(q.take()).toEqual(['a1', 'b1', 'a2'])
  })

  it('fails a record whose send was refused and the later records of its group, not other groups', async () => {
    const q = new Picky(new Set(['a2']))
    const event = batch([
      ['a1', 'A'],
      ['a2', 'A'],
      ['b1', 'B'],
      ['a3', 'A'],
    ])
    const ids = event.Records.map((r) => r.messageId)
    expect(await run(q, event)).toEqual({ batchItemFailures: [{ itemIdentifier: ids[1] }, { itemIdentifier: ids[3] }] })
    expect(q.take()).toEqual(['a1', 'b1', 'a3']) // a3 was sent: its retry is dropped as a repeat
  })

  it('does not send what a failed record held', async () => {
    const q = new Picky(new Set())
    const event = batch([
      ['a1', 'A'],
      ['b1', 'B'],
    ])
    const r = await run(q, event, new Set(['a1']))
    expect(r.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }])
    expect(q.take()).toEqual(['b1'])
  })
})
