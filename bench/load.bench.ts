/**
 * `npm run bench:load` — many groups, two guard accounts, sustained traffic. Two bot accounts (on
 * wechaty-puppet-mock, one MockFleet) are in every group; members chat, marketers join and post
 * ads (warned, then removed). Prints, each minute, what was sent, judged and carried out and the
 * memory in use; at the end the decision latency (message sent → the guard's result) and whether
 * any action was lost or carried out twice. A bench: it prints figures and asserts nothing.
 *
 * Embedded (default): one process, SQLite file store, one guard for both accounts (docs/accounts.md).
 * `--cloud`: the cloud-shaped path — two bot hosts (QunGuardRelay + Heartbeat) → fauxqs → the real
 * ingest handler → DynamoDB Local → the action queue → the bot hosts; meant for a smaller rate.
 *
 * usage: npm run bench:load -- [--minutes 10] [--rate 50] [--groups 200] [--members 2000] [--failover] [--cloud]
 *   --failover  kill the first account's bot at half time (and start it again at three quarters)
 *   --ads       the share of messages that are marketers' ads (default 0.01)
 *
 * Last line: `load: events E, stored S, judged J, actions A, lost L, repeated R, p50 X ms, p99 Y ms, peak RSS Z MiB`
 * (events: messages the simulator sent; stored/judged: of those, stored and judged by the guard;
 * actions: warnings and removals decided; lost: decided but never carried out; repeated: carried out twice).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs'
import { startFauxqs } from 'fauxqs'
import type { mock } from 'wechaty-puppet-mock'
import YAML from 'yaml'
import { QunGuardRelay } from '../bot-host/cloud-relay.ts'
import { Heartbeat } from '../bot-host/heartbeat.ts'
import { MockFleet } from '../bot-host/mock-fleet.ts'
import { QunGuard } from '../bot-host/qunguard-plugin.ts'
import { DynamoDbBotRegistry } from '../functions/adapters/aws/dynamodb-bot-registry.ts'
import { DynamoDbGuardStore } from '../functions/adapters/aws/dynamodb-guard-store.ts'
import { SqsMessageQueue } from '../functions/adapters/aws/sqs-message-queue.ts'
import { SqliteBotRegistry } from '../functions/adapters/local/sqlite-bot-registry.ts'
import { SqliteEventInbox } from '../functions/adapters/local/sqlite-event-inbox.ts'
import { SqliteFactsStore } from '../functions/adapters/local/sqlite-facts-store.ts'
import { SqliteGuardStore } from '../functions/adapters/local/sqlite-guard-store.ts'
import { SqliteSupervisionStore } from '../functions/adapters/local/sqlite-supervision-store.ts'
import { parseConfig } from '../functions/domain/config.ts'
import type { GroupEvent } from '../functions/domain/events.ts'
import { Guard } from '../functions/domain/guard.ts'
import { ingestBatch } from '../functions/handlers/ingest.ts'
import type { ActionRequest } from '../functions/ports/action-executor.port.ts'
import type { GuardStore } from '../functions/ports/guard-store.port.ts'
import { dynamoDbLocalUnavailable, startDynamoDbLocal } from '../test/helpers/dynamodb-local.ts'
import { pollOnce } from '../test/helpers/local-lambda-poller.ts'

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string' },
    groups: { type: 'string' },
    members: { type: 'string' },
    ads: { type: 'string', default: '0.01' },
    failover: { type: 'boolean', default: false },
    cloud: { type: 'boolean', default: false },
  },
})
const cloud = args.cloud
const minutes = Number(args.minutes)
const rate = Number(args.rate ?? (cloud ? 5 : 50))
const groups = Number(args.groups ?? (cloud ? 20 : 200))
const members = Number(args.members ?? (cloud ? 200 : 2000))
const adShare = Number(args.ads)
for (const [name, v] of Object.entries({ minutes, rate, groups, members, adShare }))
  if (!(v > 0) || !Number.isFinite(v)) {
    console.error(`bench:load: --${name === 'adShare' ? 'ads' : name} must be a positive number`)
    process.exit(2)
  }

const CONFIG = `
groups:
  "*":
    mode: active
    escalation: [warn, remove]
    rules:
      - { id: ads, any: ["加微信", "代购", "返现"], action: escalate, reason: 本群禁止广告 }
`
const CHAT = ['今天几点集合？', '收到，谢谢', '周末一起去公园吗', '孩子作业写完了', '明天下雨记得带伞', '好的👌', '这个活动不错', '哈哈哈']
const ADS = ['加微信领红包', '正品代购 私聊', '下单返现 加微信', '代购 低价']

type Contact = mock.ContactMock
type Room = mock.RoomMock

/** What the guard side is: embedded (the plugin on both bots) or cloud-shaped (relays, queues, handlers). */
interface Side {
  readonly plugins: (account: number) => Parameters<MockFleet['worlds'][number]['bot']['use']>[0][]
  /** Runs what must run between sends (the cloud path's "Lambda"). */
  pump(): Promise<void>
  drain(until: () => boolean, ms: number): Promise<void>
  readonly store: GuardStore
  close(): Promise<void>
}

