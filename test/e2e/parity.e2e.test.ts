/**
 * One core, two runtimes: the same history — keyword rules with their ladder, a learned rulebook
 * in shadow, an owner answering, a digest, a quiet switch, expiry, the daily report, and a
 * picture whose Chinese text breaks a rule — through `qunguard replay --pictures` and through the
 * cloud-shaped path (events queue on fauxqs → the real ingest, vision (the embedded models, as
 * its container image runs them), moderate, approvals and monitor handlers → DynamoDB Local →
 * action queue), with each runtime's clock at the event's time. Decisions and what owners are
 * told must be the same.
 *
 * (The bot host's hop, Wechaty → events queue and action queue → Wechaty, is cloud.e2e.test.ts.)
 */
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs'
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { decisionLine } from '../../bin/commands/replay.ts'
import { DynamoDbApprovalStore } from '../../functions/adapters/aws/dynamodb-approval-store.ts'
import { DynamoDbFactsStore } from '../../functions/adapters/aws/dynamodb-facts-store.ts'
import { DynamoDbGuardStore } from '../../functions/adapters/aws/dynamodb-guard-store.ts'
import { SqsMessageQueue } from '../../functions/adapters/aws/sqs-message-queue.ts'
import { MemoryBotRegistry } from '../../functions/adapters/memory/memory-bot-registry.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import type { Decision, GroupEvent } from '../../functions/domain/events.ts'
import { Guard } from '../../functions/domain/guard.ts'
import { policyToJson } from '../../functions/domain/learning/policy-file.ts'
import { learnFromHistory } from '../../functions/domain/learning/relearn.ts'
import type { ModerateRequest } from '../../functions/domain/stage-messages.ts'
import { StoredRuleModes } from '../../functions/domain/supervision/stored-rule-modes.ts'
import { approvalsBatch } from '../../functions/handlers/approvals.ts'
import { ingestBatch } from '../../functions/handlers/ingest.ts'
import { moderateBatch } from '../../functions/handlers/moderate.ts'
import { monitor } from '../../functions/handlers/monitor.ts'
import { visionBatch } from '../../functions/handlers/vision.ts'
import { localEyes } from '../../functions/handlers/vision-local.ts'
import type { ActionRequest } from '../../functions/ports/action-executor.port.ts'
import { dynamoDbLocalUnavailable } from '../helpers/dynamodb-local.ts'
import { linkRemovalHistory } from '../helpers/histories.ts'
import { pollOnce } from '../helpers/local-lambda-poller.ts'
import { useLoopbackAws } from '../helpers/loopback-aws.ts'
import { MapMedia } from '../helpers/map-media.ts'
import { textPicture } from '../helpers/pictures.ts'
import { replayEvents } from '../helpers/replay-run.ts'

const unavailable = dynamoDbLocalUnavailable()
if (unavailable && process.env.CI) throw new Error(`DynamoDB Local is needed in CI: ${unavailable}`)

const CONFIG = `
groups:
  "*":
    rules:
      - id: no-ads
        any: ["加微信"]
supervision:
  maxPerHour: 1
  digestMinutes: 30
  expiryHours: 2
  reportHour: 21
`

const ts = (day: number, hh: number, mm: number) =>
  `2026-03-${String(day).padStart(2, '0')}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00+08:00`
const room = { room: 'r1' }
const said = (id: string, sender: string, text: string, t: string, extra: Record<string, unknown> = {}): GroupEvent =>
  ({ kind: 'message', id, ...room, sender, type: 'text', text, ts: t, ...extra }) as GroupEvent
const owner = (id: string, text: string, t: string): GroupEvent => ({ kind: 'private', id, sender: 'wxid_owner', text, ts: t })

const HISTORY: GroupEvent[] = [
  { kind: 'account', id: 'a', self: 'wxid_bot', ts: ts(10, 8, 0) },
  {
    kind: 'room',
    id: 'snap',
    ...room,
    topic: '测试群',
    owner: 'wxid_owner',
    admins: ['wxid_bot'],
    members: ['wxid_owner', 'wxid_bot', 'wxid_m1'],
    names: { wxid_m1: '老王' },
    ts: ts(10, 8, 0),
  },
  { kind: 'join', id: 'j1', ...room, members: ['wxid_n1'], names: { wxid_n1: '推广一号' }, via: 'qrcode', ts: ts(10, 9, 0) },
  said('n1-link', 'wxid_n1', '领红包', ts(10, 9, 2), { type: 'link', url: 'https://a.cn/x' }), // learned rule, shadow: asked now
  { kind: 'join', id: 'j2', ...room, members: ['wxid_n2'], via: 'qrcode', ts: ts(10, 9, 5) },
  said('n2-link', 'wxid_n2', '秒杀', ts(10, 9, 6), { type: 'link', url: 'https://b.cn/y' }), // over the hourly limit: the digest
  said('m1-ad1', 'wxid_m1', '加微信 abc123', ts(10, 9, 10)), // keyword rule, active: a warning
  // A picture whose text is an ad: read by the same models in both runtimes; the keyword rule warns.
  said('pic-ad', 'wxid_m2', '', ts(10, 9, 12), { type: 'image', text: undefined, media: 'ad.png' }),
  owner('y1', 'Y1', ts(10, 9, 15)), // approve the first request: remove n1
  said('m1-ad2', 'wxid_m1', '加微信 abc124', ts(10, 9, 40)), // the digest is due before it; a second warning
  owner('n-digest', 'N3', ts(10, 9, 45)),
  owner('quiet', '安静 开 测试群', ts(10, 9, 50)),
  said('m1-ad3', 'wxid_m1', '加 微信 abc125', ts(10, 10, 0)), // third: removed (quiet: owner told privately)
  said('chat', 'wxid_owner', '今天辛苦了', ts(10, 21, 30)), // the daily report is due before it
  said('next-day', 'wxid_owner', '早', ts(11, 9, 0)), // open requests expired overnight
]

