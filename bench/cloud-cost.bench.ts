/**
 * `npm run bench:cloud` — what the AWS pipeline does per group message, measured on local
 * AWS-compatible servers (DynamoDB Local, fauxqs), and what a million messages would cost.
 * Prints figures and the arithmetic; asserts nothing.
 *
 * A generated multi-group history (../shared/bench/gen-group-history.mjs) goes through the
 * real ingest and moderate handlers in SQS-sized batches of 10, moderate scoring every text with
 * the in-process ad classifier (trained on 20,000 lines of a labelled corpus). Every DynamoDB call asks for
 * ReturnConsumedCapacity, so the read and write units are DynamoDB's own count; every SQS send
 * is counted; each invocation is timed. Durations are measured on loopback servers, which is
 * faster than in-region network calls: the estimate therefore also adds a stated per-call
 * latency. Prices are us-east-1 list prices written below — check them for your region.
 *
 * usage: npm run bench:cloud -- [--seed 1] [--rooms 8] [--volume 2] [--shared ../shared] [--call-ms 4] [--rate 50] [--rulebook]
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs'
import { startFauxqs } from 'fauxqs'
import YAML from 'yaml'
import { SendBatcher } from '../bot-host/send-batcher.ts'
import { DynamoDbFactsStore } from '../functions/adapters/aws/dynamodb-facts-store.ts'
import { DynamoDbGuardStore } from '../functions/adapters/aws/dynamodb-guard-store.ts'
import { SqsMessageQueue } from '../functions/adapters/aws/sqs-message-queue.ts'
import { readHistory } from '../functions/adapters/local/jsonl-history.ts'
import { SpillingQueue } from '../functions/adapters/local/spilling-queue.ts'
import { MemoryEventInbox } from '../functions/adapters/memory/memory-event-inbox.ts'
import { AdClassifier, type LabelledText } from '../functions/domain/ad-classifier.ts'
import { parseConfig } from '../functions/domain/config.ts'
import { type GroupEvent, toMillis } from '../functions/domain/events.ts'
import { Guard } from '../functions/domain/guard.ts'
import { learnFromHistory } from '../functions/domain/learning/relearn.ts'
import type { LearnedPolicy } from '../functions/domain/learning/rule-learner.ts'
import { ingestBatch } from '../functions/handlers/ingest.ts'
import { moderateBatch } from '../functions/handlers/moderate.ts'
import type { MessageQueue } from '../functions/ports/message-queue.port.ts'
import { dynamoDbLocalUnavailable, startDynamoDbLocal } from '../test/helpers/dynamodb-local.ts'
import { lambdaContext, sqsEvent, sqsRecord } from '../test/helpers/lambda.ts'
import { generateHistory } from './history.ts'

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    rooms: { type: 'string', default: '8' },
    volume: { type: 'string', default: '2' },
    shared: { type: 'string', default: path.resolve(import.meta.dirname, '../../shared') },
    'call-ms': { type: 'string', default: '4' },
    /** Messages per second the bot host receives, for its batched sends (the load goal of the project). */
    rate: { type: 'string', default: '50' },
    /** Judge with a rulebook learned from the history's training part (its memory of members in DynamoDB too). */
    rulebook: { type: 'boolean', default: false },
  },
})

/** us-east-1 list prices used for the estimate (USD). */
const PRICE = {
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  sqsFifoRequest: 0.5 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  logsIngestGb: 0.5,
  textractPage: 1.5 / 1000,
  rekognitionImage: 1.0 / 1000,
}
const LAMBDA_GB = 0.5 // memorySize 512 of ingest and moderate
const LOG_BYTES_PER_INVOCATION = 350 // START/END/REPORT lines written by Lambda itself
const LOG_BYTES_PER_DECISION = 300 // the moderate function's INFO line per decision

const CONFIG = `
groups:
  "*":
    rules:
      - id: ads
        any: ["加微信", "加我微信", "代购", "兼职", "日赚", "返利", "刷单", "优惠券", "vx", "威信", "砍一刀", "助力"]
      - id: newcomer-links
        types: [link, miniprogram]
        newcomerHours: 24
        action: alert-owner
`

interface Meter {
  calls: Record<string, number>
  readUnits: number
  writeUnits: number
  /** Billed SQS send requests (one per 64 KiB of a send's payload) and the messages they carried. */
  sendRequests: number
  sentMessages: number
}

