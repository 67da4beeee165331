/**
 * DynamoDbApprovalStore: the ApprovalStore on the guard's single table.
 *
 * Item layout:
 *   APPROVALS#<owner>        / SEQ                      the owner's request counter
 *   APPROVALS#<owner>        / REQ#<number, 9 digits>   a request (status, deadline, what approving does)
 *   DECISION#<id>            / APPROVAL                 which request a shadow decision opened (idempotency)
 *   APPROVALS_OPEN           / <deadline>#<owner>#<n>   open requests by deadline (backlog, expiry sweep)
 *   RULES                    / <room>#<rule>            a rule's lifecycle record (state, pause, latest decisions, changes)
 *   ROOM#<room>              / OVERRIDES                an owner's switches for the room (quiet mode)
 *   PACING                   / <owner>                  requests sent, digest due, report sent (supervision)
 *   DAYS                     / <day>#<room>             a room's counts for the owners' local day (pruned; TTL 8 days)
 *
 * Opening and closing write their items one by one, in an order a failure can be mended from
 * (half a transaction's write units): opening puts the decision's marker first, on the condition
 * that there is none, with a copy of the request; then the open index and the request — a
 * redelivery finds the marker, and writes what is missing from the copy. Closing lists an
 * answer first, then closes the request on the condition that it is open, then removes it from
 * the open index (an index left behind is removed by the next sweep that reaches it). So a
 * redelivered message cannot open or close twice. A rule's counts (fired, approved,
 * rejected, expired) live in its lifecycle record alone (RULES), kept by the supervisor.
 * Requests carry `expiresAt` (TTL) 90 days after their deadline.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { ApprovalStatus } from '../../domain/approvals.ts'
import type { SupervisedRule } from '../../domain/supervision/lifecycle.ts'
import type { DayCounts } from '../../domain/supervision/texts.ts'
import type { ActionRequest } from '../../ports/action-executor.port.ts'
import { type ApprovalRecord, ApprovalStoreError, type NewApproval } from '../../ports/approval-store.port.ts'
import {
  type DayAddition,
  type OwnerPacing,
  type RoomOverrides,
  RuleConflictError,
  type SupervisionStore,
} from '../../ports/supervision-store.port.ts'
import { allPages, type Item } from './dynamodb-pages.ts'

export interface DynamoDbApprovalStoreOptions {
  readonly client: DynamoDBClient
  readonly table: string
}

const OPEN = 'APPROVALS_OPEN'
const KEEP_AFTER_DEADLINE_S = 90 * 86_400
const answerExpiry = (r: { deadline: string }) => Math.floor(Date.parse(r.deadline) / 1000) + KEEP_AFTER_DEADLINE_S
const reqKey = (owner: string, number: number) => ({ pk: `APPROVALS#${owner}`, sk: `REQ#${String(number).padStart(9, '0')}` })
const utc = (ts: string) => new Date(ts).toISOString()
const openKey = (r: { deadline: string; owner: string; number: number }) => ({ pk: OPEN, sk: `${utc(r.deadline)}#${r.owner}#${r.number}` })

export class DynamoDbApprovalStore implements SupervisionStore {
  private readonly doc: DynamoDBDocumentClient
  private readonly table: string

  constructor(options: DynamoDbApprovalStoreOptions) {
    if (!options.table) throw new ApprovalStoreError('DynamoDbApprovalStore needs a table name')
    this.doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } })
    this.table = options.table
  }

  async open(approval: NewApproval): Promise<ApprovalRecord> {
    const known = await this.byDecision(approval.decisionId)
    if (known) return known
    const counter = await this.call('reserve a request number', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `APPROVALS#${approval.owner}`, sk: 'SEQ' },
          UpdateExpression: 'ADD n :one',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    )
    const number = Number(counter.Attributes?.n)
    const record: ApprovalRecord = { ...approval, number, status: 'open' }
    const expiresAt = Math.floor(Date.parse(approval.deadline) / 1000) + KEEP_AFTER_DEADLINE_S
    const item: Item = { ...reqKey(approval.owner, number), ...record, expiresAt }
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `DECISION#${approval.decisionId}`,
            sk: 'APPROVAL',
            owner: approval.owner,
            number,
            expiresAt,
            copy: JSON.stringify(item),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
    } catch (e) {
      // Another delivery of the same decision opened it first: that request stands (this number stays unused).
      const winner = (e as Error).name === 'ConditionalCheckFailedException' ? await this.byDecision(approval.decisionId) : undefined
      if (winner) return winner
      throw new ApprovalStoreError(`DynamoDB could not open approval ${approval.owner}#${number}: ${(e as Error).message}`, { cause: e })
    }
    await this.writeOpened(item)
    return record
  }

  /**
   * An opened request after its decision's marker: the open index, then the request (conditional:
   * a request written before, and changed since, is kept). Each is written again from the
   * marker's copy while the request is missing (see byDecision).
   */
  private async writeOpened(item: Item): Promise<void> {
    const r = toRecord(item)
    await this.call('index an open approval', () =>
      this.doc.send(
        new PutCommand({ TableName: this.table, Item: { ...openKey(r), owner: r.owner, number: r.number, expiresAt: item.expiresAt } }),
      ),
    )
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }))
    } catch (e) {
      if ((e as Error).name !== 'ConditionalCheckFailedException')
        throw new ApprovalStoreError(`DynamoDB could not open approval ${r.owner}#${r.number}: ${(e as Error).message}`, { cause: e })
    }
  }

  async get(owner: string, number: number): Promise<ApprovalRecord | undefined> {
    const r = await this.call('get an approval', () =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: reqKey(owner, number), ConsistentRead: true })),
    )
    return r.Item ? toRecord(r.Item) : undefined
  }

  async close(owner: string, number: number, status: Exclude<ApprovalStatus, 'open'>, at: string): Promise<ApprovalRecord | undefined> {
    const record = await this.get(owner, number)
    if (record?.status !== 'open') return undefined
    if (status !== 'expired' && Date.parse(at) > Date.parse(record.deadline)) return undefined
    // The answer's listing first (listAnswered keeps only requests closed as answered, once
    // each), then the request (on the condition it is still open), then its open index (one a
    // failure leaves behind is dropped by the next listOverdue that reaches it).
    if (status !== 'expired')
      await this.call(`list the answer to approval ${owner}#${number}`, () =>
        this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { pk: 'ANSWERS', sk: `${utc(at)}#${owner}#${number}`, owner, number, expiresAt: answerExpiry(record) },
          }),
        ),
      )
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: reqKey(owner, number),
          UpdateExpression: 'SET #status = :status, answeredAt = :at',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ':at': at, ':open': 'open' },
        }),
      )
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return undefined // answered meanwhile
      throw new ApprovalStoreError(`DynamoDB could not close approval ${owner}#${number}: ${(e as Error).message}`, { cause: e })
    }
    await this.call(`unlist approval ${owner}#${number}`, () =>
      this.doc.send(new DeleteCommand({ TableName: this.table, Key: openKey(record) })),
    )
    return { ...record, status, answeredAt: at }
  }

  async listOverdue(before: string): Promise<ApprovalRecord[]> {
    const index = await this.queryOpen('sk < :t', utc(before))
    const out: ApprovalRecord[] = []
    for (const i of index) {
      const r = await this.get(String(i.owner), Number(i.number))
      if (r?.status === 'open') out.push(r)
      // Closed, but a failure before its index was removed left that behind.
      else if (r)
        await this.call('unlist a closed approval', () =>
          this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: OPEN, sk: i.sk } })),
        )
    }
    return out
  }

  async listAnswered(since: string): Promise<ApprovalRecord[]> {
    const index = await this.call('list answered requests', () =>
      allPages((start) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk AND sk >= :since',
            ExpressionAttributeValues: { ':pk': 'ANSWERS', ':since': utc(since) },
            ExclusiveStartKey: start,
          }),
        ),
      ),
    )
    const out: ApprovalRecord[] = []
    const seen = new Set<string>()
    for (const i of index) {
      // Two answers to one request (the second found it closed) list it once.
      const key = `${String(i.owner)}#${Number(i.number)}`
      if (seen.has(key)) continue
      seen.add(key)
      const r = await this.get(String(i.owner), Number(i.number))
      if (r?.status === 'approved' || r?.status === 'rejected') out.push(r)
    }
    return out
  }

  async countOpen(at: string): Promise<number> {
    return (await this.queryOpen('sk >= :t', utc(at))).length
  }

  async getRule(room: string, rule: string): Promise<SupervisedRule | undefined> {
    const r = await this.call('get a rule’s lifecycle', () =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: 'RULES', sk: `${room}#${rule}` }, ConsistentRead: true })),
    )
    return r.Item ? (r.Item.lifecycle as SupervisedRule) : undefined
  }

  async saveRule(rule: SupervisedRule): Promise<void> {
    const version = rule.version ?? 0
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: 'RULES', sk: `${rule.room}#${rule.rule}`, lifecycle: { ...rule, version: version + 1 } },
          // Only over the version this copy was read at (none, or a record from before versions).
          ...(version > 0
            ? { ConditionExpression: 'lifecycle.version = :v', ExpressionAttributeValues: { ':v': version } }
            : { ConditionExpression: 'attribute_not_exists(pk) OR attribute_not_exists(lifecycle.version)' }),
        }),
      )
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException')
        throw new RuleConflictError(`rule ${rule.rule} of ${rule.room} was saved since it was read`)
      throw new ApprovalStoreError(`DynamoDB could not save a rule’s lifecycle: ${(e as Error).message}`, { cause: e })
    }
  }

  async listRules(room?: string): Promise<SupervisedRule[]> {
    const items = await this.call('list rules', () =>
      allPages((start) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table,
            // One room's: the sort keys that begin with "<room>#" (room ids hold no "#").
            KeyConditionExpression: room === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :room)',
            ExpressionAttributeValues: { ':pk': 'RULES', ...(room === undefined ? {} : { ':room': `${room}#` }) },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      ),
    )
    return items.map((i) => i.lifecycle as SupervisedRule).sort((a, b) => a.room.localeCompare(b.room) || a.rule.localeCompare(b.rule))
  }

  async listOpen(owner: string): Promise<ApprovalRecord[]> {
    const items = await this.call('list open approvals', () =>
      allPages((start) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :req)',
            FilterExpression: '#status = :open',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pk': `APPROVALS#${owner}`, ':req': 'REQ#', ':open': 'open' },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      ),
    )
    return items.map(toRecord).sort((a, b) => a.number - b.number)
  }
  async listRequests(owner: string, rule?: string): Promise<ApprovalRecord[]> {
    const items = await this.call('list approvals', () =>
      allPages((start) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :req)',
            ...(rule === undefined ? {} : { FilterExpression: '#rule = :rule', ExpressionAttributeNames: { '#rule': 'rule' } }),
            ExpressionAttributeValues: { ':pk': `APPROVALS#${owner}`, ':req': 'REQ#', ...(rule === undefined ? {} : { ':rule': rule }) },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      ),
    )
    return items.map(toRecord).sort((a, b) => a.number - b.number)
  }

  async markNotified(owner: string, numbers: readonly number[], at: string): Promise<void> {
    for (const number of numbers)
      await this.call('mark an approval sent', () =>
        this.doc.send(
          new UpdateCommand({
            TableName: this.table,
            Key: reqKey(owner, number),
            UpdateExpression: 'SET notifiedAt = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':at': at },
          }),
        ),
      )
  }

  async getRoomOverrides(room: string): Promise<RoomOverrides> {
    const r = await this.call('get room switches', () =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `ROOM#${room}`, sk: 'OVERRIDES' }, ConsistentRead: true })),
    )
    return (r.Item?.overrides as RoomOverrides | undefined) ?? {}
  }

  async saveRoomOverrides(room: string, overrides: RoomOverrides): Promise<void> {
    await this.call('save room switches', () =>
      this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: `ROOM#${room}`, sk: 'OVERRIDES', overrides } })),
    )
  }

  async getPacing(owner: string): Promise<OwnerPacing | undefined> {
    const r = await this.call('get an owner’s pacing', () =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: 'PACING', sk: owner }, ConsistentRead: true })),
    )
    return r.Item ? (r.Item.pacing as OwnerPacing) : undefined
  }

  async savePacing(owner: string, pacing: OwnerPacing): Promise<void> {
    await this.call('save an owner’s pacing', () =>
      this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: 'PACING', sk: owner, pacing } })),
    )
  }

  async listPacedOwners(): Promise<string[]> {
    const items = await this.call('list paced owners', () =>
      allPages((start) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': 'PACING' },
            ProjectionExpression: 'sk',
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      ),
    )
    return items.map((i) => String(i.sk)).sort()
  }

  async addToDay(day: string, room: string, add: DayAddition): Promise<void> {
    // One update: counts are added (ADD creates them at 0), a change is appended to the list.
    const names: Record<string, string> = {}
    const values: Record<string, unknown> = { ':ttl': Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + 8 * 86_400 }
    const adds: string[] = []
    for (const k of ['acted', 'asked', 'approved', 'rejected', 'expired'] as const) {
      const n = add[k]
      if (!n) continue
      names[`#${k}`] = k
      values[`:${k}`] = n
      adds.push(`#${k} :${k}`)
    }
    const sets = ['expiresAt = :ttl']
    if (add.change !== undefined) {
      values[':change'] = [add.change]
      values[':none'] = []
      sets.push('changes = list_append(if_not_exists(changes, :none), :change)')
    }
    await this.call('add to a room’s day', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: 'DAYS', sk: `${day}#${room}` },
          UpdateExpression: `SET ${sets.join(', ')}${adds.length ? ` ADD ${adds.join(', ')}` : ''}`,
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
        }),
      ),
    )
  }

  async getDay(day: string, room: string): Promise<DayCounts | undefined> {
    const r = await this.call('get a room’s day', () =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: 'DAYS', sk: `${day}#${room}` }, ConsistentRead: true })),
    )
    const i = r.Item
    if (!i) return undefined
    const n = (k: string) => Number(i[k] ?? 0)
    return {
      acted: n('acted'),
      asked: n('asked'),
      approved: n('approved'),
      rejected: n('rejected'),
      expired: n('expired'),
      changes: Array.isArray(i.changes) ? i.changes.map(String) : [],
    }
  }

  async pruneDays(day: string): Promise<void> {
    const old = await this.call('list old days', () =>
      allPages((start) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk AND sk < :day',
            ExpressionAttributeValues: { ':pk': 'DAYS', ':day': day },
            ProjectionExpression: 'sk',
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      ),
    )
    for (const i of old)
      await this.call('forget an old day', () => this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk: 'DAYS', sk: i.sk } })))
  }

  private async byDecision(decisionId: number): Promise<ApprovalRecord | undefined> {
    const r = await this.call('find a decision’s approval', () =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `DECISION#${decisionId}`, sk: 'APPROVAL' }, ConsistentRead: true })),
    )
    if (!r.Item) return undefined
    const found = await this.get(String(r.Item.owner), Number(r.Item.number))
    if (found || typeof r.Item.copy !== 'string') return found
    // Opened, but a failure left the request unwritten: written now from the marker's copy.
    await this.writeOpened(JSON.parse(r.Item.copy) as Item)
    return this.get(String(r.Item.owner), Number(r.Item.number))
  }

  private queryOpen(condition: string, t: string): Promise<Item[]> {
    return this.call('query open approvals', () =>
      allPages((start) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: `pk = :pk AND ${condition}`,
            ExpressionAttributeValues: { ':pk': OPEN, ':t': t },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      ),
    )
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (e) {
      throw new ApprovalStoreError(`DynamoDB could not ${what}: ${(e as Error).message}`, { cause: e })
    }
  }
}

function toRecord(item: Item): ApprovalRecord {
  return {
    owner: String(item.owner),
    room: String(item.room),
    rule: String(item.rule),
    decisionId: Number(item.decisionId),
    request: item.request as ActionRequest,
    createdAt: String(item.createdAt),
    deadline: String(item.deadline),
    number: Number(item.number),
    status: item.status as ApprovalStatus,
    answeredAt: typeof item.answeredAt === 'string' ? item.answeredAt : undefined,
    notifiedAt: typeof item.notifiedAt === 'string' ? item.notifiedAt : undefined,
    ...(item.done === true ? { done: true } : {}),
    ...(typeof item.topic === 'string' ? { topic: item.topic } : {}),
    ...(typeof item.summary === 'string' ? { summary: item.summary } : {}),
    ...(typeof item.score === 'number' ? { score: item.score } : {}),
  }
}