const sorted = (lines: Decision[]) => [...lines].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))

describe.skipIf(unavailable !== undefined)('replay and the cloud-shaped path judge and supervise alike', () => {
  const aws = useLoopbackAws()

  it('gives the same decisions and the same owner messages', async () => {
    const config = parseConfig(YAML.parse(CONFIG))
    const policy = learnFromHistory(linkRemovalHistory({ owner: 'wxid_owner' }), config)
    expect(policy.rooms.r1?.rules.map((r) => r.id)).toContain('learned:link:joined@24h')

    // —— replay ——
    const picture = await textPicture(['扫码加微信 领取优惠'], { size: 30 })
    const { decisions: replayed, told: toldInReplay } = await replayEvents(HISTORY, CONFIG, {
      files: { 'ad.png': picture },
      policy: policyToJson(policy),
      pictures: true,
    })

    // —— the cloud-shaped path ——
    const queue = async (name: string) =>
      (await aws.sqs.send(new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes: { FifoQueue: 'true' } }))).QueueUrl ?? ''
    const [events = '', moderateQ = '', visionQ = '', approvalsQ = '', actionsQ = ''] = await Promise.all(
      ['p-events', 'p-moderate', 'p-vision', 'p-approvals', 'p-actions'].map(queue),
    )
    const q = <T>(url: string) => new SqsMessageQueue<T>({ client: aws.sqs, queueUrl: url })
    const table = await aws.ddb.createTable()
    const store = new DynamoDbGuardStore({ client: aws.ddb.client, table })
    const approvals = new DynamoDbApprovalStore({ client: aws.ddb.client, table })
    const facts = new DynamoDbFactsStore({ client: aws.ddb.client, table })
    let clock = new Date(HISTORY[0]?.ts ?? 0)
    const now = () => clock
    const rulebook = { current: async () => policy }
    // Rule states read fresh (production caches them a minute), as the replay's supervisor does.
    const media = new MapMedia()
    await media.put('ad.png', new Uint8Array(picture))
    const visionDeps = { media, moderate: q<ModerateRequest>(moderateQ), facts, ...(await localEyes()) }
    const moderateGuard = new Guard({ store, config, supervision: new StoredRuleModes(approvals, 0), learned: { policy, facts }, now })
    const supervisionDeps = { approvals, actions: q<ActionRequest>(actionsQ), rooms: store, config, rulebook, now }
    const consumers: [string, (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>][] = [
      [
        events,
        (e, c) =>
          ingestBatch(
            {
              guard: new Guard({ store, config }),
              store,
              judge: { guard: moderateGuard, actions: q(actionsQ), approvals: q(approvalsQ) },
              vision: q(visionQ),
              approvals: q(approvalsQ),
            },
            e,
            c,
          ),
      ],
      [visionQ, (e, c) => visionBatch(visionDeps, e, c)],
      [moderateQ, (e, c) => moderateBatch({ guard: moderateGuard, actions: q(actionsQ), approvals: q(approvalsQ), facts }, e, c)],
      [approvalsQ, (e, c) => approvalsBatch(supervisionDeps, e, c)],
    ]
    const drain = async () => {
      for (let busy = true; busy; ) {
        busy = false
        for (const [url, handler] of consumers) {
          const r = await pollOnce(aws.sqs, url, handler)
          expect(r.failed).toBe(0)
          if (r.received) busy = true
        }
      }
    }
    const sent: ActionRequest[] = []
    const collect = async () => {
      for (;;) {
        const r = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: actionsQ, MaxNumberOfMessages: 10 }))
        if (!r.Messages?.length) return
        for (const m of r.Messages) {
          sent.push(JSON.parse(m.Body ?? '{}') as ActionRequest)
          await aws.sqs.send(new DeleteMessageCommand({ QueueUrl: actionsQ, ReceiptHandle: m.ReceiptHandle }))
        }
      }
    }
    for (const e of HISTORY) {
      clock = new Date(e.ts)
      await monitor({ registry: new MemoryBotRegistry(), ...supervisionDeps })
      await collect()
      await q<GroupEvent>(events).send({ group: 'room' in e ? e.room : e.kind, dedupeId: e.id, body: e })
      await drain()
      await collect()
    }
    const stored = await store.listDecisions()
    const shadowIds = new Set(stored.filter((d) => d.mode === 'shadow').map((d) => d.id))
    const approved = sent.filter((a) => shadowIds.has(a.decisionId)).map((a) => decisionLine({ ...a.decision, mode: 'active' }))
    const inCloud = [...stored.map(decisionLine), ...approved]
    const toldInCloud = sent.filter((a) => a.decision.rule === 'supervision').map((a) => [a.ownerId, a.text])

    // What the history is meant to show, so that "alike" is not "alike and empty".
    expect(replayed.map((d) => `${d.event} ${d.rule} ${d.action}/${d.mode}`)).toEqual(
      expect.arrayContaining([
        'n1-link learned:link:joined@24h ask-owner/shadow',
        'n1-link learned:link:joined@24h remove/active',
        'm1-ad1 no-ads warn/active',
        'pic-ad no-ads warn/active',
        'm1-ad3 no-ads remove/active',
      ]),
    )
    const texts = toldInReplay.map(([, t]) => t).join('\n')
    for (const w of ['审批 #1', '已同意 #1', '待审批', '#3', '安静', '日报']) expect(texts).toContain(w)

    expect(sorted(inCloud)).toEqual(sorted(replayed))
    expect(toldInCloud).toEqual(toldInReplay)
  }, 120_000)
})