/**
 * The relay's send path (a SpillingQueue lane per room, each event sent through one SendBatcher)
 * on events arriving at `rate` per second, `speedup` times faster: billed requests per event.
 */
async function botHostSends(
  events: readonly GroupEvent[],
  rate: number,
  speedup: number,
): Promise<{ requestsPerEvent: number; events: number }> {
  let requests = 0
  const counting = {
    sendMany: async (reqs: readonly { body: unknown }[]) => {
      const bytes = reqs.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r.body)), 0)
      requests += Math.max(1, Math.ceil(bytes / 65_536))
      return []
    },
  } as unknown as MessageQueue<GroupEvent>
  const batcher = new SendBatcher(counting, { waitMs: 100 / speedup })
  const lanes = new SpillingQueue({
    inbox: new MemoryEventInbox(),
    onError: (e) => console.error(e.message),
    handle: (e) => batcher.send({ group: 'room' in e ? e.room : e.kind, dedupeId: e.id, body: e }),
  })
  const gapMs = 1000 / rate / speedup
  const t0 = performance.now()
  for (const [i, e] of events.entries()) {
    const due = t0 + i * gapMs
    const wait = due - performance.now()
    if (wait > 1) await new Promise((r) => setTimeout(r, wait))
    lanes.put('room' in e ? e.room : e.kind, e)
  }
  await lanes.idle()
  return { requestsPerEvent: requests / events.length, events: events.length }
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0