const sentAt = new Map<string, number>()
const latencies: number[] = []
const judged = new Set<string>()
const noteJudged = (id: string) => {
  const t = sentAt.get(id)
  if (t === undefined || judged.has(id)) return
  judged.add(id)
  latencies.push(performance.now() - t)
}

async function embeddedSide(dir: string): Promise<Side> {
  const file = path.join(dir, 'load.db')
  const store = SqliteGuardStore.open(file)
  const registry = SqliteBotRegistry.open(file)
  const supervision = SqliteSupervisionStore.open(file)
  const facts = SqliteFactsStore.open(file)
  const inbox = SqliteEventInbox.open(file)
  const plugin = QunGuard({
    config: parseConfig(YAML.parse(CONFIG)),
    store,
    supervision,
    facts,
    inbox,
    accounts: { registry, heartbeatSeconds: 5, actionTimeoutMs: 10_000 },
    onResult: (r, e) => {
      if (r.status === 'stored' && e.kind === 'message') noteJudged(e.id)
    },
    onNotice: (line) => console.log(`  [guard] ${line}`),
    onError: () => {},
  })
  return {
    plugins: () => [plugin],
    pump: async () => {},
    drain: async (until, ms) => {
      const deadline = Date.now() + ms
      while (Date.now() < deadline && !until()) await Promise.race([plugin.idle(), new Promise((r) => setTimeout(r, 1000))])
    },
    store,
    close: async () => {
      plugin.stop()
      await plugin.idle()
      await store.close()
      await supervision.closeStore()
      await inbox.close()
      await registry.close()
    },
  }
}

