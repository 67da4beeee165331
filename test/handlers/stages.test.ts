/**
 * vision, moderate (with the classifier), approvals, learn and monitor as single domain calls
 * behind their handler functions. Stores and queues are the memory/SQLite adapters here (their
 * AWS twins pass the same contract suites); Textract, Rekognition and SageMaker are mocked at
 * the SDK with aws-sdk-client-mock, so the real adapters run.
 */

import { DetectFacesCommand, DetectLabelsCommand, DetectModerationLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition'
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import { DetectDocumentTextCommand, TextractClient } from '@aws-sdk/client-textract'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { AwsVision } from '../../functions/adapters/aws/aws-vision.ts'
import { SageMakerTextClassifier } from '../../functions/adapters/aws/sagemaker-text-classifier.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { ZxingLiteQrReader } from '../../functions/adapters/local/zxing-lite-qr-reader.ts'
import { MemoryApprovalStore } from '../../functions/adapters/memory/memory-approval-store.ts'
import { MemoryBotRegistry } from '../../functions/adapters/memory/memory-bot-registry.ts'
import { MemoryFactsStore } from '../../functions/adapters/memory/memory-facts-store.ts'
import { AdClassifier } from '../../functions/domain/ad-classifier.ts'
import { withFallback } from '../../functions/domain/classifier-fallback.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import { Guard, type RuleModes } from '../../functions/domain/guard.ts'
import type { ApprovalsRequest, ModerateRequest } from '../../functions/domain/stage-messages.ts'
import { IN_PROCESS_MODEL_KEY, StoredClassifier } from '../../functions/domain/stored-classifier.ts'
import { StoredRuleModes } from '../../functions/domain/supervision/stored-rule-modes.ts'
import { approvalsBatch, sendEffects } from '../../functions/handlers/approvals.ts'
import { learn } from '../../functions/handlers/learn.ts'
import { moderateBatch } from '../../functions/handlers/moderate.ts'
import { monitor } from '../../functions/handlers/monitor.ts'
import { visionBatch } from '../../functions/handlers/vision.ts'
import type { ActionRequest } from '../../functions/ports/action-executor.port.ts'
import { account, at, message, roomSnapshot } from '../helpers/factories.ts'
import { lambdaContext, sqsEvent, sqsRecord } from '../helpers/lambda.ts'
import { MapMedia } from '../helpers/map-media.ts'
import { MemoryQueue } from '../helpers/memory-queue.ts'
import { hugeDeclaredPng, notAPicture, qrPicture } from '../helpers/pictures.ts'

const textract = mockClient(TextractClient)
const rekognition = mockClient(RekognitionClient)
/** Rekognition finds no labels, faces or unsafe content. */
const rekognitionSeesNothing = () => {
  rekognition.on(DetectLabelsCommand).resolves({ Labels: [] })
  rekognition.on(DetectFacesCommand).resolves({ FaceDetails: [] })
  rekognition.on(DetectModerationLabelsCommand).resolves({ ModerationLabels: [] })
}
const sagemaker = mockClient(SageMakerRuntimeClient)
const sdkError = (name: string, message: string) => Object.assign(new Error(message), { name })
const json = (o: unknown) => new TextEncoder().encode(JSON.stringify(o)) as never

const records = <T>(bodies: T[]) => sqsEvent(bodies.map((b) => sqsRecord(JSON.stringify(b), 'g')))

beforeAll(() => {
  vi.spyOn(console, 'info').mockImplementation(() => {})
  vi.spyOn(console, 'warn').mockImplementation(() => {})
})
beforeEach(() => {
  textract.reset()
  rekognition.reset()
  sagemaker.reset()
})

describe('Handler: vision', () => {
  const vision = new AwsVision({
    textract: new TextractClient({ region: 'us-east-1' }),
    rekognition: new RekognitionClient({ region: 'us-east-1' }),
  })

  it('reads the picture from the media store and hands text and facts to moderate', async () => {
    const media = new MapMedia()
    await media.put('media/r1/a.jpg', new Uint8Array([1, 2, 3]))
    textract.on(DetectDocumentTextCommand).resolves({ Blocks: [{ BlockType: 'LINE', Text: 'SCAN TO ADD', Confidence: 99 }] })
    rekognition.on(DetectLabelsCommand).resolves({ Labels: [{ Name: 'QR Code', Confidence: 97 }] })
    rekognition.on(DetectFacesCommand).resolves({ FaceDetails: [] })
    rekognition.on(DetectModerationLabelsCommand).resolves({ ModerationLabels: [] })
    const moderate = new MemoryQueue<ModerateRequest>()
    const event = message({ type: 'image', media: 'media/r1/a.jpg' })
    const r = await visionBatch({ media, vision, moderate }, records([{ event }]), lambdaContext('vision'))
    expect(r.batchItemFailures).toEqual([])
    expect(moderate.take()).toEqual([
      { event, imageText: 'SCAN TO ADD', image: { labels: [{ name: 'QR Code', confidence: 0.97 }], faces: 0, nsfw: 0, unsafeLabels: [] } },
    ])
    expect(textract.commandCalls(DetectDocumentTextCommand)[0]?.args[0].input).toEqual({ Document: { Bytes: new Uint8Array([1, 2, 3]) } })
  })

  it('hears a voice message: decodes it and hands the transcript to moderate', async () => {
    const media = new MapMedia()
    await media.put('media/r1/v.sil', new Uint8Array([2, 35, 33]))
    const moderate = new MemoryQueue<ModerateRequest>()
    const decoded: number[] = []
    const voice = {
      decoder: {
        decode: async (b: Uint8Array) => {
          decoded.push(b.byteLength)
          return { samples: new Uint8Array(2), sampleRate: 16_000, durationMs: 1 }
        },
      },
      stt: { transcribe: async () => '加我微信领红包' },
    }
    const event = message({ type: 'voice', media: 'media/r1/v.sil' })
    await visionBatch({ media, vision, moderate, voice }, records([{ event }]), lambdaContext('vision'))
    expect(decoded).toEqual([3])
    expect(moderate.take()).toEqual([{ event, voiceText: '加我微信领红包' }])
    const failing = { ...voice, stt: { transcribe: async () => Promise.reject(new Error('Transcribe is down')) } }
    await visionBatch({ media, vision, moderate, voice: failing }, records([{ event: { ...event, id: 'v2' } }]), lambdaContext('vision'))
    expect(moderate.take()).toEqual([{ event: { ...event, id: 'v2' }, visionError: 'Transcribe is down' }])
  })

  it('decodes the QR codes of a picture and adds what they point to to its text', async () => {
    const media = new MapMedia()
    await media.put('media/r1/qr.png', new Uint8Array(await qrPicture('https://weixin.qq.com/g/AbC123')))
    textract.on(DetectDocumentTextCommand).resolves({ Blocks: [{ BlockType: 'LINE', Text: 'SCAN TO JOIN', Confidence: 99 }] })
    rekognitionSeesNothing()
    const moderate = new MemoryQueue<ModerateRequest>()
    const event = message({ type: 'image', media: 'media/r1/qr.png' })
    const qr = await ZxingLiteQrReader.create()
    await visionBatch({ media, vision, moderate, qr }, records([{ event }]), lambdaContext('vision'))
    expect(moderate.take()[0]).toMatchObject({
      qr: ['https://weixin.qq.com/g/AbC123'],
      imageText: 'SCAN TO JOIN\nhttps://weixin.qq.com/g/AbC123 [微信群二维码]',
    })
    await expect(qr.read(await hugeDeclaredPng())).rejects.toMatchObject({ kind: 'too-large' })
    await expect(qr.read(notAPicture())).rejects.toMatchObject({ kind: 'bad-image' })
  })

  it('hands on the kinds of personal numbers a picture holds, never the numbers', async () => {
    const media = new MapMedia()
    await media.put('media/r1/id.jpg', new Uint8Array([1, 2, 3]))
    textract.on(DetectDocumentTextCommand).resolves({ Blocks: [{ BlockType: 'LINE', Text: 'ID 513701199507176346', Confidence: 99 }] })
    rekognitionSeesNothing()
    const moderate = new MemoryQueue<ModerateRequest>()
    const event = message({ type: 'image', media: 'media/r1/id.jpg' })
    await visionBatch({ media, vision, moderate }, records([{ event }]), lambdaContext('vision'))
    const [next] = moderate.take()
    expect(next).toMatchObject({ pii: ['id-card'], imageText: 'ID 5137************46' })
    expect(JSON.stringify(next)).not.toContain('513701199507176346')
  })

  it('passes an unreadable or missing picture on without facts, and retries when throttled', async () => {
    const media = new MapMedia()
    await media.put('media/r1/bad.jpg', new Uint8Array([0]))
    textract.on(DetectDocumentTextCommand).rejects(sdkError('UnsupportedDocumentException', 'unsupported'))
    rekognition.on(DetectLabelsCommand).rejects(sdkError('InvalidImageFormatException', 'bad'))
    const moderate = new MemoryQueue<ModerateRequest>()
    const bad = message({ type: 'image', media: 'media/r1/bad.jpg' })
    const gone = message({ type: 'image', media: 'media/r1/gone.jpg' })
    expect(
      (await visionBatch({ media, vision, moderate }, records([{ event: bad }, { event: gone }]), lambdaContext())).batchItemFailures,
    ).toEqual([])
    expect(moderate.take().map((m) => [m.event.id, m.imageText, Boolean(m.visionError)])).toEqual([
      [bad.id, undefined, true],
      [gone.id, undefined, true],
    ])

    textract.on(DetectDocumentTextCommand).rejects(sdkError('ThrottlingException', 'slow down'))
    const r = await visionBatch({ media, vision, moderate }, records([{ event: bad }]), lambdaContext())
    expect(r.batchItemFailures).toHaveLength(1)
    expect(moderate.take()).toEqual([])
  })
})

describe('识别 / 评分 on AWS: vision remembers, moderate answers', () => {
  const vision = new AwsVision({
    textract: new TextractClient({ region: 'us-east-1' }),
    rekognition: new RekognitionClient({ region: 'us-east-1' }),
  })

  it('vision keeps what it read and passes a request on after the picture; moderate answers in the group, masked', async () => {
    const media = new MapMedia()
    await media.put('media/r1/card.png', new Uint8Array(await qrPicture('hello')))
    textract.on(DetectDocumentTextCommand).resolves({ Blocks: [{ BlockType: 'LINE', Text: '会员卡 电话 13812345678', Confidence: 99 }] })
    rekognition.on(DetectLabelsCommand).resolves({ Labels: [] })
    rekognition.on(DetectModerationLabelsCommand).resolves({ ModerationLabels: [] })
    rekognition.on(DetectFacesCommand).resolves({
      FaceDetails: [
        {
          BoundingBox: { Left: 0.3, Top: 0.2, Width: 0.4, Height: 0.45 },
          Confidence: 99,
          Smile: { Value: true, Confidence: 90 },
          Quality: { Brightness: 55, Sharpness: 80 },
        },
      ],
    })
    const facts = new MemoryFactsStore()
    const moderate = new MemoryQueue<ModerateRequest>()
    const picture = message({ id: 'pic1', ts: at(1), type: 'image', media: 'media/r1/card.png' })
    const ask = message({ id: 'ask1', ts: at(2), sender: 'wxid_b', text: '识别' })
    await visionBatch({ media, vision, moderate, facts }, records([{ event: picture }, { event: ask }]), lambdaContext('vision'))
    const [seen, request] = moderate.take()
    expect(seen?.event.id).toBe('pic1')
    expect(request).toEqual({ event: ask })
    const [kept] = await facts.recentPictures('r1', 0, 5)
    expect(kept).toMatchObject({ id: 'pic1', text: '会员卡 电话 138****5678', header: { format: 'png' }, quality: { brightness: 0.55 } })
    expect(JSON.stringify(kept)).not.toContain('13812345678')

    const { guard } = await primedGuard()
    const actions = new MemoryQueue<ActionRequest>()
    const deps = { guard, actions, approvals: new MemoryQueue<ApprovalsRequest>(), facts }
    await moderateBatch(deps, records([seen, request]), lambdaContext('moderate'))
    const replies = actions.take()
    expect(replies).toEqual([expect.objectContaining({ text: '[qunguard] 图片文字：\n会员卡 电话 138****5678', messageId: 'ask1' })])
    expect(replies[0]?.decision).toMatchObject({ action: 'reply', room: 'r1', target: 'wxid_b' })
    // Redelivered: the same reply again under the same deduplication id (SQS drops the repeat).
    const sent: string[] = []
    await moderateBatch(
      { ...deps, actions: { send: async (m: { dedupeId: string }) => void sent.push(m.dedupeId) } as never },
      records([request]),
      lambdaContext(),
    )
    expect(sent).toEqual(['reply-ask1'])
  })
})

async function primedGuard(classifierRule?: { threshold: number; action: 'warn' }, supervision?: RuleModes) {
  const store = SqliteGuardStore.open(':memory:')
  const guard = new Guard({
    store,
    config: parseConfig({ groups: { '*': { rules: [{ id: 'no-ads', any: ['加微信'] }] } } }),
    classifierRule,
    supervision,
  })
  await guard.handleEvent(account('wxid_bot'))
  await guard.handleEvent(roomSnapshot({ topic: '亲子群' }))
  return { store, guard }
}

describe('Handler: moderate with the SageMaker classifier', () => {
  const classifier = new SageMakerTextClassifier({ client: new SageMakerRuntimeClient({ region: 'us-east-1' }), endpointName: 'ep' })

  it('sends a high-scoring message to approvals as a proposal, not to actions', async () => {
    sagemaker.on(InvokeEndpointCommand).resolves({ Body: json([{ label: ['__label__spam', '__label__ham'], prob: [0.96, 0.04] }]) })
    const { guard } = await primedGuard({ threshold: 0.9, action: 'warn' })
    const actions = new MemoryQueue<ActionRequest>()
    const approvals = new MemoryQueue<ApprovalsRequest>()
    const event = message({ text: '代理招募 日入过千' })
    const r = await moderateBatch({ guard, classifier, actions, approvals }, records([{ event }]), lambdaContext('moderate'))
    expect(r.batchItemFailures).toEqual([])
    expect(actions.take()).toEqual([])
    const [proposal] = approvals.take()
    expect(proposal).toMatchObject({
      kind: 'decision',
      decision: { decision: { mode: 'shadow' }, proposal: { request: { ownerId: 'wxid_owner', decision: { rule: 'ad-classifier' } } } },
    })
  })

  it('falls back to the in-process model learn saved while the endpoint does not exist', async () => {
    sagemaker.on(InvokeEndpointCommand).rejects(sdkError('ValidationError', 'Endpoint ep of account 1 not found.'))
    const media = new MapMedia()
    const ads = ['刷单返利 日赚三百', '兼职日结 私聊', '代理招募 日入过千', '扫码领优惠券']
    const chat = ['明天几点集合', '作业写完了吗', '周末去公园', '谢谢大家']
    const examples = [...ads.map((text) => ({ text, label: 'spam' as const })), ...chat.map((text) => ({ text, label: 'ham' as const }))]
    await media.put(IN_PROCESS_MODEL_KEY, AdClassifier.train([...examples, ...examples, ...examples], { bits: 12 }).toBytes())
    const classifier = withFallback(
      new SageMakerTextClassifier({ client: new SageMakerRuntimeClient({ region: 'us-east-1' }), endpointName: 'ep' }),
      new StoredClassifier({ media, key: IN_PROCESS_MODEL_KEY }),
    )
    const { guard } = await primedGuard({ threshold: 0.6, action: 'warn' })
    const approvals = new MemoryQueue<ApprovalsRequest>()
    await moderateBatch(
      { guard, classifier, actions: new MemoryQueue<ActionRequest>(), approvals },
      records([{ event: message({ text: '兼职刷单 日赚' }) }]),
      lambdaContext(),
    )
    expect(approvals.take().map((a) => a.kind === 'decision' && a.decision.proposal?.request.decision.rule)).toEqual(['ad-classifier'])
  })

  it('judges by rules alone while no model exists, and retries while the endpoint throttles', async () => {
    const { guard } = await primedGuard({ threshold: 0.9, action: 'warn' })
    const actions = new MemoryQueue<ActionRequest>()
    const approvals = new MemoryQueue<ApprovalsRequest>()
    sagemaker.on(InvokeEndpointCommand).rejects(sdkError('ValidationError', 'Endpoint ep of account 1 not found.'))
    const ad = message({ text: '加微信' })
    await moderateBatch({ guard, classifier, actions, approvals }, records([{ event: ad }]), lambdaContext())
    expect(actions.take().map((a) => a.decision.rule)).toEqual(['no-ads'])
    // Supervision counts the active decision too (its rule's record; a review in the next digest).
    expect(approvals.take().map((a) => a.kind === 'decision' && [a.decision.decision.mode, a.decision.decision.rule])).toEqual([
      ['active', 'no-ads'],
    ])

    sagemaker.on(InvokeEndpointCommand).rejects(sdkError('ThrottlingException', 'slow'))
    const r = await moderateBatch({ guard, classifier, actions, approvals }, records([{ event: message({ text: 'x' }) }]), lambdaContext())
    expect(r.batchItemFailures).toHaveLength(1)
  })
})

describe('Handler: moderate, redelivered', () => {
  it('sends on the retry what a first try stored but could not send', async () => {
    const { guard } = await primedGuard()
    const approvals = new MemoryQueue<ApprovalsRequest>()
    const actions = new MemoryQueue<ActionRequest>()
    let failNext = true
    const flaky = {
      ...actions,
      send: async (r: Parameters<MemoryQueue<ActionRequest>['send']>[0]) => {
        if (failNext) {
          failNext = false
          throw new Error('SQS unreachable')
        }
        return actions.send(r)
      },
    } as MemoryQueue<ActionRequest>
    const event = records([{ event: message({ text: '加微信' }) }])
    expect((await moderateBatch({ guard, actions: flaky, approvals }, event, lambdaContext())).batchItemFailures).toHaveLength(1)
    expect(actions.take()).toEqual([])
    expect((await moderateBatch({ guard, actions: flaky, approvals }, event, lambdaContext())).batchItemFailures).toEqual([])
    expect(actions.take().map((a) => [a.decision.action, a.text])).toEqual([['warn', expect.stringContaining('第 1 次提醒')]])
  })
})

describe('Handler: approvals', () => {
  let guard: Guard
  let rooms: SqliteGuardStore
  const config = (expiryHours = 24) =>
    parseConfig({ groups: { '*': { rules: [{ id: 'no-ads', any: ['加微信'] }] } }, supervision: { expiryHours } })
  beforeAll(async () => {
    const primed = await primedGuard({ threshold: 0.9, action: 'warn' })
    guard = primed.guard
    rooms = primed.store
  })
  async function proposalFor(text: string) {
    const r = await guard.handleEvent(message({ text, sender: 'wxid_promo', senderName: '推广员' }), { spamScore: 0.99 })
    if (r.status !== 'stored' || !r.decisions[0]?.proposal) throw new Error('no proposal')
    return r.decisions[0].proposal
  }
  const answer = (sender: string, text: string, id = `p-${Math.random()}`) => ({
    kind: 'answer' as const,
    event: { kind: 'private' as const, id, ts: at(5), sender, text },
  })

  it('sends an invitation back (an upheld appeal) to the bot host, once per answer', async () => {
    const actions = new MemoryQueue<ActionRequest>()
    const request: ActionRequest = {
      decisionId: -1,
      decision: {
        event: 'm1',
        room: 'r1',
        target: 'wxid_mum',
        action: 'alert-owner',
        mode: 'active',
        rule: 'appeal',
        score: 1,
        reason: '申诉 #1 已支持，邀请回群',
      },
      messageId: 'm1',
      text: '[qunguard] 本账号无法邀请成员入群：请你把 小美妈妈 邀请回群「学校家长群」（申诉 #1 已支持）。',
      ownerId: 'wxid_owner',
      invite: true,
    }
    await sendEffects(actions, [{ kind: 'invite', request }], 'answer-p1')
    await sendEffects(actions, [{ kind: 'invite', request }], 'answer-p1') // a retried answer: the same deduplication id
    const sent = actions.take()
    expect(sent.map((r) => [r.invite, r.decision.target, r.ownerId])).toEqual([[true, 'wxid_mum', 'wxid_owner']])
  })

  it('asks the owner with a numbered request; Y carries the action out, N leaves the member alone', async () => {
    const approvals = new MemoryApprovalStore()
    const actions = new MemoryQueue<ActionRequest>()
    const deps = { approvals, actions, rooms, config: config(), now: () => new Date('2026-03-01T12:10:00Z') }
    const p1 = await proposalFor('刷单返现')
    const p2 = await proposalFor('兼职日结')
    await approvalsBatch(
      deps,
      records([
        { kind: 'proposal', proposal: p1 },
        { kind: 'proposal', proposal: p2 },
      ]),
      lambdaContext('approvals'),
    )
    const asks = actions.take()
    expect(asks.map((a) => [a.decision.action, a.ownerId])).toEqual([
      ['alert-owner', 'wxid_owner'],
      ['alert-owner', 'wxid_owner'],
    ])
    expect(asks[0]?.text).toContain('审批 #1')
    expect(asks[0]?.text).toContain('成员：推广员')
    expect(asks[0]?.text).not.toMatch(/wxid_|quiet|owner/)
    expect(asks[1]?.text).toContain('审批 #2')

    await approvalsBatch(deps, records([answer('wxid_owner', 'Y1'), answer('wxid_owner', '拒绝２')]), lambdaContext())
    const done = actions.take()
    expect(done.map((a) => [a.decision.action, a.decision.mode, a.ownerId])).toEqual([
      ['warn', 'active', 'wxid_owner'], // request 1, carried out
      ['alert-owner', 'active', 'wxid_owner'], // receipt for Y1
      ['alert-owner', 'active', 'wxid_owner'], // receipt for N2
    ])
    expect(done[1]?.text).toContain('已同意 #1')
    expect(done[2]?.text).toContain('已拒绝 #2')
    expect(await approvals.getRule('r1', 'ad-classifier')).toMatchObject({ fired: 2, approved: 1, rejected: 1 })
  })

  it('does nothing for someone else’s Y1 or a late answer, and ignores ordinary chat (strangers get no answer)', async () => {
    const approvals = new MemoryApprovalStore()
    const actions = new MemoryQueue<ActionRequest>()
    let now = new Date('2026-03-01T12:10:00Z')
    const deps = { approvals, actions, rooms, config: config(1), now: () => now }
    await approvalsBatch(deps, records([{ kind: 'proposal', proposal: await proposalFor('加我领券') }]), lambdaContext())
    actions.take()
    await approvalsBatch(deps, records([answer('wxid_stranger', 'Y1'), answer('wxid_owner', '今天天气不错')]), lambdaContext())
    expect(actions.take()).toEqual([])
    now = new Date('2026-03-01T14:00:00Z')
    await approvalsBatch(deps, records([answer('wxid_owner', 'Y1')]), lambdaContext())
    expect(actions.take().map((a) => a.decision.action)).toEqual(['alert-owner'])
    expect(await approvals.get('wxid_owner', 1)).toMatchObject({ status: 'open' })
  })

  it('promotes a rule after five approvals, tells the owner, and moderate then lets it act alone', async () => {
    const approvals = new MemoryApprovalStore()
    const actions = new MemoryQueue<ActionRequest>()
    const deps = { approvals, actions, rooms, config: config(), now: () => new Date('2026-03-01T12:10:00Z') }
    for (let i = 1; i <= 5; i++) {
      await approvalsBatch(deps, records([{ kind: 'proposal', proposal: await proposalFor(`刷单返现 ${i}`) }]), lambdaContext())
      await approvalsBatch(deps, records([answer('wxid_owner', `Y${i}`)]), lambdaContext())
    }
    const change = actions.take().find((a) => a.text.includes('试运行 → 自动执行'))
    // Named for the owner: the group by its name, the rule by its Chinese name, never ids.
    expect(change?.text).toContain('群「亲子群」规则「广告分类器」')
    expect(await approvals.getRule('r1', 'ad-classifier')).toMatchObject({ state: 'active', approved: 5, fired: 5 })
    const { guard: promoted } = await primedGuard({ threshold: 0.9, action: 'warn' }, new StoredRuleModes(approvals))
    const r = await promoted.handleEvent(message({ text: '兼职日结', sender: 'wxid_promo2' }), { spamScore: 0.99 })
    expect(r.status === 'stored' && r.decisions[0]?.decision).toMatchObject({ rule: 'ad-classifier', mode: 'active', action: 'warn' })
  })

  it('counts active decisions, lists them in the monitor’s digest for review, demotes on N, and takes owner commands', async () => {
    const approvals = new MemoryApprovalStore()
    const actions = new MemoryQueue<ActionRequest>()
    let now = new Date('2026-03-01T10:00:00Z')
    const deps = { approvals, actions, rooms, config: config(), now: () => now }
    const { guard: active } = await primedGuard()
    for (const sender of ['wxid_a', 'wxid_b']) {
      const r = await active.handleEvent(message({ text: '加微信', sender }))
      if (r.status !== 'stored') throw new Error(r.status)
      const [decision] = r.decisions
      expect(decision?.decision.mode).toBe('active')
      await approvalsBatch(deps, records([{ kind: 'decision', decision }]), lambdaContext())
    }
    expect(actions.take()).toEqual([]) // reviews wait for the digest
    expect(await approvals.getRule('r1', 'no-ads')).toMatchObject({ state: 'active', fired: 2 })

    now = new Date('2026-03-01T11:05:00Z')
    const tick = await monitor({ registry: new MemoryBotRegistry(), ...deps })
    expect(tick.sent).toBe(1)
    const [digest] = actions.take()
    expect(digest).toMatchObject({ ownerId: 'wxid_owner' })
    expect(digest?.text).toContain('#1')
    expect(digest?.text).toContain('#2')

    await approvalsBatch(deps, records([answer('wxid_owner', 'N1'), answer('wxid_owner', 'N2')]), lambdaContext())
    expect(actions.take().some((a) => a.text.includes('自动执行 → 试运行'))).toBe(true)
    expect(await approvals.getRule('r1', 'no-ads')).toMatchObject({ state: 'shadow', rejected: 2 })

    await approvalsBatch(deps, records([answer('wxid_owner', '安静 开 亲子群')]), lambdaContext())
    expect(actions.take().map((a) => a.ownerId)).toEqual(['wxid_owner'])
    const modes = new StoredRuleModes(approvals)
    expect(await modes.quiet('r1')).toBe(true)
    const { guard: demoted } = await primedGuard(undefined, modes)
    const r = await demoted.handleEvent(message({ text: '加微信', sender: 'wxid_c' }))
    expect(r.status === 'stored' && r.decisions[0]?.decision.mode).toBe('shadow')
  })

  it('dead-letters a malformed record and goes on with the rest', async () => {
    const deps = { approvals: new MemoryApprovalStore(), actions: new MemoryQueue<ActionRequest>(), rooms, config: config() }
    const event = sqsEvent([sqsRecord('{"kind":"proposal"}', 'g'), sqsRecord(JSON.stringify(answer('wxid_owner', 'N1')), 'h')])
    const r = await approvalsBatch(deps, event, lambdaContext())
    expect(r.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }])
  })
})

