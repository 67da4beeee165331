/**
 * `npm run bench:cloud` — what the whole AWS deployment does per group message, measured on
 * local AWS-compatible servers (DynamoDB Local, fauxqs), and what a million messages would cost,
 * with the always-on part apart. Prints figures and the arithmetic; asserts nothing.
 *
 * A generated multi-group history (../shared/bench/gen-group-history.mjs) goes through every
 * function as deployed (each wrapped by `withPowertools`, so its logs and EMF metrics are
 * written): ingest and moderate in SQS-sized batches of 10 (moderate scoring every text with the
 * in-process ad classifier, trained on 20,000 lines of a labelled corpus); approvals on every
 * decision moderate sends it; vision on a sample of the history's pictures with the embedded
 * models (`-c vision=local`); the monitor every 10 minutes of the history's clock; learn once
 * over the stored history. Every DynamoDB call asks for ReturnConsumedCapacity, so read and
 * write units are DynamoDB's own count (transactions excepted: DynamoDB Local under-counts them,
 * so they are counted from the request at DynamoDB's 2 units per 1 KB item); every SQS send is
 * counted; each invocation is timed; every byte the functions write to stdout (their CloudWatch logs) is counted. Durations are
 * measured on loopback servers, faster than in-region calls: the estimate adds a stated per-call
 * latency. Prices are us-east-1 list prices written below — check them for your region.
 *
 * usage: npm run bench:cloud -- [--seed 1] [--rooms 8] [--volume 2] [--shared ../shared] [--call-ms 4] [--rate 50]
 *                               [--rulebook] [--pictures 60]
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs'
import { startFauxqs } from 'fauxqs'
import YAML from 'yaml'
import { SendBatcher } from '../bot-host/send-batcher.ts'
import { DynamoDbApprovalStore } from '../functions/adapters/aws/dynamodb-approval-store.ts'
import { DynamoDbBotRegistry } from '../functions/adapters/aws/dynamodb-bot-registry.ts'
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
import { StoredRuleModes } from '../functions/domain/supervision/stored-rule-modes.ts'
import { approvalsBatch } from '../functions/handlers/approvals.ts'
import { ingestBatch } from '../functions/handlers/ingest.ts'
import { learn } from '../functions/handlers/learn.ts'
import { moderateBatch } from '../functions/handlers/moderate.ts'
import { monitor } from '../functions/handlers/monitor.ts'
import { withPowertools } from '../functions/handlers/observability.ts'
import { visionBatch } from '../functions/handlers/vision.ts'
import { localEyes } from '../functions/handlers/vision-local.ts'
import type { MessageQueue } from '../functions/ports/message-queue.port.ts'
import { dynamoDbLocalUnavailable, startDynamoDbLocal } from '../test/helpers/dynamodb-local.ts'
import { lambdaContext, sqsEvent, sqsRecord } from '../test/helpers/lambda.ts'
import { MapMedia } from '../test/helpers/map-media.ts'
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
    /** Pictures of the history read by the vision function (embedded models), the rest priced at their mean. */
    pictures: { type: 'string', default: '60' },
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
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  s3GbMonth: 0.023,
  dynamoGbMonth: 0.25,
  /** Fargate on Graviton, per hour: vCPU and GB; Spot about 70% off. */
  fargateArmVcpuHour: 0.03238,
  fargateArmGbHour: 0.00356,
  alarmMonth: 0.1,
  dashboardMonth: 3,
  secretMonth: 0.4,
  customMetricMonth: 0.3,
}
/** Each function's memory as deployed (lib/stateless-stack.ts), GB. */
const MEMORY_GB: Record<string, number> = { ingest: 0.5, moderate: 0.5, approvals: 0.5, monitor: 0.5, vision: 2, learn: 1769 / 1024 }
/** Lambda's own START, END and REPORT lines per invocation (not the function's), bytes. */
const PLATFORM_LOG_BYTES = 350
const HOURS_A_MONTH = 730
/** A million messages a month, one after another. */
const MS_PER_MESSAGE = (30 * 86_400_000) / 1e6

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

/** What a TransactWriteItems call costs on DynamoDB: 2 write units per 1 KB of each item it puts, 2 for each update, delete or check. */
function transactionWriteUnits(items: unknown): number {
  let units = 0
  for (const t of (items ?? []) as { Put?: { Item?: Record<string, unknown> } }[])
    units += 2 * (t.Put?.Item ? Math.max(1, Math.ceil(itemSize(t.Put.Item) / 1024)) : 1)
  return units
}