async function cloudSide(): Promise<Side> {
  const why = dynamoDbLocalUnavailable()
  if (why) {
    console.error(`bench:load --cloud needs DynamoDB Local: ${why}`)
    process.exit(2)
  }
  const [ddb, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs({ port: 0, logger: false })])
  const sqs = new SQSClient({
    endpoint: fauxqs.address,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  })
  const url = async (name: string) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes: { FifoQueue: 'true', VisibilityTimeout: '10' } })))
      .QueueUrl ?? ''
  const [eventsUrl, actionsUrl, approvalsUrl, visionUrl] = await Promise.all(['events', 'actions', 'approvals', 'vision'].map(url))
  const q = <T>(u: string | undefined) => new SqsMessageQueue<T>({ client: sqs, queueUrl: u ?? '' })
  const table = await ddb.createTable()
  const store = new DynamoDbGuardStore({ client: ddb.client, table })
  const guard = new Guard({ store, config: parseConfig(YAML.parse(CONFIG)) })
  const registry = new DynamoDbBotRegistry({ client: ddb.client, table })
  const actions = q<ActionRequest>(actionsUrl)
  const routing = { registry, heartbeatSeconds: 5 }
  const relays = [0, 1].map(() =>
    QunGuardRelay({ events: q<GroupEvent>(eventsUrl), actions, waitSeconds: 1, giveBackPauseMs: 200, routing, onError: () => {} }),
  )
  const beats = [0, 1].map(() => Heartbeat({ registry, intervalSeconds: 5, onError: () => {} }))
  const approvals = q<never>(approvalsUrl)
  const deps = { guard, store, judge: { guard, actions, approvals }, vision: q<never>(visionUrl), approvals }
  let pumping: Promise<void> | undefined
  // The "Lambda": the events queue's consumer, invoked by a small local poller, as in the tests.
  const pump = async () => {
    pumping ??= (async () => {
      for (;;) {
        const { received } = await pollOnce(sqs, eventsUrl ?? '', async (e, c) => {
          const r = await ingestBatch(deps, e, c)
          for (const rec of e.Records) {
            const event = JSON.parse(rec.body) as GroupEvent
            if (event.kind === 'message') noteJudged(event.id)
          }
          return r
        })
        if (received === 0) break
      }
    })().finally(() => {
      pumping = undefined
    })
    await pumping
  }
  return {
    plugins: (i) => [relays[i], beats[i]].filter((p) => p !== undefined),
    pump,
    drain: async (until, ms) => {
      const deadline = Date.now() + ms
      while (Date.now() < deadline && !until()) {
        await pump()
        await new Promise((r) => setTimeout(r, 200))
      }
    },
    store,
    close: async () => {
      for (const b of beats) b.stop()
      await Promise.all(relays.map((r) => r.stop()))
      sqs.destroy()
      await fauxqs.stop()
      await ddb.stop()
    },
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
}

