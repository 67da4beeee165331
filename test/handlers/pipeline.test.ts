/**
 * ingest and moderate on real local servers — DynamoDB Local for the store, fauxqs for the
 * queues between them — as SQS would feed them: partial batch failures, routing, idempotency.
 */
import { createHash } from 'node:crypto'
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs'
import type { SQSRecord } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { type FauxqsServer, startFauxqs } from 'fauxqs'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import YAML from 'yaml'
import { DynamoDbFactsStore } from '../../functions/adapters/aws/dynamodb-facts-store.ts'
import { DynamoDbGuardStore } from '../../functions/adapters/aws/dynamodb-guard-store.ts'
import { SqsMessageQueue } from '../../functions/adapters/aws/sqs-message-queue.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import { Guard } from '../../functions/domain/guard.ts'
import type { ApprovalsRequest, VisionRequest } from '../../functions/domain/stage-messages.ts'
import { guardConfigKey } from '../../functions/domain/stored-config.ts'
import { type IngestDeps, ingestBatch } from '../../functions/handlers/ingest.ts'
import { type ModerateDeps, moderateBatch, moderateTimeouts } from '../../functions/handlers/moderate.ts'
import type { ActionRequest } from '../../functions/ports/action-executor.port.ts'
import type { MessageQueue } from '../../functions/ports/message-queue.port.ts'
import { type DynamoDbLocal, dynamoDbLocalUnavailable, startDynamoDbLocal } from '../helpers/dynamodb-local.ts'
import { account, at, message, roomSnapshot } from '../helpers/factories.ts'
import { lambdaContext, sqsEvent, sqsRecord } from '../helpers/lambda.ts'

const unavailable = dynamoDbLocalUnavailable()
if (unavailable && process.env.CI) throw new Error(`DynamoDB Local is needed in CI: ${unavailable}`)

const CONFIG = 'groups:\n  "*":\n    rules:\n      - id: no-ads\n        any: ["加微信"]\n'