interface Meter {
  calls: Record<string, number>
  byKind: Record<string, number>
  /** Write units by item kind (a transaction's under the kinds of the items it writes, EVENT+OFFENCES+DECISIONS). */
  writeUnitsByKind: Record<string, number>
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

/** An attribute value's size as DynamoDB bills it (marshalled: { S: '…' }, { N: '12' }, { M: {…} }, { L: […] }). */
function attributeSize(v: unknown): number {
  if (v === null || v === undefined) return 1
  if (typeof v === 'string') return Buffer.byteLength(v)
  if (v instanceof Uint8Array) return v.byteLength
  if (Array.isArray(v)) return 3 + v.reduce((s: number, x) => s + 1 + attributeSize(x), 0)
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
    if (entries.length === 1 && /^(S|N|B|BOOL|NULL|M|L|SS|NS|BS)$/.test(entries[0]?.[0] ?? '')) {
      const [t, x] = entries[0] as [string, unknown]
      if (t === 'N') return Math.ceil(String(x).length / 2) + 1
      if (t === 'BOOL' || t === 'NULL') return 1
      return attributeSize(x)
    }
    return 3 + entries.reduce((s, [k, x]) => s + Buffer.byteLength(k) + attributeSize(x), 0)
  }
  return 8
}

/** An item's size: its attribute names and values. */
const itemSize = (item: Record<string, unknown>): number =>
  Object.entries(item).reduce((s, [k, v]) => s + Buffer.byteLength(k) + attributeSize(v), 0)