async function main() {
  const why = dynamoDbLocalUnavailable()
  if (why) {
    console.error(`bench:cloud needs DynamoDB Local: ${why}`)
    process.exit(2)
  }
  const dir = generateHistory('bench:cloud', args)
  const events: GroupEvent[] = []
  for await (const row of readHistory(path.join(dir, 'test.jsonl'))) if (row.event && row.event.kind !== 'private') events.push(row.event)
  events.sort((a, b) => toMillis(a.ts) - toMillis(b.ts))

  const [ddb, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs({ port: 0, logger: false })])
  const meter: Meter = { calls: {}, readUnits: 0, writeUnits: 0, sendRequests: 0, sentMessages: 0 }
  try {
    // Count every DynamoDB call and the capacity DynamoDB says it consumed.
    ddb.client.middlewareStack.add(
      (next, context) => async (a) => {
        const input = a.input as Record<string, unknown>
        input.ReturnConsumedCapacity = 'TOTAL'
        const out = await next(a)
        const name = String(context.commandName)
        meter.calls[name] = (meter.calls[name] ?? 0) + 1
        const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity
        for (const c of [consumed].flat() as { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number }[]) {
          if (!c) continue
          const writes = c.WriteCapacityUnits ?? (/Put|Update|Delete|Write/.test(name) ? (c.CapacityUnits ?? 0) : 0)
          meter.writeUnits += writes
          meter.readUnits += c.ReadCapacityUnits ?? (writes ? 0 : (c.CapacityUnits ?? 0))
        }
        return out
      },
      { step: 'initialize', name: 'countCapacity' },
    )
    const sqs = new SQSClient({
      endpoint: fauxqs.address,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
    sqs.middlewareStack.add(
      (next, context) => async (a) => {
        const name = `SQS ${String(context.commandName)}`
        meter.calls[name] = (meter.calls[name] ?? 0) + 1
        // SQS bills a request per 64 KiB of its payload: a batch of small messages is one request.
        const input = a.input as { MessageBody?: string; Entries?: { MessageBody?: string }[] }
        if (name === 'SQS SendMessageCommand' || name === 'SQS SendMessageBatchCommand') {
          const bytes = [input.MessageBody ?? '', ...(input.Entries ?? []).map((e) => e.MessageBody ?? '')].reduce(
            (n, b) => n + Buffer.byteLength(b),
            0,
          )
          meter.sendRequests += Math.max(1, Math.ceil(bytes / 65_536))
          meter.sentMessages += input.Entries?.length ?? 1
        }
        return next(a)
      },
      { step: 'initialize', name: 'countSqs' },
    )
    const url = async (name: string) =>
      (await sqs.send(new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes: { FifoQueue: 'true' } }))).QueueUrl ?? ''
    const q = async <T>(name: string) => new SqsMessageQueue<T>({ client: sqs, queueUrl: await url(name) })
    // As deployed (aws-clients.ts): the account and rooms kept a minute per container.
    const table = await ddb.createTable()
    const store = new DynamoDbGuardStore({ client: ddb.client, table, cacheMs: 60_000 })
    const config = parseConfig(YAML.parse(CONFIG))
    let learned: { policy: LearnedPolicy; facts: DynamoDbFactsStore } | undefined
    if (args.rulebook) {
      const train: GroupEvent[] = []
      for await (const row of readHistory(path.join(dir, 'train.jsonl'))) if (row.event) train.push(row.event)
      const policy = learnFromHistory(train, config)
      learned = { policy, facts: new DynamoDbFactsStore({ client: ddb.client, table }) }
      const rules = Object.values(policy.rooms).flatMap((r) => r.rules)
      console.log(`rulebook learned from the training part: ${rules.length} rules (${[...new Set(rules.map((r) => r.what))].join(', ')})`)
    }
    const guard = new Guard({ store, config, classifierRule: { threshold: 0.9, action: 'warn' }, learned })
    const moderateQueue = await q<{ event: GroupEvent }>('moderate')
    const ingestDeps = {
      guard,
      store,
      moderate: moderateQueue as never,
      vision: (await q('vision')) as never,
      approvals: (await q('approvals')) as never,
    }
    // moderate scores every text with the in-process classifier, as deployed (trained here on a labelled corpus).
    const corpus = fs
      .readFileSync(path.join(args.shared, 'data/text/zh-sms-80w.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .slice(0, 20_000)
      .map((l) => JSON.parse(l) as LabelledText)
    const classifier = AdClassifier.train(corpus)
    const moderateDeps = { guard, classifier, actions: (await q('actions')) as never, approvals: ingestDeps.approvals }
    meter.calls = {}
    meter.readUnits = 0
    meter.writeUnits = 0
    meter.sendRequests = 0
    meter.sentMessages = 0

    const ingestMs: number[] = []
    const moderateMs: number[] = []
    const silence = console.info
    console.info = () => {}
    let messages = 0
    let images = 0
    let decisions = 0
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10)
      for (const e of batch) if (e.kind === 'message') e.type === 'image' && e.media ? images++ : messages++
      let t0 = performance.now()
      await ingestBatch(
        ingestDeps,
        sqsEvent(batch.map((e) => sqsRecord(JSON.stringify(e), 'room' in e ? e.room : e.kind))),
        lambdaContext('ingest'),
      )
      ingestMs.push(performance.now() - t0)
      const forwarded = (await moderateQueue.receive({ max: 10 })).concat(await moderateQueue.receive({ max: 10 }))
      for (const m of forwarded) await moderateQueue.ack(m)
      if (!forwarded.length) continue
      t0 = performance.now()
      const before = meter.sentMessages
      await moderateBatch(moderateDeps, sqsEvent(forwarded.map((m) => sqsRecord(JSON.stringify(m.body), 'g'))), lambdaContext('moderate'))
      moderateMs.push(performance.now() - t0)
      decisions += meter.sentMessages - before
    }
    console.info = silence

    const callMs = Number(args['call-ms'])
    const total = messages + images
    const perMessage = (n: number) => n / total
    const ddbCalls = Object.entries(meter.calls)
      .filter(([k]) => !k.startsWith('SQS'))
      .reduce((s, [, n]) => s + n, 0)
    const sends = meter.sendRequests
    const invocations = ingestMs.length + moderateMs.length
    const measuredMs = ingestMs.reduce((s, x) => s + x, 0) + moderateMs.reduce((s, x) => s + x, 0)
    // In region each AWS call costs about callMs more than on loopback: add that, per call.
    const estimatedMs = measuredMs + (ddbCalls + sends) * callMs

    console.log(
      `AWS pipeline per group message (ingest + moderate on DynamoDB Local and fauxqs), seed ${args.seed}, ${args.rooms} rooms, volume ${args.volume}${learned ? ', with a learned rulebook' : ''}`,
    )
    console.log(
      `  events ${events.length}: ${messages} text-like messages, ${images} pictures (routed to vision, not run here), ${decisions} outgoing sends by moderate`,
    )
    console.log(`  invocations      ingest ${ingestMs.length}, moderate ${moderateMs.length} (batches of up to 10)`)
    console.log(`  ingest batch     p50 ${quantile(ingestMs, 0.5).toFixed(1)} ms, p90 ${quantile(ingestMs, 0.9).toFixed(1)} ms`)
    console.log(`  moderate batch   p50 ${quantile(moderateMs, 0.5).toFixed(1)} ms, p90 ${quantile(moderateMs, 0.9).toFixed(1)} ms`)
    console.log(
      `  DynamoDB calls   ${perMessage(ddbCalls).toFixed(2)} per message: ${JSON.stringify(Object.fromEntries(Object.entries(meter.calls).filter(([k]) => !k.startsWith('SQS'))))}`,
    )
    console.log(
      `  DynamoDB units   ${perMessage(meter.writeUnits).toFixed(2)} write, ${perMessage(meter.readUnits).toFixed(2)} read per message (ReturnConsumedCapacity)`,
    )
    console.log(
      `  SQS sends        ${perMessage(meter.sentMessages).toFixed(2)} messages, ${perMessage(sends).toFixed(2)} billed requests per message (ingest → moderate/vision batched per invocation, moderate → actions/approvals)`,
    )

    // The bot host's sends to the events queue: the relay's own lanes and SendBatcher on the
    // history's event order, arriving at --rate messages/s. Run ten times faster (arrivals and
    // the batch window both divided by ten) so it takes seconds; the batches depend only on
    // arrivals per window.
    const rate = Number(args.rate)
    const botHost = await botHostSends(events.slice(0, 3000), rate, 10)

    const M = 1e6
    const scale = M / total
    const lambdaGbS = (estimatedMs / 1000) * LAMBDA_GB * scale
    // Bot host sends (batched) + function sends + the Lambda poller's receive and delete per batch + the bot host's receive and delete of actions.
    const sqsRequests = (total * botHost.requestsPerEvent + sends + (invocations + decisions / 10) * 2) * scale
    console.log(
      `  bot host sends   ${botHost.requestsPerEvent.toFixed(3)} requests per event (relay lanes + SendBatcher, 100 ms window, ${rate} msg/s, ${botHost.events} events of the history's order)`,
    )
    const logsGb = ((invocations * LOG_BYTES_PER_INVOCATION + decisions * LOG_BYTES_PER_DECISION) * scale) / 2 ** 30
    const lines: [string, string, number][] = [
      ['Lambda requests', `${Math.round(invocations * scale)} × $0.20/M`, invocations * scale * PRICE.lambdaRequest],
      [
        'Lambda compute',
        `${Math.round(lambdaGbS)} GB-s (measured ${measuredMs.toFixed(0)} ms + ${callMs} ms × ${ddbCalls + sends} calls, × ${LAMBDA_GB} GB) × $0.0000133334`,
        lambdaGbS * PRICE.lambdaArmGbSecond,
      ],
      ['SQS FIFO', `${Math.round(sqsRequests)} requests × $0.50/M`, sqsRequests * PRICE.sqsFifoRequest],
      ['DynamoDB writes', `${Math.round(meter.writeUnits * scale)} WRU × $0.625/M`, meter.writeUnits * scale * PRICE.dynamoWriteUnit],
      ['DynamoDB reads', `${Math.round(meter.readUnits * scale)} RRU × $0.125/M`, meter.readUnits * scale * PRICE.dynamoReadUnit],
      ['CloudWatch Logs', `${logsGb.toFixed(2)} GB × $0.50`, logsGb * PRICE.logsIngestGb],
    ]
    console.log(`per million group messages (text; pictures priced separately):`)
    for (const [what, how, usd] of lines) console.log(`  ${what.padEnd(16)} ${how.padEnd(90)} $${usd.toFixed(2)}`)
    console.log(`  ${'total'.padEnd(16)} ${''.padEnd(90)} $${lines.reduce((s, [, , u]) => s + u, 0).toFixed(2)}`)
    console.log(
      `per thousand pictures: Textract $${(1000 * PRICE.textractPage).toFixed(2)} + Rekognition 3 calls $${(3000 * PRICE.rekognitionImage).toFixed(2)}`,
    )
    sqs.destroy()
  } finally {
    await Promise.all([ddb.stop(), fauxqs.stop()])
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

await main()