describe.skipIf(unavailable !== undefined)('ingest and moderate handlers', () => {
  let ddb: DynamoDbLocal
  let fauxqs: FauxqsServer
  let sqs: SQSClient
  let table: string
  const urls: Record<string, string> = {}
  let ingest: IngestDeps
  let moderate: ModerateDeps
  let store: DynamoDbGuardStore

  beforeAll(async () => {
    ;[ddb, fauxqs] = await Promise.all([startDynamoDbLocal(), startFauxqs({ port: 0, logger: false })])
    sqs = new SQSClient({ endpoint: fauxqs.address, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
    for (const name of ['vision', 'moderate', 'approvals', 'actions', 'events'])
      urls[name] = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}.fifo`, Attributes: { FifoQueue: 'true' } }))).QueueUrl ?? ''
    table = await ddb.createTable()
    store = new DynamoDbGuardStore({ client: ddb.client, table })
    const guard = new Guard({ store, config: parseConfig(YAML.parse(CONFIG)) })
    const q = <T>(name: string) => new SqsMessageQueue<T>({ client: sqs, queueUrl: urls[name] ?? '' })
    moderate = { guard, actions: q('actions'), approvals: q('approvals') }
    ingest = { guard, store, judge: moderate, vision: q('vision'), approvals: q('approvals') }
    vi.spyOn(console, 'info').mockImplementation(() => {}) // Powertools logs and EMF metrics go to stdout
    vi.spyOn(console, 'warn').mockImplementation(() => {})
  }, 60_000)
  afterAll(async () => {
    sqs?.destroy()
    await Promise.all([ddb?.stop(), fauxqs?.stop()])
  })

  async function drain<T>(queue: MessageQueue<T>): Promise<{ bodies: T[]; records: SQSRecord[] }> {
    const bodies: T[] = []
    const records: SQSRecord[] = []
    for (let i = 0; i < 10; i++) {
      const got = await queue.receive({ max: 10 })
      if (!got.length) break
      for (const m of got) {
        bodies.push(m.body)
        records.push(sqsRecord(JSON.stringify(m.body), 'g'))
        await queue.ack(m)
      }
    }
    return { bodies, records }
  }

  it('routes messages to moderate or vision and owners’ answers to approvals; only the poison record fails', async () => {
    const text = message({ room: 'r1', text: '你好', ts: at(1) })
    const picture = message({ room: 'r1', type: 'image', media: 'media/r1/p.jpg', ts: at(2) })
    const answer = { kind: 'private', id: 'p1', ts: at(3), sender: 'wxid_owner', text: 'Y1' }
    const ask = message({ room: 'r1', text: '识别', ts: at(4) })
    const records = [
      sqsRecord(JSON.stringify(account('wxid_bot')), 'account'),
      sqsRecord(JSON.stringify(roomSnapshot({ room: 'r1' })), 'r1'),
      sqsRecord('{ not json', 'r2'),
      sqsRecord(JSON.stringify({ id: 'bad', kind: 'message', ts: at(0), room: 'r3', type: 'text' }), 'r3'),
      sqsRecord(JSON.stringify(text), 'r1'),
      sqsRecord(JSON.stringify(picture), 'r1'),
      sqsRecord(JSON.stringify(answer), 'private'),
      sqsRecord(JSON.stringify(ask), 'r1'),
    ]
    const response = await ingestBatch(ingest, sqsEvent(records), lambdaContext())
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([records[2]!.messageId, records[3]!.messageId])
    // A plain message is judged in ingest (moderate's code): stored, nothing to send.
    expect(await ingest.store.getEvent(text.id)).toEqual(text)
    expect((await drain(moderate.actions as MessageQueue<ActionRequest>)).bodies).toEqual([])
    expect((await drain(ingest.vision as MessageQueue<VisionRequest>)).bodies).toEqual([{ event: picture }, { event: ask }])
    expect((await drain(ingest.approvals as MessageQueue<ApprovalsRequest>)).bodies).toEqual([{ kind: 'answer', event: answer }])
  })

  it('ingest judges plain messages where they arrive; the third ad removes; a redelivered batch sends nothing again', async () => {
    const ads = [1, 2, 3].map((i) => message({ room: 'r1', sender: 'wxid_promo', text: `加微信 ${i}`, ts: at(10 + i) }))
    const records = ads.map((m) => sqsRecord(JSON.stringify(m), 'r1'))
    expect((await ingestBatch(ingest, sqsEvent(records), lambdaContext())).batchItemFailures).toEqual([])
    const actions = (await drain(moderate.actions as MessageQueue<ActionRequest>)).bodies
    expect(actions.map((a) => [a.decision.event, a.decision.action])).toEqual(ads.map((m, i) => [m.id, i < 2 ? 'warn' : 'remove']))
    expect(actions[0]?.text).toContain('第 1 次提醒')
    expect((await drain(moderate.approvals as MessageQueue<ApprovalsRequest>)).bodies).toHaveLength(3)

    // Redelivered: judged once, what it sent sent again under the same deduplication ids, which SQS drops.
    // As SQS's second receive (the guard reads for a repeat first) and as a first receive of a
    // second send past the deduplication window (turned away by the conditional write alone).
    const secondReceive = records.map((r) => ({ ...r, attributes: { ...r.attributes, ApproximateReceiveCount: '2' } }))
    for (const again of [secondReceive, records]) {
      expect((await ingestBatch(ingest, sqsEvent(again), lambdaContext())).batchItemFailures).toEqual([])
      expect((await drain(moderate.actions as MessageQueue<ActionRequest>)).bodies).toEqual([])
      expect((await drain(moderate.approvals as MessageQueue<ApprovalsRequest>)).bodies).toEqual([])
    }
    expect(await store.countOffences('r1', 'wxid_promo', '2000-01-01T00:00:00.000Z', 'active')).toBe(3)
  })

  it('judges joins and removals for the owner’s blacklist: a member removed in one group is flagged in another and asked about on joining a third', async () => {
    const snapshot = (room: string, topic: string, members: string[]) =>
      roomSnapshot({ room, topic, owner: 'wxid_boss', admins: [], members: ['wxid_boss', ...members], names: { wxid_spam: '推广小王' } })
    const events = [
      snapshot('r5', '宝妈群', ['wxid_spam']),
      snapshot('r6', '业主群', ['wxid_spam']),
      snapshot('r7', '读书群', []),
      ...[1, 2, 3].map((i) => message({ room: 'r5', sender: 'wxid_spam', senderName: '推广小王', text: `加微信 ${i}`, ts: at(60 + i) })),
      { kind: 'join', id: 'j-r7', ts: at(70), room: 'r7', members: ['wxid_spam'], via: 'qrcode' },
    ]
    const records = events.map((e) => sqsRecord(JSON.stringify(e), 'room' in e ? e.room : 'x'))
    expect((await ingestBatch(ingest, sqsEvent(records), lambdaContext())).batchItemFailures).toEqual([])
    const actions = (await drain(moderate.actions as MessageQueue<ActionRequest>)).bodies
    expect(actions.map((a) => `${a.decision.room} ${a.decision.action}`)).toEqual(['r5 warn', 'r5 warn', 'r5 remove'])
    const supervised = (await drain(moderate.approvals as MessageQueue<ApprovalsRequest>)).bodies.flatMap((b) =>
      b.kind === 'decision' ? [b.decision] : [],
    )
    const listed = supervised.filter((d) => d.decision.rule === 'blacklist')
    expect(listed.map((d) => `${d.decision.room} ${d.decision.event} ${d.proposal?.request.decision.action} ${d.about?.what}`)).toEqual([
      `r6 ${events[5]?.id} remove 在「宝妈群」被移出，仍在本群`,
      'r7 j-r7 remove 入群',
    ])
    expect(listed[1]?.proposal?.request.ownerId).toBe('wxid_boss')
  })

  it('verifies newcomers on AWS: ingest asks with the join, the monitor’s minute settles the timeout once', async () => {
    const config = parseConfig({ groups: { r8: { verification: { enabled: true, minutes: 10 } } } })
    const guard = new Guard({ store: new DynamoDbGuardStore({ client: ddb.client, table }), config })
    const judge = { ...moderate, guard }
    const j = { kind: 'join', id: 'j-r8', ts: at(100), room: 'r8', members: ['wxid_new'], names: { wxid_new: '新人' }, via: 'qrcode' }
    const records = [
      sqsRecord(JSON.stringify(roomSnapshot({ room: 'r8', topic: '读书群', owner: 'wxid_boss' })), 'r8'),
      sqsRecord(JSON.stringify(j), 'r8'),
    ]
    expect((await ingestBatch({ ...ingest, guard, judge }, sqsEvent(records), lambdaContext())).batchItemFailures).toEqual([])
    const asked = (await drain(moderate.actions as MessageQueue<ActionRequest>)).bodies
    expect(asked.map((a) => `${a.decision.rule} ${a.decision.action}`)).toEqual(['verification reply'])
    expect(asked[0]?.text).toMatch(/^@新人 欢迎加入「读书群」！请在 10 分钟内在群里回复验证码 \d{4}/)
    await drain(moderate.approvals as MessageQueue<ApprovalsRequest>)

    const minute = (m: number) => new Date(Date.parse(at(m)))
    expect(await moderateTimeouts(judge, minute(105))).toBe(0)
    expect(await moderateTimeouts(judge, minute(111))).toBe(1)
    expect(await moderateTimeouts(judge, minute(112))).toBe(0) // settled once
    const removed = (await drain(moderate.actions as MessageQueue<ActionRequest>)).bodies
    expect(removed.map((a) => `${a.decision.event} ${a.decision.target} ${a.decision.rule} ${a.decision.action}`)).toEqual([
      'j-r8 wxid_new verification remove',
    ])
    const supervised = (await drain(moderate.approvals as MessageQueue<ApprovalsRequest>)).bodies
    expect(supervised.map((b) => (b.kind === 'decision' ? b.decision.decision.rule : b.kind))).toEqual(['verification'])
  })

  it('cleans up after a removal on AWS: the member’s recent messages from DynamoDB, one recall request with their list to the bot host', async () => {
    const config = parseConfig({
      groups: { r9: { rules: [{ id: 'no-ads', any: ['加微信'], action: 'remove' }], cleanup: { enabled: true, minutes: 10 } } },
    })
    const facts = new DynamoDbFactsStore({ client: ddb.client, table })
    const guard = new Guard({ store: new DynamoDbGuardStore({ client: ddb.client, table }), config, facts })
    const judge = { ...moderate, guard, facts }
    const said = [message({ room: 'r9', sender: 'wxid_x', senderName: '推广员', text: '姐妹们好', ts: at(200) })]
    said.push(message({ room: 'r9', sender: 'wxid_x', senderName: '推广员', text: '加微信领券', ts: at(203) }))
    const records = said.map((m) => sqsRecord(JSON.stringify(m), 'r9'))
    expect((await ingestBatch({ ...ingest, guard, judge }, sqsEvent(records), lambdaContext())).batchItemFailures).toEqual([])
    const actions = (await drain(moderate.actions as MessageQueue<ActionRequest>)).bodies
    expect(actions.map((a) => `${a.decision.rule} ${a.decision.action}`)).toEqual(['no-ads remove', 'cleanup recall'])
    expect(actions[1]?.cleanup?.items.map((r) => r.id)).toEqual(said.map((m) => m.id))
    // Approvals gets both; its Supervisor counts the removal only (the cleanup is no rule's decision of its own).
    const supervised = (await drain(moderate.approvals as MessageQueue<ApprovalsRequest>)).bodies
    expect(supervised.map((b) => (b.kind === 'decision' ? b.decision.decision.rule : b.kind))).toEqual(['no-ads', 'cleanup'])
  })

  it('moderate judges what vision hands on, as ingest judges text', async () => {
    const m = message({ room: 'r1', sender: 'wxid_other', type: 'image', media: 'media/r1/x.jpg', ts: at(20) })
    const r = await moderateBatch(
      moderate,
      sqsEvent([sqsRecord(JSON.stringify({ event: m, imageText: '加微信 领红包' }), 'r1')]),
      lambdaContext(),
    )
    expect(r.batchItemFailures).toEqual([])
    expect((await drain(moderate.actions as MessageQueue<ActionRequest>)).bodies.map((a) => a.decision.rule)).toEqual(['no-ads'])
  })

  it('serves the owner’s console as deployed: only with the token, the owner’s groups, answers sent as the owner’s words to the events queue', async () => {
    const TOKEN = 'console-token-from-secrets-manager'
    const secrets = mockClient(SecretsManagerClient)
    secrets.on(GetSecretValueCommand).resolves({ SecretString: TOKEN })
    vi.stubEnv('TABLE_NAME', table)
    vi.stubEnv('EVENTS_QUEUE_URL', urls.events ?? '')
    vi.stubEnv('CONSOLE_AS', 'wxid_boss')
    vi.stubEnv('CONSOLE_TOKEN_SECRET', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:console')
    // An empty media bucket: no rulebook yet.
    const s3 = new S3Client({
      endpoint: fauxqs.address,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
    await s3.send(new CreateBucketCommand({ Bucket: 'console-media' }))
    s3.destroy()
    vi.stubEnv('MEDIA_BUCKET', 'console-media')
    vi.stubEnv('AWS_ENDPOINT_URL_S3', fauxqs.address)
    vi.stubEnv('AWS_REGION', 'us-east-1')
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local')
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', ddb.endpoint)
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', fauxqs.address)
    vi.resetModules() // the handler's clients and config are made once per module, as per cold start
    try {
      const { handler } = await import('../../functions/handlers/console.ts')
      const host = 'abc.lambda-url.us-east-1.on.aws'
      const request = (method: string, rawPath: string, headers: Record<string, string>, body?: string) => ({
        version: '2.0',
        routeKey: '$default',
        rawPath,
        rawQueryString: '',
        headers: { host, ...headers },
        requestContext: {
          accountId: '123456789012',
          apiId: 'abc',
          domainName: host,
          domainPrefix: 'abc',
          http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'test' },
          requestId: `r-${Math.random()}`,
          routeKey: '$default',
          stage: '$default',
          time: '07/Dec/2026:00:00:00 +0000',
          timeEpoch: 0,
        },
        ...(body === undefined ? {} : { body, isBase64Encoded: false }),
      })
      const call = async (r: ReturnType<typeof request>) =>
        (await handler(r as never, lambdaContext())) as { statusCode: number; body: string; headers: Record<string, string> }
      expect((await call(request('GET', '/groups', {}))).statusCode).toBe(401)
      const groups = await call(request('GET', '/groups', { authorization: `Bearer ${TOKEN}` }))
      expect(groups.statusCode).toBe(200)
      expect(groups.body).toContain('宝妈群') // the blacklist test's groups, owned by wxid_boss
      const answer = await call(
        request(
          'POST',
          '/approvals/1',
          { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded', origin: `https://${host}` },
          'verdict=Y',
        ),
      )
      expect(answer.statusCode).toBe(303)
      const sent = (
        await drain(new SqsMessageQueue<{ kind: string; sender: string; text: string }>({ client: sqs, queueUrl: urls.events ?? '' }))
      ).bodies
      expect(sent.map((e) => [e.kind, e.sender, e.text])).toEqual([['private', 'wxid_boss', 'Y1']])
    } finally {
      secrets.restore()
      vi.unstubAllEnvs()
      vi.resetModules()
    }
  })

  it('runs as the deployed handlers, wired from the environment, reading the deployed config from S3 once', async () => {
    // What `cdk deploy` leaves in the media bucket: the validated config as JSON under its content's hash.
    const s3 = new S3Client({
      endpoint: fauxqs.address,
      region: 'us-east-1',
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
    const json = JSON.stringify(YAML.parse(CONFIG))
    const key = guardConfigKey(createHash('sha256').update(json).digest('hex'))
    await s3.send(new CreateBucketCommand({ Bucket: 'guard-media' }))
    await s3.send(new PutObjectCommand({ Bucket: 'guard-media', Key: key, Body: json, ContentType: 'application/json' }))
    vi.stubEnv('TABLE_NAME', table)
    vi.stubEnv('VISION_QUEUE_URL', urls.vision ?? '')
    vi.stubEnv('MODERATE_QUEUE_URL', urls.moderate ?? '')
    vi.stubEnv('APPROVALS_QUEUE_URL', urls.approvals ?? '')
    vi.stubEnv('ACTIONS_QUEUE_URL', urls.actions ?? '')
    vi.stubEnv('MEDIA_BUCKET', 'guard-media') // no in-process model there yet: rules alone
    vi.stubEnv('QUNGUARD_CONFIG_KEY', key)
    vi.stubEnv('AWS_REGION', 'us-east-1')
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local')
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', ddb.endpoint)
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', fauxqs.address)
    vi.stubEnv('AWS_ENDPOINT_URL_S3', fauxqs.address)
    const ingestHandler = (await import('../../functions/handlers/ingest.ts')).handler
    const judge = async (m: ReturnType<typeof message>) => {
      expect(await ingestHandler(sqsEvent([sqsRecord(JSON.stringify(m), m.room)]), lambdaContext())).toEqual({ batchItemFailures: [] })
      return (await drain(moderate.actions as MessageQueue<ActionRequest>)).bodies.map((a) => a.decision.event)
    }
    const m = message({ room: 'r4', sender: 'wxid_x', text: '加微信', ts: at(50) })
    expect(await judge(m)).toEqual([m.id]) // the stored config's rule judged it
    // Read once per cold start: with the object gone, the warm functions still apply its rule.
    await s3.send(new DeleteObjectCommand({ Bucket: 'guard-media', Key: key }))
    const again = message({ room: 'r4', sender: 'wxid_y', text: '加微信', ts: at(51) })
    expect(await judge(again)).toEqual([again.id])
    s3.destroy()
    vi.unstubAllEnvs()
  })
})