/** The table's size as DynamoDB bills it: every item's attribute names and values (UTF-8), plus 100 bytes of overhead each. */
async function itemBytes(client: import('@aws-sdk/client-dynamodb').DynamoDBClient, table: string): Promise<number> {
  const { ScanCommand } = await import('@aws-sdk/client-dynamodb')
  let bytes = 0
  let start: Record<string, unknown> | undefined
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start as never }))
    for (const item of page.Items ?? []) bytes += 100 + itemSize(item)
    start = page.LastEvaluatedKey
  } while (start)
  return bytes
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
  const meter: Meter = { calls: {}, byKind: {}, writeUnitsByKind: {}, readUnits: 0, writeUnits: 0, sendRequests: 0, sentMessages: 0 }
  try {
    // Count every DynamoDB call and the capacity DynamoDB says it consumed.
    ddb.client.middlewareStack.add(
      (next, context) => async (a) => {
        const input = a.input as Record<string, unknown>
        input.ReturnConsumedCapacity = 'TOTAL'
        const out = await next(a)
        const name = String(context.commandName)
        meter.calls[name] = (meter.calls[name] ?? 0) + 1
        // Which kind of item each read and write touches (the key's prefix), to see where units go.
        const key = (input.Key ?? input.Item ?? (input.ExpressionAttributeValues as Record<string, unknown> | undefined)) as
          | Record<string, unknown>
          | undefined
        const pk = key && typeof key.pk === 'string' ? key.pk : key && typeof key[':pk'] === 'string' ? (key[':pk'] as string) : ''
        // A room's partition holds the room, its members and its overrides: the sort key tells them apart.
        const sk = key && typeof key.sk === 'string' ? key.sk.split('#')[0] : ''
        // A transaction: the kinds of the items it writes, joined (EVENT+OFFENCES+DECISIONS).
        const txKinds = Array.isArray(input.TransactItems)
          ? [
              ...new Set(
                (input.TransactItems as Record<string, { Item?: { pk?: unknown }; Key?: { pk?: unknown } } | undefined>[]).map((t) => {
                  const w = t.Put ?? t.Update ?? t.Delete ?? t.ConditionCheck
                  return String(w?.Item?.pk ?? w?.Key?.pk ?? '?').split('#')[0]
                }),
              ),
            ].join('+')
          : undefined
        const prefix = txKinds ?? (pk.split('#')[0] || '?')
        const kind = `${name.replace('Command', '')} ${prefix}${prefix === 'ROOM' && sk && sk !== 'ROOM' ? `/${sk}` : ''}`
        meter.byKind[kind] = (meter.byKind[kind] ?? 0) + 1
        const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity
        // DynamoDB Local under-counts transactions (4 units for a transaction of three writes or of
        // four): DynamoDB charges 2 units per 1 KB of each item a transaction writes, so they are
        // counted here from the request (an update or delete as one 1 KB item, its floor).
        const transacted = name === 'TransactWriteItemsCommand' ? transactionWriteUnits(input.TransactItems) : undefined
        for (const c of [consumed].flat() as { ReadCapacityUnits?: number; WriteCapacityUnits?: number; CapacityUnits?: number }[]) {
          if (!c) continue
          const writes = transacted ?? c.WriteCapacityUnits ?? (/Put|Update|Delete|Write/.test(name) ? (c.CapacityUnits ?? 0) : 0)
          meter.writeUnits += writes
          if (writes) meter.writeUnitsByKind[kind] = (meter.writeUnitsByKind[kind] ?? 0) + writes
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
    // As deployed (aws-clients.ts): the account and rooms kept five minutes per container.
    const table = await ddb.createTable()
    // The learned rules' facts in a table of their own, as deployed (FACTS_TABLE_NAME).
    const factsTable = await ddb.createTable()
    // The functions' minute-long caches run on a clock at a million messages a month (2.6 s a message) over the history's rooms.
    let served = 0
    const trafficNow = () => served * MS_PER_MESSAGE
    const store = new DynamoDbGuardStore({ client: ddb.client, table, cacheMs: 300_000, memberCacheMs: 60_000, now: trafficNow })
    const config = parseConfig(YAML.parse(CONFIG))
    let learned: { policy: LearnedPolicy; facts: DynamoDbFactsStore } | undefined
    if (args.rulebook) {
      const train: GroupEvent[] = []
      for await (const row of readHistory(path.join(dir, 'train.jsonl'))) if (row.event) train.push(row.event)
      const policy = learnFromHistory(train, config)
      learned = { policy, facts: new DynamoDbFactsStore({ client: ddb.client, table: factsTable }) }
      const rules = Object.values(policy.rooms).flatMap((r) => r.rules)
      console.log(`rulebook learned from the training part: ${rules.length} rules (${[...new Set(rules.map((r) => r.what))].join(', ')})`)
    }
    let clock = new Date(events[0]?.ts ?? 0)
    const now = () => clock
    const approvalStore = new DynamoDbApprovalStore({ client: ddb.client, table })
    // As deployed (moderate.ts): rules' modes and quiet switches read from supervision, a minute per container.
    const guard = new Guard({
      store,
      config,
      classifierRule: { threshold: 0.9, action: 'warn' },
      learned,
      supervision: new StoredRuleModes(approvalStore, 60_000, trafficNow),
    })
    const moderateQueue = await q<{ event: GroupEvent }>('moderate')
    const visionQueue = await q<{ event: GroupEvent }>('vision')
    const approvalsQueue = await q<unknown>('approvals')
    const actionsQueue = await q<unknown>('actions')
    // moderate scores every text with the in-process classifier, as deployed (trained here on a labelled corpus).
    const corpus = fs
      .readFileSync(path.join(args.shared, 'data/text/zh-sms-80w.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .slice(0, 20_000)
      .map((l) => JSON.parse(l) as LabelledText)
    const classifier = AdClassifier.train(corpus)
    const facts = new DynamoDbFactsStore({ client: ddb.client, table: factsTable })
    const moderateDeps = { guard, classifier, actions: actionsQueue as never, approvals: approvalsQueue as never, facts }
    // Plain messages are judged in ingest with moderate's code; pictures go through vision to moderate.
    const ingestDeps = { guard, store, judge: moderateDeps, vision: visionQueue as never, approvals: approvalsQueue as never }
    const approvalsDeps = {
      approvals: approvalStore,
      actions: actionsQueue as never,
      rooms: store,
      config,
      now,
    }
    const media = new MapMedia()
    const eyes = Number(args.pictures) > 0 ? await localEyes() : undefined
    const visionDeps = eyes ? { media, moderate: moderateQueue as never, facts, ...eyes } : undefined
    meter.calls = {}
    meter.byKind = {}
    meter.readUnits = 0
    meter.writeUnits = 0
    meter.sendRequests = 0
    meter.sentMessages = 0

    /** Per function: invocation times (ms), the DynamoDB units and SQS sends it caused, the bytes it logged. */
    const fns = new Map<string, { ms: number[]; wru: number; rru: number; sends: number; calls: number; logBytes: number }>()
    const write = process.stdout.write.bind(process.stdout)
    const writeErr = process.stderr.write.bind(process.stderr)
    async function invoke<R>(name: string, run: () => Promise<R>): Promise<R> {
      const f = fns.get(name) ?? { ms: [], wru: 0, rru: 0, sends: 0, calls: 0, logBytes: 0 }
      fns.set(name, f)
      const before = { w: meter.writeUnits, r: meter.readUnits, s: meter.sendRequests, c: callCount() }
      // What the function writes to stdout and stderr is its CloudWatch log: counted, not shown.
      const count = ((chunk: string | Uint8Array) => {
        f.logBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength
        return true
      }) as typeof process.stdout.write
      process.stdout.write = count
      process.stderr.write = count
      const t0 = performance.now()
      try {
        return await run()
      } finally {
        f.ms.push(performance.now() - t0)
        process.stdout.write = write
        process.stderr.write = writeErr
        f.wru += meter.writeUnits - before.w
        f.rru += meter.readUnits - before.r
        f.sends += meter.sendRequests - before.s
        f.calls += callCount() - before.c
      }
    }
    const callCount = () => Object.values(meter.calls).reduce((a, b) => a + b, 0)
    const deployed = <E>(fn: (event: E, context: ReturnType<typeof lambdaContext>) => Promise<unknown>) =>
      withPowertools(fn as never) as unknown as (event: E, context: ReturnType<typeof lambdaContext>) => Promise<unknown>
    const ingestFn = deployed((e: ReturnType<typeof sqsEvent>, c) => ingestBatch(ingestDeps, e, c))
    const moderateFn = deployed((e: ReturnType<typeof sqsEvent>, c) => moderateBatch(moderateDeps, e, c))
    const approvalsFn = deployed((e: ReturnType<typeof sqsEvent>, c) => approvalsBatch(approvalsDeps as never, e, c))
    const visionFn = visionDeps ? deployed((e: ReturnType<typeof sqsEvent>, c) => visionBatch(visionDeps as never, e, c)) : undefined
    const monitorDeps = { ...approvalsDeps, registry: new DynamoDbBotRegistry({ client: ddb.client, table }) }
    const monitorFn = deployed(() => monitor(monitorDeps as never))

    async function drain<T>(queue: SqsMessageQueue<T>): Promise<T[]> {
      const out: T[] = []
      for (;;) {
        const got = await queue.receive({ max: 10 })
        if (!got.length) return out
        for (const m of got) {
          out.push(m.body)
          await queue.ack(m)
        }
      }
    }
    const inBatches = async <T>(
      bodies: T[],
      fn: (e: ReturnType<typeof sqsEvent>, c: ReturnType<typeof lambdaContext>) => Promise<unknown>,
      name: string,
    ) => {
      for (let i = 0; i < bodies.length; i += 10)
        await invoke(name, () => fn(sqsEvent(bodies.slice(i, i + 10).map((b) => sqsRecord(JSON.stringify(b), 'g'))), lambdaContext(name)))
    }

    let messages = 0
    let images = 0
    let pictureBytes = 0
    let actions = 0
    let read = 0
    let nextTick = toMillis(events[0]?.ts ?? '1970-01-01T00:00:00Z')
    let ticks = 0
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10)
      for (const e of batch) if (e.kind === 'message') e.type === 'image' && e.media ? images++ : messages++
      clock = new Date(batch.at(-1)?.ts ?? clock)
      served = i
      await invoke('ingest', () =>
        ingestFn(sqsEvent(batch.map((e) => sqsRecord(JSON.stringify(e), 'room' in e ? e.room : e.kind))), lambdaContext('ingest')),
      )
      // Pictures: the bot host put each in S3; vision reads a sample (the rest pass on unread, priced at the sample's mean).
      for (const v of await drain(visionQueue)) {
        const e = v.event
        if (e.kind === 'message' && e.media && !(await media.get(e.media))) {
          const bytes = fs.readFileSync(path.join(dir, e.media))
          pictureBytes += bytes.byteLength
          await media.put(e.media, new Uint8Array(bytes))
        }
        if (visionFn && read < Number(args.pictures)) {
          read++
          await inBatches([v], visionFn, 'vision')
        } else await moderateQueue.send({ group: 'room' in e ? e.room : 'g', dedupeId: e.id, body: v as never })
      }
      const forwarded = await drain(moderateQueue)
      if (forwarded.length) await inBatches(forwarded, moderateFn, 'moderate')
      await inBatches(await drain(approvalsQueue), approvalsFn, 'approvals')
      actions += (await drain(actionsQueue)).length
      // The monitor, every 10 minutes of the history's clock (every minute as deployed: priced per month).
      if (clock.getTime() >= nextTick) {
        nextTick = clock.getTime() + 600_000
        ticks++
        await invoke('monitor', () => monitorFn({}, lambdaContext('monitor')))
        actions += (await drain(actionsQueue)).length
      }
    }
    // The daily retraining, once over everything stored (the relearned rulebook, the in-process model).
    const stored = await store.countEvents()
    await invoke('learn', () =>
      deployed(() => learn({ store, media, bucket: 'bench', config, actions: actionsQueue as never, now, minSpam: 5 }))(
        {},
        // As deployed (lib/stateless-stack.ts): learn may run 15 minutes.
        lambdaContext('learn', 900_000),
      ),
    )

    const callMs = Number(args['call-ms'])
    const total = messages + images
    const M = 1e6
    const scale = M / total
    const rate = Number(args.rate)
    const botHost = await botHostSends(events.slice(0, 3000), rate, 10)
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
    const f = (name: string) => fns.get(name) ?? { ms: [], wru: 0, rru: 0, sends: 0, calls: 0, logBytes: 0 }

    console.log(
      `AWS deployment per group message, on DynamoDB Local and fauxqs: seed ${args.seed}, ${args.rooms} rooms, volume ${args.volume}${learned ? ', with a learned rulebook' : ''}`,
    )
    console.log(
      `  events ${events.length}: ${messages} text-like messages, ${images} pictures (${read} read by vision), ${actions} actions and private messages for the bot host`,
    )
    console.log(
      `  ${'function'.padEnd(10)} ${'calls'.padStart(6)} ${'p50 ms'.padStart(8)} ${'p90 ms'.padStart(8)} ${'WRU'.padStart(8)} ${'RRU'.padStart(8)} ${'sends'.padStart(6)} ${'log KiB'.padStart(8)}`,
    )
    for (const [name, x] of fns)
      console.log(
        `  ${name.padEnd(10)} ${String(x.ms.length).padStart(6)} ${quantile(x.ms, 0.5).toFixed(1).padStart(8)} ${quantile(x.ms, 0.9).toFixed(1).padStart(8)} ${x.wru.toFixed(0).padStart(8)} ${x.rru.toFixed(0).padStart(8)} ${String(x.sends).padStart(6)} ${(x.logBytes / 1024).toFixed(0).padStart(8)}`,
      )
    console.log(
      `  DynamoDB calls by item kind: ${Object.entries(meter.byKind)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    )
    console.log(
      `  DynamoDB write units by item kind (every function): ${Object.entries(meter.writeUnitsByKind)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${Math.round(n)}`)
        .join(', ')}`,
    )
    console.log(
      `  bot host sends   ${botHost.requestsPerEvent.toFixed(3)} requests per event (relay lanes + SendBatcher, 100 ms window, ${rate} msg/s, ${botHost.events} events of the history's order)`,
    )

    // —— per million group messages: what scales with traffic ——
    const perMessageFns = ['ingest', 'moderate', 'approvals']
    const gbSeconds = (names: string[]) =>
      names.reduce((s, n) => s + ((sum(f(n).ms) + f(n).calls * callMs) / 1000) * (MEMORY_GB[n] ?? 0.5), 0)
    const inv = (names: string[]) => names.reduce((s, n) => s + f(n).ms.length, 0)
    const wru = (names: string[]) => names.reduce((s, n) => s + f(n).wru, 0)
    const rru = (names: string[]) => names.reduce((s, n) => s + f(n).rru, 0)
    const sendsOf = (names: string[]) => names.reduce((s, n) => s + f(n).sends, 0)
    const logs = (names: string[]) => names.reduce((s, n) => s + f(n).logBytes + f(n).ms.length * PLATFORM_LOG_BYTES, 0)
    // Bot host sends (batched) + the functions' sends + the Lambda poller's receive and delete per batch + the bot host's receive and delete of actions.
    const sqsRequests = total * botHost.requestsPerEvent + sendsOf(perMessageFns) + (inv(perMessageFns) + actions / 10) * 2
    const textLines: [string, string, number][] = [
      ['Lambda requests', `${Math.round(inv(perMessageFns) * scale)} × $0.20/M`, inv(perMessageFns) * scale * PRICE.lambdaRequest],
      [
        'Lambda compute',
        `${Math.round(gbSeconds(perMessageFns) * scale)} GB-s (measured + ${callMs} ms per AWS call) × $0.0000133334`,
        gbSeconds(perMessageFns) * scale * PRICE.lambdaArmGbSecond,
      ],
      ['SQS FIFO', `${Math.round(sqsRequests * scale)} requests × $0.50/M`, sqsRequests * scale * PRICE.sqsFifoRequest],
      ['DynamoDB writes', `${Math.round(wru(perMessageFns) * scale)} WRU × $0.625/M`, wru(perMessageFns) * scale * PRICE.dynamoWriteUnit],
      ['DynamoDB reads', `${Math.round(rru(perMessageFns) * scale)} RRU × $0.125/M`, rru(perMessageFns) * scale * PRICE.dynamoReadUnit],
      [
        'CloudWatch Logs',
        `${((logs(perMessageFns) * scale) / 2 ** 30).toFixed(2)} GB written × $0.50`,
        ((logs(perMessageFns) * scale) / 2 ** 30) * PRICE.logsIngestGb,
      ],
    ]
    const print = (title: string, lines: [string, string, number][]) => {
      console.log(title)
      for (const [what, how, usd] of lines) console.log(`  ${what.padEnd(16)} ${how.padEnd(80)} $${usd.toFixed(2)}`)
      const t = sum(lines.map(([, , u]) => u))
      console.log(`  ${'total'.padEnd(16)} ${''.padEnd(80)} $${t.toFixed(2)}`)
      return t
    }
    const text = print(
      'per million group messages — ingest (which judges text), moderate, approvals (the share every message takes):',
      textLines,
    )

    // Pictures: vision per picture read (its sample's mean), the bot host's S3 put, vision's get, storage for the retention.
    const v = f('vision')
    const perPicture = {
      gbS: v.ms.length ? ((sum(v.ms) + v.calls * callMs) / 1000 / v.ms.length) * (MEMORY_GB.vision ?? 2) : 0,
      wru: v.ms.length ? v.wru / v.ms.length : 0,
      logs: v.ms.length ? (v.logBytes + v.ms.length * PLATFORM_LOG_BYTES) / v.ms.length : 0,
    }
    const pictures = images * scale
    const meanBytes = images ? pictureBytes / Math.max(1, media.objects.size) : 0
    const pictureLines: [string, string, number][] = [
      [
        'vision compute',
        `${pictures.toFixed(0)} pictures × ${perPicture.gbS.toFixed(2)} GB-s (embedded models, one picture a batch)`,
        pictures * perPicture.gbS * PRICE.lambdaArmGbSecond,
      ],
      [
        'vision requests',
        `${pictures.toFixed(0)} × ($0.20/M Lambda + 3 SQS requests)`,
        pictures * (PRICE.lambdaRequest + 3 * PRICE.sqsFifoRequest),
      ],
      [
        'picture memory',
        `${(perPicture.wru * pictures).toFixed(0)} WRU (识别/评分, TTL 10 min)`,
        perPicture.wru * pictures * PRICE.dynamoWriteUnit,
      ],
      [
        'S3',
        `${pictures.toFixed(0)} puts + gets; ${((pictures * meanBytes) / 2 ** 30).toFixed(2)} GB kept 30 days`,
        pictures * (PRICE.s3Put + PRICE.s3Get) + ((pictures * meanBytes) / 2 ** 30) * PRICE.s3GbMonth,
      ],
      [
        'vision logs',
        `${((pictures * perPicture.logs) / 2 ** 30).toFixed(3)} GB × $0.50`,
        ((pictures * perPicture.logs) / 2 ** 30) * PRICE.logsIngestGb,
      ],
    ]
    const pics = print(
      `per million group messages — their ${pictures.toFixed(0)} pictures (vision=local; vision=aws adds Textract + Rekognition $${(pictures * (PRICE.textractPage + 3 * PRICE.rekognitionImage)).toFixed(0)}):`,
      pictureLines,
    )

    // Storage: the table's bytes per stored event (items as DynamoDB counts them: names + values), a month kept.
    const tableBytes = await itemBytes(ddb.client, table)
    const storageGb = ((tableBytes / Math.max(1, stored)) * M) / 2 ** 30
    console.log(
      `storage: ${(tableBytes / Math.max(1, stored)).toFixed(0)} bytes of table per stored event → ${storageGb.toFixed(2)} GB per million messages, $${(storageGb * PRICE.dynamoGbMonth).toFixed(2)} a month for each month kept`,
    )
    // The facts table holds what the rules remember for minutes to a week (TTL): at most about a week's worth.
    const factsBytes = await itemBytes(ddb.client, factsTable)
    console.log(
      `facts table (the learned rules' memory): ${(factsBytes / Math.max(1, stored)).toFixed(0)} bytes per stored event written over the history — deleted by TTL after minutes to a week, so it holds about a week's worth whatever the months kept`,
    )

    // The daily retraining: its cost grows with the history it reads (90 days).
    const l = f('learn')
    const learnGbS = ((sum(l.ms) + l.calls * callMs) / 1000) * (MEMORY_GB.learn ?? 1.7)
    const perStored = { gbS: learnGbS / Math.max(1, stored), rru: l.rru / Math.max(1, stored) }
    const window = 3 * M // 90 days at a million messages a month
    const learnMonth = 30 * window * (perStored.gbS * PRICE.lambdaArmGbSecond + perStored.rru * PRICE.dynamoReadUnit)
    console.log(
      `learn: one run over ${stored} stored events took ${(sum(l.ms) / 1000).toFixed(1)} s, ${l.rru.toFixed(0)} RRU; daily over 90 days at a million messages a month ≈ $${learnMonth.toFixed(2)} a month${sum(l.ms) * (window / Math.max(1, stored)) > 15 * 60_000 ? ' (over Lambda’s 15 minutes at that size: learn needs splitting by room there)' : ''}`,
    )

    // —— the always-on part, a month ——
    const m = f('monitor')
    const tick = {
      gbS: m.ms.length ? ((sum(m.ms) + m.calls * callMs) / 1000 / m.ms.length) * (MEMORY_GB.monitor ?? 0.5) : 0,
      rru: m.ms.length ? m.rru / m.ms.length : 0,
      wru: m.ms.length ? m.wru / m.ms.length : 0,
      logs: m.ms.length ? (m.logBytes + m.ms.length * PLATFORM_LOG_BYTES) / m.ms.length : 0,
    }
    const minutes = 60 * HOURS_A_MONTH
    const fargate = HOURS_A_MONTH * (0.5 * PRICE.fargateArmVcpuHour + 1 * PRICE.fargateArmGbHour)
    const fixed: [string, string, number][] = [
      ['bot host', 'Fargate Graviton 0.5 vCPU, 1 GB, all month (Spot: about 70% less)', fargate],
      [
        'monitor',
        `${minutes} runs × (${tick.gbS.toFixed(3)} GB-s, ${tick.rru.toFixed(1)} RRU, ${tick.wru.toFixed(1)} WRU, ${tick.logs.toFixed(0)} log bytes) — ${ticks} measured`,
        minutes *
          (PRICE.lambdaRequest +
            tick.gbS * PRICE.lambdaArmGbSecond +
            tick.rru * PRICE.dynamoReadUnit +
            tick.wru * PRICE.dynamoWriteUnit +
            (tick.logs / 2 ** 30) * PRICE.logsIngestGb),
      ],
      ['alarms, dashboard', '14 alarms, 1 dashboard', 14 * PRICE.alarmMonth + PRICE.dashboardMonth],
      ['custom metrics', '≈ 30 EMF metrics (service × name)', 30 * PRICE.customMetricMonth],
      ['secret', 'the puppet token (Secrets Manager)', PRICE.secretMonth],
    ]
    const always = print('always on, a month (whatever the traffic):', fixed)
    console.log(
      `in all: $${(text + pics).toFixed(2)} per million messages (text $${text.toFixed(2)} + pictures $${pics.toFixed(2)}), + $${always.toFixed(2)} a month always on, + learn and storage as above`,
    )
    sqs.destroy()
  } finally {
    await Promise.all([ddb.stop(), fauxqs.stop()])
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

await main()