describe('Handler: learn', () => {
  it('writes the weak-labelled training and validation channels and says whether to train', async () => {
    const { guard, store } = await primedGuard()
    for (let i = 0; i < 12; i++) await guard.handleEvent(message({ text: `加微信 领福利 ${i}`, sender: `wxid_ad${i}`, ts: at(i) }))
    for (let i = 0; i < 40; i++) await guard.handleEvent(message({ text: `明天${i}点 一起吃饭`, sender: `wxid_m${i % 5}`, ts: at(i) }))
    const media = new MapMedia()
    const r = await learn({ store, media, bucket: 'b', minSpam: 10, now: () => new Date('2026-03-02T00:00:00Z') })
    expect(r).toMatchObject({
      spam: 12,
      ham: 36,
      enough: true,
      trainUri: 's3://b/training/20260302T000000/train/',
      modelsUri: 's3://b/models/',
    })
    expect(r.runName).toMatch(/^qunguard-[0-9t]+$/)
    const train = new TextDecoder().decode(media.objects.get('training/20260302T000000/train/train.txt'))
    const validation = new TextDecoder().decode(media.objects.get('training/20260302T000000/validation/validation.txt'))
    expect(train.trim().split('\n').length + validation.trim().split('\n').length).toBe(48)
    expect(train).toContain('__label__spam 加 微 加微 信 微信')
    expect(r.inProcessModel).toBe(IN_PROCESS_MODEL_KEY)
    const model = AdClassifier.fromBytes(media.objects.get(IN_PROCESS_MODEL_KEY) ?? new Uint8Array())
    expect(model.trainedOn).toEqual({ spam: 12, ham: 36 })
    expect((await learn({ store, media, bucket: 'b', minSpam: 50 })).enough).toBe(false)
  })
})