/** Actions decided against actions carried out, from what the bots did in WeChat. */
async function tally(store: GuardStore, fleet: MockFleet, rooms: readonly Room[]) {
  let decided = 0
  let lost = 0
  let repeated = 0
  const records = fleet.records()
  for (const room of rooms) {
    const active = (await store.listDecisions({ room: room.id })).filter((d) => d.mode === 'active')
    const warns = active.filter((d) => d.action === 'warn').length
    const removes = active.filter((d) => d.action === 'remove').length
    decided += warns + removes
    const said = records.filter((r) => r.where === room.id && r.kind === 'say').map((r) => r.text)
    const removed = records.filter((r) => r.where === room.id && r.kind === 'remove').map((r) => r.target ?? '')
    const saidOnce = new Set(said).size
    const removedOnce = new Set(removed).size
    lost += Math.max(0, warns - saidOnce) + Math.max(0, removes - removedOnce)
    repeated += said.length - saidOnce + (removed.length - removedOnce)
  }
  return { decided, lost, repeated }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qunguard-load-'))
  const side = cloud ? await cloudSide() : await embeddedSide(dir)
  const started = performance.now()
  let peakRss = 0
  const sampleRss = () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
  }
  const fleet = await MockFleet.start({
    accounts: [
      { name: '守卫甲', id: 'wxid_guard_jia' },
      { name: '守卫乙', id: 'wxid_guard_yi' },
    ],
    pluginsFor: side.plugins,
  })
  console.log(
    `bench:load: ${cloud ? 'cloud-shaped path (fauxqs + DynamoDB Local)' : 'embedded (SQLite)'}, two accounts, ${groups} groups × ${members} members, ${rate} messages/s for ${minutes} min${args.failover ? ', failover' : ''}`,
  )
  const owner = fleet.contact('群主', 'wxid_load_owner')
  const rooms: Room[] = []
  const people: Contact[][] = []
  for (let g = 0; g < groups; g++) {
    const inRoom = Array.from({ length: members }, (_, i) => fleet.contact(`成员${g}-${i}`, `wxid_m_${g}_${i}`))
    people.push(inRoom)
    rooms.push(fleet.room(`测试群${g + 1}`, { owner, members: inRoom, id: `load-${g}@chatroom` }))
  }
  sampleRss()
  console.log(
    `  set up in ${((performance.now() - started) / 1000).toFixed(1)} s, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`,
  )

  let seed = 42
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return seed / 2 ** 31
  }
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T
  let sent = 0
  let marketers = 0
  // A marketer posts two ads a few seconds apart: warned, then removed.
  const second: { at: number; who: Contact; room: Room }[] = []
  const runMs = minutes * 60_000
  const begin = performance.now()
  let killed = false
  let restarted = false
  let nextReport = 60_000
  const sliceMs = 100
  for (let slice = 0; slice * sliceMs < runMs; slice++) {
    const due = begin + slice * sliceMs
    const wait = due - performance.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    const elapsed = performance.now() - begin
    if (args.failover && !killed && elapsed >= runMs / 2) {
      killed = true
      console.log(`  ${(elapsed / 60_000).toFixed(1)} min: account 守卫甲 killed`)
      await fleet.kill(0)
    }
    if (args.failover && !restarted && elapsed >= (runMs * 3) / 4) {
      restarted = true
      console.log(`  ${(elapsed / 60_000).toFixed(1)} min: account 守卫甲 started again`)
      await fleet.restart(0)
    }
    // Messages due in this slice (a fractional rate carries over).
    const n = Math.floor(((slice + 1) * rate * sliceMs) / 1000) - Math.floor((slice * rate * sliceMs) / 1000)
    for (let k = 0; k < n; k++) {
      const now = performance.now()
      const follow = second[0]
      let room: Room
      let who: Contact
      let text: string
      if (follow && follow.at <= now) {
        second.shift()
        ;({ room, who } = follow)
        text = pick(ADS)
      } else if (random() < adShare / 2) {
        // A marketer joins through the owner's QR code and posts at once.
        room = pick(rooms)
        who = fleet.contact(`推广${++marketers}`, `wxid_ad_${marketers}`)
        await fleet.join(room, who, owner, 0)
        text = pick(ADS)
        second.push({ at: now + 3000, who, room })
      } else {
        const g = Math.floor(random() * rooms.length)
        room = rooms[g] as Room
        who = pick(people[g] as Contact[])
        text = pick(CHAT)
      }
      const id = await fleet.send(who, room, text)
      sentAt.set(id, performance.now())
      sent++
    }
    if (slice % 10 === 0) {
      sampleRss()
      void side.pump()
    }
    if (elapsed >= nextReport) {
      nextReport += 60_000
      console.log(
        `  minute ${Math.round(elapsed / 60_000)}: sent ${sent}, judged ${judged.size}, behind ${sent - judged.size}, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`,
      )
    }
  }
  console.log(`  sending done; draining (at most 2 min) — judged ${judged.size} of ${sent}`)
  await side.drain(() => judged.size >= sent, 120_000)
  // Let the second ads' actions (and a failover) finish: a few beats.
  await side.drain(() => false, 20_000)
  sampleRss()
  const stored = (await side.store.listMessages({ limit: 10_000_000 })).filter((m) => sentAt.has(m.id)).length
  const { decided, lost, repeated } = await tally(side.store, fleet, rooms)
  const sorted = [...latencies].sort((a, b) => a - b)
  console.log(
    `  marketers ${marketers}; accounts' actions: ${fleet.ids.map((id) => `${id} ${fleet.records().filter((r) => r.by === id && r.where.endsWith('@chatroom')).length}`).join(', ')}`,
  )
  await side.close()
  await fleet.stop()
  fs.rmSync(dir, { recursive: true, force: true })
  console.log(
    `load: events ${sent}, stored ${stored}, judged ${judged.size}, actions ${decided}, lost ${lost}, repeated ${repeated}, p50 ${Math.round(percentile(sorted, 50))} ms, p99 ${Math.round(percentile(sorted, 99))} ms, peak RSS ${Math.round(peakRss / 2 ** 20)} MiB`,
  )
  process.exit(0)
}

await main()
