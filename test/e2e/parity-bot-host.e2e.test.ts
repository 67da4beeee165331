/**
 * One core, two runtimes, from the bot host on: a WeChat world on wechaty-puppet-mock runs
 * through the AWS shape (bot host with QunGuardRelay → events queue on fauxqs → the real ingest,
 * moderate and approvals handlers → DynamoDB Local → action queue → the bot host carries actions
 * out), and the events the bot host produced are then replayed with `qunguard replay`. Decisions
 * and what the owner was told must be the same.
 *
 * The world: keyword rules with their ladder, a shadow room whose proposal the owner approves, and a
 * learned rule (a newcomer's web address, in trial) whose request the owner approves too.
 * (parity.e2e.test.ts feeds a longer history — a rulebook learned from a history, digests, quiet
 * mode, the daily report, a picture — from the events queue on, with each runtime's clock at the
 * event's time.)
 */
import { CreateQueueCommand } from '@aws-sdk/client-sqs'
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { decisionLine } from '../../bin/commands/replay.ts'
import { QunGuardRelay } from '../../bot-host/cloud-relay.ts'
import { MockWorld } from '../../bot-host/mock-world.ts'
import { DynamoDbApprovalStore } from '../../functions/adapters/aws/dynamodb-approval-store.ts'
import { DynamoDbFactsStore } from '../../functions/adapters/aws/dynamodb-facts-store.ts'
import { DynamoDbGuardStore } from '../../functions/adapters/aws/dynamodb-guard-store.ts'
import { SqsMessageQueue } from '../../functions/adapters/aws/sqs-message-queue.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import type { Decision, GroupEvent } from '../../functions/domain/events.ts'
import { Guard } from '../../functions/domain/guard.ts'
import { policyToJson } from '../../functions/domain/learning/policy-file.ts'
import type { LearnedPolicy } from '../../functions/domain/learning/rule-learner.ts'
import { type LearnedRule, sentence } from '../../functions/domain/learning/rules.ts'
import { StoredRuleModes } from '../../functions/domain/supervision/stored-rule-modes.ts'
import { approvalsBatch } from '../../functions/handlers/approvals.ts'
import { ingestBatch } from '../../functions/handlers/ingest.ts'
import { moderateBatch } from '../../functions/handlers/moderate.ts'
import type { ActionRequest } from '../../functions/ports/action-executor.port.ts'
import { dynamoDbLocalUnavailable } from '../helpers/dynamodb-local.ts'
import { pollOnce } from '../helpers/local-lambda-poller.ts'
import { useLoopbackAws } from '../helpers/loopback-aws.ts'
import { replayEvents } from '../helpers/replay-run.ts'

const unavailable = dynamoDbLocalUnavailable()
if (unavailable && process.env.CI) throw new Error(`DynamoDB Local is needed in CI: ${unavailable}`)

const CONFIG = `
groups:
  "*":
    rules:
      - id: no-ads
        any: ["加微信"]
  "试运行群":
    mode: shadow
`

/** A rulebook as retraining would write it: in 亲子群, a newcomer's web address is put to the owner (trial). */
function rulebook(room: string): LearnedPolicy {
  const base: Omit<LearnedRule, 'sentence'> = {
    id: 'learned:address:joined@24h',
    room,
    what: 'address',
    who: 'joined',
    tenureH: 24,
    action: 'remove',
    mode: 'shadow',
    evidence: { matched: 12, labelled: 9, rate: 0.75, precision: 1, announced: false },
  }
  return {
    version: 1,
    createdAt: '2026-12-01T00:00:00.000Z',
    rooms: { [room]: { rules: [{ ...base, sentence: sentence(base) }], actionRate: 0.75, topic: '亲子群' } },
    stats: { events: 1000, messages: 900, labelled: 40 },
  }
}

const sorted = (lines: Decision[]) => [...lines].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))