describe('Handler: monitor', () => {
  const request = {
    decisionId: 1,
    decision: { event: 'm', room: 'r1', target: 't', action: 'warn' as const, mode: 'shadow' as const, rule: 'x', score: 1, reason: '' },
    messageId: 'm',
    text: '',
  }
  const base = { owner: 'wxid_owner', room: 'r1', rule: 'x', request, createdAt: '2026-03-01T10:00:00Z' }

  it('counts live and dead bots, expires overdue requests into the rule record and reports the backlog', async () => {
    const registry = new MemoryBotRegistry()
    const approvals = new MemoryApprovalStore()
    const actions = new MemoryQueue<ActionRequest>()
    const { store } = await primedGuard()
    const now = new Date('2026-03-01T12:10:00Z') // 20:10 in Beijing: before the daily report
    await registry.beat({ bot: 'alive', lastBeat: '2026-03-01T12:09:30Z', rooms: ['r1'] })
    await registry.beat({ bot: 'gone', lastBeat: '2026-03-01T12:05:00Z', rooms: ['r2'] })
    await approvals.open({ ...base, decisionId: 1, deadline: '2026-03-01T11:00:00Z' })
    await approvals.open({ ...base, decisionId: 2, deadline: '2026-03-02T10:00:00Z' })
    const deps = { registry, approvals, rooms: store, config: parseConfig({}), actions, heartbeatSeconds: 60, now: () => now }
    expect(await monitor(deps)).toEqual({ live: ['alive'], dead: ['gone'], expired: 1, unverified: 0, sent: 0, backlog: 1 })
    expect(await approvals.get('wxid_owner', 1)).toMatchObject({ status: 'expired' })
    expect(await approvals.getRule('r1', 'x')).toMatchObject({ expired: 1 })
    expect(actions.take()).toEqual([])
  })

  it('tells the owners of a bot that stopped beating, once per silence, which groups another bot carries on', async () => {
    const registry = new MemoryBotRegistry()
    const actions = new MemoryQueue<ActionRequest>()
    const { store } = await primedGuard()
    let now = new Date('2026-03-01T12:10:00Z')
    await registry.beat({ bot: 'wxid_spare', lastBeat: '2026-03-01T12:09:30Z', rooms: ['r1'] })
    await registry.beat({ bot: 'wxid_gone', lastBeat: '2026-03-01T12:05:00Z', rooms: ['r1', 'r9'], host: 'task-7' })
    const deps = {
      registry,
      approvals: new MemoryApprovalStore(),
      rooms: store,
      config: parseConfig({}),
      actions,
      heartbeatSeconds: 60,
      now: () => now,
    }
    expect(await monitor(deps)).toMatchObject({ dead: ['wxid_gone'], sent: 1 })
    const [note] = actions.take()
    expect(note).toMatchObject({ ownerId: 'wxid_owner', decision: { action: 'alert-owner' } })
    expect(note?.text).toBe(
      '[qunguard] 守卫账号 wxid_gone（task-7） 已失联：连续 4 次心跳没有收到，最后一次在 03-01 20:05。\n「亲子群」 由其他守卫账号接手。',
    )
    // Told once; a beat ends the silence, and the next silence is told again.
    now = new Date('2026-03-01T12:11:00Z')
    expect(await monitor(deps)).toMatchObject({ sent: 0 })
    await registry.beat({ bot: 'wxid_gone', lastBeat: '2026-03-01T12:11:30Z', rooms: ['r1'] })
    now = new Date('2026-03-01T12:20:00Z')
    await registry.beat({ bot: 'wxid_spare', lastBeat: '2026-03-01T12:19:50Z', rooms: [] })
    expect(await monitor(deps)).toMatchObject({ sent: 1 })
    expect(actions.take()[0]?.text).toContain('「亲子群」 现在没有守卫')
  })

  it('sends each owner the daily report once, by group name, after the report hour', async () => {
    const approvals = new MemoryApprovalStore()
    const actions = new MemoryQueue<ActionRequest>()
    const { store } = await primedGuard()
    await approvals.open({ ...base, decisionId: 1, deadline: '2026-03-01T12:00:00Z' })
    let now = new Date('2026-03-01T13:05:00Z') // 21:05 in Beijing
    const deps = { registry: new MemoryBotRegistry(), approvals, rooms: store, config: parseConfig({}), actions, now: () => now }
    expect(await monitor(deps)).toMatchObject({ expired: 1, sent: 1 })
    const [report] = actions.take()
    expect(report).toMatchObject({ ownerId: 'wxid_owner', decision: { action: 'alert-owner' } })
    expect(report?.text).toContain('亲子群')
    now = new Date('2026-03-01T13:06:00Z')
    expect(await monitor(deps)).toMatchObject({ sent: 0 })
    expect(actions.take()).toEqual([])
  })
})
