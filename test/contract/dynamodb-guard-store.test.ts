/**
 * The GuardStore contract against DynamoDB Local (a real DynamoDB-compatible server on loopback).
 * Without Java the suite is skipped locally and fails under CI=true, where Java must be present.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DynamoDbGuardStore } from '../../functions/adapters/aws/dynamodb-guard-store.ts'
import { StoreError } from '../../functions/ports/guard-store.port.ts'
import { type DynamoDbLocal, dyingClient, dynamoDbLocalUnavailable, startDynamoDbLocal } from '../helpers/dynamodb-local.ts'
import { at, join, leave, message, roomSnapshot } from '../helpers/factories.ts'
import { guardStoreContract } from './guard-store.contract.ts'

const unavailable = dynamoDbLocalUnavailable()
if (unavailable && process.env.CI) throw new Error(`DynamoDB Local is needed in CI: ${unavailable}`)

describe.skipIf(unavailable !== undefined)('DynamoDbGuardStore on DynamoDB Local', () => {
  let ddb: DynamoDbLocal
  beforeAll(async () => {
    ddb = await startDynamoDbLocal()
  }, 60_000)
  afterAll(async () => {
    await ddb?.stop()
  })

  guardStoreContract('DynamoDbGuardStore', async () => {
    // Each store gets its own client: close() destroys it.
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb')
    const client = new DynamoDBClient({
      endpoint: ddb.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    })
    return new DynamoDbGuardStore({ client, table: await ddb.createTable() })
  })

  it('throws a StoreError keeping the cause when the table does not exist', async () => {
    const store = new DynamoDbGuardStore({ client: ddb.client, table: 'no-such-table' })
    const err = await store.commit({ event: message() }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StoreError)
    expect((err as StoreError).cause).toBeDefined()
  })

  it('keeps rooms read for cacheMs, sees its own snapshots at once and others’ after the cache expires', async () => {
    const table = await ddb.createTable()
    let t = 0
    const cached = new DynamoDbGuardStore({ client: ddb.client, table, cacheMs: 60_000, now: () => t })
    const other = new DynamoDbGuardStore({ client: ddb.client, table })
    await cached.commit({ event: roomSnapshot({ topic: '一群' }), room: roomSnapshot({ topic: '一群' }) })
    expect((await cached.getRoom('r1'))?.topic).toBe('一群')
    const renamed = roomSnapshot({ topic: '改名了' })
    await other.commit({ event: renamed, room: renamed })
    expect((await cached.getRoom('r1'))?.topic).toBe('一群') // within the minute
    t = 60_001
    expect((await cached.getRoom('r1'))?.topic).toBe('改名了')
    const again = roomSnapshot({ topic: '再改' })
    await cached.commit({ event: again, room: again })
    expect((await cached.getRoom('r1'))?.topic).toBe('再改') // its own write: at once
  })

  it('keeps a member found for memberCacheMs, forgets it on its own join or leave, and never keeps a member not found', async () => {
    const table = await ddb.createTable()
    let t = 0
    const cached = new DynamoDbGuardStore({ client: ddb.client, table, memberCacheMs: 60_000, now: () => t })
    const other = new DynamoDbGuardStore({ client: ddb.client, table })
    const member = { room: 'r1', member: 'wxid_new' }
    expect(await cached.getMember('r1', 'wxid_new')).toBeUndefined()
    // Joined through another container: seen at once, since not finding was not kept.
    const joined = join({ ts: '2026-12-01T10:00:00.000Z' })
    await other.commit({ event: joined, members: [{ ...member, joinedAt: joined.ts, via: 'qrcode' }] })
    expect((await cached.getMember('r1', 'wxid_new'))?.joinedAt).toBe(joined.ts)
    // Left through the other container: the kept record until it expires.
    const left = leave({ ts: '2026-12-01T11:00:00.000Z' })
    await other.commit({ event: left, members: [{ ...member, joinedAt: joined.ts, via: 'qrcode', leftAt: left.ts }] })
    expect((await cached.getMember('r1', 'wxid_new'))?.leftAt).toBeUndefined()
    t = 60_001
    expect((await cached.getMember('r1', 'wxid_new'))?.leftAt).toBe(left.ts)
    // Joined again through this store: forgotten at once.
    const again = join({ ts: '2026-12-01T12:00:00.000Z', via: 'invite' })
    await cached.commit({ event: again, members: [{ ...member, joinedAt: again.ts, via: 'invite' }] })
    expect(await cached.getMember('r1', 'wxid_new')).toMatchObject({ joinedAt: again.ts, via: 'invite' })
    expect((await cached.getMember('r1', 'wxid_new'))?.leftAt).toBeUndefined()
  })

  it('lists rooms from the rooms’ directory (a Query), copying rooms stored before it into it once', async () => {
    const table = await ddb.createTable()
    const { PutCommand, DeleteCommand, DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb')
    const doc = DynamoDBDocumentClient.from(ddb.client)
    // A room stored by an older qunguard: its record only.
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'ROOM#old', sk: 'ROOM', topic: '老群', admins: [], updatedAt: at(0) } }))
    const store = new DynamoDbGuardStore({ client: ddb.client, table })
    const snap = roomSnapshot({ room: 'new', topic: '新群' })
    await store.commit({ event: snap, room: snap })
    expect((await store.listRooms()).map((r) => [r.room, r.topic])).toEqual([
      ['new', '新群'],
      ['old', '老群'],
    ])
    // Indexed once: a second store lists from the directory alone (the old record gone, it is still listed).
    await doc.send(new DeleteCommand({ TableName: table, Key: { pk: 'ROOM#old', sk: 'ROOM' } }))
    const later = new DynamoDbGuardStore({ client: ddb.client, table })
    expect((await later.listRooms()).map((r) => r.room)).toEqual(['new', 'old'])
    const ann = { kind: 'announcement' as const, id: 'ann-1', ts: at(5), room: 'new', sender: 'wxid_owner', text: '群规：禁止广告' }
    await later.commit({ event: ann, announcement: { room: 'new', text: ann.text, ts: ann.ts } })
    expect((await later.listRooms())[0]).toMatchObject({ room: 'new', topic: '新群', announcement: '群规：禁止广告' })
  })

  it('mends decisions a failure left unwritten after their event, on the redelivery or the next read of them', async () => {
    const table = await ddb.createTable()
    // The process "dies" after the event is put: every write of an offence or a decision fails.
    const failing = dyingClient(ddb.endpoint, (r) => r.Item?.pk?.S === 'DECISIONS' || (r.Item?.pk?.S ?? '').startsWith('OFFENCES#'))
    const dying = new DynamoDbGuardStore({ client: failing, table })
    const store = new DynamoDbGuardStore({ client: ddb.client, table })
    const decide = (m: ReturnType<typeof message>, action: 'warn' | 'recall') => ({
      event: m.id,
      room: m.room,
      target: m.sender,
      action,
      mode: 'shadow' as const,
      rule: 'learned:qr:anyone',
      score: 0.9,
      reason: '成员发含二维码的图片',
    })
    const first = message({ id: 'm-first', sender: 'wxid_a', text: '扫码进群' })
    const second = message({ id: 'm-second', sender: 'wxid_b', text: '扫码领红包' })
    const offence = (m: ReturnType<typeof message>) => ({
      room: m.room,
      member: m.sender,
      rule: 'learned:qr:anyone',
      event: m.id,
      ts: m.ts,
      mode: 'shadow' as const,
      counted: true,
    })
    for (const m of [first, second])
      await expect(
        dying.commit({ event: m, offences: [offence(m)], decisions: [decide(m, 'warn'), decide(m, 'recall')] }),
      ).rejects.toBeInstanceOf(StoreError)
    expect(await store.hasEvent(first.id)).toBe(true)
    expect(await store.listDecisions()).toEqual([])
    expect(await store.countOffences(first.room, 'wxid_a', at(-60), 'shadow')).toBe(0)
    // The redelivery of the first: nothing stored anew, and its decisions written from the event's copy.
    expect(await store.commit({ event: first, decisions: [decide(first, 'warn')] })).toEqual({ stored: false, decisionIds: [] })
    expect((await store.listDecisions({ target: 'wxid_a' })).map((d) => [d.event, d.action])).toEqual([
      ['m-first', 'warn'],
      ['m-first', 'recall'],
    ])
    // The second, by reading its decisions (what a redelivery judged as a repeat sends again).
    expect((await store.listDecisions({ event: second.id })).map((d) => [d.target, d.action, d.reason])).toEqual([
      ['wxid_b', 'warn', '成员发含二维码的图片'],
      ['wxid_b', 'recall', '成员发含二维码的图片'],
    ])
    expect(await store.listDecisions()).toHaveLength(4)
    expect(await store.countOffences(first.room, 'wxid_a', at(-60), 'shadow')).toBe(1)
    expect(await store.countOffences(second.room, 'wxid_b', at(-60), 'shadow')).toBe(1)
    expect(new Set((await store.listDecisions()).map((d) => d.id)).size).toBe(4)
    failing.destroy()
  })

  it('writes a message alone with one conditional put, and a redelivery stores nothing', async () => {
    const store = new DynamoDbGuardStore({ client: ddb.client, table: await ddb.createTable() })
    const m = message()
    expect(await store.commit({ event: m })).toEqual({ stored: true, decisionIds: [] })
    expect(await store.commit({ event: m })).toEqual({ stored: false, decisionIds: [] })
    expect(await store.getEvent(m.id)).toEqual(m)
  })
})