describe.skipIf(unavailable !== undefined)('the bot host on wechaty-puppet-mock through AWS, and replay of what it sent', () => {
  const aws = useLoopbackAws()

  it('gives the same decisions and the same owner messages', async () => {
    const config = parseConfig(YAML.parse(CONFIG))
    const queue = async (name: string) =>
      (await aws.sqs.send(new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes: { FifoQueue: 'true' } }))).QueueUrl ?? ''
    const [events = '', moderateQ = '', visionQ = '', approvalsQ = '', actionsQ = ''] = await Promise.all(
      ['b-events', 'b-moderate', 'b-vision', 'b-approvals', 'b-actions'].map(queue),
    )
    const q = <T>(url: string) => new SqsMessageQueue<T>({ client: aws.sqs, queueUrl: url })
    const table = await aws.ddb.createTable()
    const store = new DynamoDbGuardStore({ client: aws.ddb.client, table })
    const approvals = new DynamoDbApprovalStore({ client: aws.ddb.client, table })
    const policy = rulebook('parity-room@chatroom')
    const facts = new DynamoDbFactsStore({ client: aws.ddb.client, table })
    const guard = new Guard({ store, config, supervision: new StoredRuleModes(approvals, 0), learned: { policy, facts } })
    const actions = q<ActionRequest>(actionsQ)
    // What the bot host sent, in the order ingest received it: the history replay reads.
    const produced: GroupEvent[] = []
    const consumers: [string, (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>][] = [
      [
        events,
        (e, c) => {
          for (const r of e.Records) {
            const event = JSON.parse(r.body) as GroupEvent
            if (!produced.some((p) => p.id === event.id)) produced.push(event)
          }
          return ingestBatch(
            { guard, store, judge: { guard, actions, approvals: q(approvalsQ) }, vision: q(visionQ), approvals: q(approvalsQ) },
            e,
            c,
          )
        },
      ],
      [moderateQ, (e, c) => moderateBatch({ guard, actions, approvals: q(approvalsQ) }, e, c)],
      [approvalsQ, (e, c) => approvalsBatch({ approvals, actions, rooms: store, config, rulebook: { current: async () => policy } }, e, c)],
    ]
    // The bot host keeps what it carried out, to compare with replay's decisions.
    const carried: ActionRequest[] = []
    const recording = {
      receive: async (o?: Parameters<typeof actions.receive>[0]) => {
        const got = await actions.receive(o)
        for (const m of got) if (!carried.some((c) => c.decisionId === m.body.decisionId && c.text === m.body.text)) carried.push(m.body)
        return got
      },
      ack: actions.ack.bind(actions),
      release: actions.release.bind(actions),
      send: actions.send.bind(actions),
      sendMany: actions.sendMany.bind(actions),
    }
    const relay = QunGuardRelay({ events: q<GroupEvent>(events), actions: recording, waitSeconds: 0 })
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
    let inCloud: Decision[]
    let toldInCloud: string[]
    try {
      const owner = world.contact('群主', 'wxid_owner')
      const marketer = world.contact('推广员', 'wxid_promo')
      const member = world.contact('老王', 'wxid_m1')
      const room = world.room('亲子群', { owner, members: [marketer, member], id: 'parity-room@chatroom' })
      const trial = world.room('试运行群', { owner, members: [marketer, member], id: 'parity-trial@chatroom' })
      // Each step is carried through the pipeline before the next: events of different rooms are
      // then judged in the order they happened, as replay judges them (across rooms, SQS FIFO
      // keeps no order, and requests are numbered in the order they are judged).
      const step = async (say: () => Promise<void>) => {
        await say()
        await relay.idle()
        await runLambdas(() => true)
      }
      await step(() => world.say(member, room, '大家好'))
      for (const text of ['加微信 1', '加微信 2', '加 微 信 3']) await step(() => world.say(marketer, room, text))
      await step(() => world.say(marketer, trial, '加微信 试试'))
      const ask = world.said(owner).find((t) => t.includes('试运行群'))
      const n = /审批 #(\d+)/.exec(ask ?? '')?.[1]
      expect(n).toBeDefined()
      await step(() => world.say(owner, world.self, `Y${n}`))
      // A newcomer's web address: the learned rule's trial asks the owner, who approves the removal.
      const newcomer = world.contact('新来的', 'wxid_new')
      await step(() => world.join(room, newcomer, member))
      await step(() => world.say(newcomer, room, '看看这个 www.abc777.top 好东西'))
      const learnedAsk = world.said(owner).find((t) => t.includes('新来的'))
      const m = /审批 #(\d+)/.exec(learnedAsk ?? '')?.[1]
      expect(m).toBeDefined()
      await step(() => world.say(owner, world.self, `Y${m}`))

      const stored = await store.listDecisions()
      const shadowIds = new Set(stored.filter((d) => d.mode === 'shadow').map((d) => d.id))
      const approved = carried.filter((a) => shadowIds.has(a.decisionId)).map((a) => decisionLine({ ...a.decision, mode: 'active' }))
      inCloud = [...stored.map(decisionLine), ...approved]
      toldInCloud = world.said(owner)
      // What this world is meant to show, so that "alike" is not "alike and empty".
      expect(world.removed(room)).toEqual([marketer.id, newcomer.id])
      expect(world.said(trial)).toEqual([expect.stringContaining('第 1 次提醒')])
      expect(toldInCloud.join('\n')).toContain(`已同意 #${n}`)
      expect(toldInCloud.at(-1)).toContain(`已同意 #${m}`)
    } finally {
      await relay.stop()
      await world.stop()
    }

    // —— replay of what the bot host sent ——
    const { decisions: replayed, told } = await replayEvents(produced, CONFIG, { policy: policyToJson(policy) })
    const toldInReplay = told.filter(([to]) => to === 'wxid_owner').map(([, text]) => text)

    expect(replayed.map((d) => `${d.target} ${d.rule} ${d.action}/${d.mode}`).sort()).toEqual([
      // The learned rule's proposal, and the removal the owner's Y carried out.
      'wxid_new learned:address:joined@24h ask-owner/shadow',
      'wxid_new learned:address:joined@24h remove/active',
      'wxid_promo no-ads remove/active',
      'wxid_promo no-ads warn/active',
      'wxid_promo no-ads warn/active',
      // The trial room's decision in shadow, and the warning the owner's Y carried out.
      'wxid_promo no-ads warn/active',
      'wxid_promo no-ads warn/shadow',
    ])
    expect(sorted(inCloud)).toEqual(sorted(replayed))
    expect(toldInCloud).toEqual(toldInReplay)
  }, 120_000)
})
