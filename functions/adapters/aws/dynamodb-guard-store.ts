/**
 * DynamoDbGuardStore: the GuardStore on one DynamoDB table (partition key `pk`, sort key `sk`).
 *
 * Item layout (single table):
 *   EVENT#<id>                    / EVENT            the event (json), written only if absent; `d` its decisions' ids, `pending` a copy of them and its offences
 *   META                          / SELF             the account's own id
 *   ROOM#<room>                   / ROOM             topic, owner, admins, announcement
 *   ROOMS                         / <room>           the same, the rooms' directory (listRooms: one Query)
 *   ROOM#<room>                   / MEMBER#<member>  membership (joined, inviter, route, left, remover)
 *   OFFENCES#<room>#<member>#<mode> / <ts ms, 15 digits>#<event>
 *   DECISIONS                     / <id, 12 digits>  a decision (ids from the SEQ counter; the event item keeps its decisions' ids in `d`)
 *   DECISIONS#TARGET#<member>     / <id, 12 digits>  the id of a decision about that member
 *   DECISION#<id>                 / ACTION#<ts>#<n>  what was done about it
 *   META                          / SEQ              the decision id counter
 *   VERIFY                        / <room>#<member>  a newcomer's open verification (few at a time: one Query lists them)
 *
 * `commit` is one TransactWriteItems call — or, for an event written alone (most messages), one
 * conditional PutItem at half the write units: the event is put on the condition that it does
 * not exist, so a redelivered event writes nothing. An event with no decision or offence whose
 * other writes are records written whole (a join's member, a snapshot's room) writes those first
 * and the event last, without a transaction: a retry writes the same values again. An event
 * whose only other writes are its decisions and offences (a rule's catch: most decisions) is put
 * first, under its condition, carrying a copy of them and its offences, and those after it, each
 * as a plain put: a failure in between is mended from the copy by the next read of the event's
 * decisions (a redelivery reads them). Decision ids are reserved from the counter
 * before the write (a cancelled transaction leaves a gap, never a duplicate). Decisions
 * are validated first, since DynamoDB would happily store a half-empty one.
 *
 * @example
 *   const store = new DynamoDbGuardStore({ client: new DynamoDBClient({}), table: process.env.TABLE_NAME })
 */
import { ConditionalCheckFailedException, type DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import {
  BatchGetCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import { DecisionSchema, type GroupEvent, type MessageEvent } from '../../domain/events.ts'
import type {
  ActionRecord,
  BlacklistEntry,
  Change,
  CommitResult,
  DecisionToStore,
  GuardStore,
  JoinRoute,
  MemberRecord,
  PendingVerification,
  RoomRecord,
  StoredDecision,
} from '../../ports/guard-store.port.ts'
import { StoreError } from '../../ports/guard-store.port.ts'
import { outgoingColumn, toStoredDecision } from '../stored-decision.ts'
import { allPages, type Item } from './dynamodb-pages.ts'

export interface DynamoDbGuardStoreOptions {
  readonly client: DynamoDBClient
  /** The table name (from the stack's output or env; never hard-coded). */
  readonly table: string
  /**
   * Keep the account's id and each room's record this long after reading them (a Lambda
   * container judging a busy room reads them once a minute, not per message). A snapshot stored
   * through this store replaces its cached copy at once; one stored elsewhere shows after at most
   * this long. @default 0 (always read)
   */
  readonly cacheMs?: number
  /**
   * Keep a member's record this long after finding it. A join, leave or snapshot stored through
   * this store forgets it at once; one stored by another container (a room's events move between
   * containers only between batches) shows after at most this long. @default 0 (always read)
   */
  readonly memberCacheMs?: number
  readonly now?: () => number
}

type TxItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number]
/** What a commit written without a transaction writes after the event: the event's item keeps this copy, to mend from. */
interface Pending {
  readonly offences: Item[]
  readonly decisions: Item[]
}
/** Events that write at most this many items and no decision or offence are written without a transaction. */
const PLAIN_WRITES_MAX = 10
/** A room snapshot's member records written in parallel, this many at a time. */
const SNAPSHOT_WRITES_AT_ONCE = 16

/** The rooms' directory: one item per room (sk: the room id) beside its ROOM#<room> record. */
const ROOMS = 'ROOMS'
const pad = (n: number, width: number) => String(n).padStart(width, '0')
const offenceKey = (room: string, member: string, mode: string) => `OFFENCES#${room}#${member}#${mode}`
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

export class DynamoDbGuardStore implements GuardStore {
  private readonly doc: DynamoDBDocumentClient
  private readonly table: string
  private readonly cacheMs: number
  private readonly memberCacheMs: number
  private readonly now: () => number
  private readonly cached = new Map<string, { at: number; value: unknown }>()
  /** Whether this table's rooms are known to be in the directory (listRooms). */
  private roomsIndexed = false

  constructor(options: DynamoDbGuardStoreOptions) {
    if (!options.table) throw new StoreError('DynamoDbGuardStore needs a table name')
    this.doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } })
    this.table = options.table
    this.cacheMs = options.cacheMs ?? 0
    this.memberCacheMs = options.memberCacheMs ?? 0
    this.now = options.now ?? Date.now
  }

  /** A read kept for `cacheMs` (the account and rooms: read per message, changed rarely). */
  private async kept<T>(key: string, read: () => Promise<T>): Promise<T> {
    if (this.cacheMs <= 0) return read()
    const hit = this.cached.get(key)
    if (hit && this.now() - hit.at < this.cacheMs) return hit.value as T
    const value = await read()
    this.cached.set(key, { at: this.now(), value })
    return value
  }

  async commit(change: Change): Promise<CommitResult> {
    const decisions = change.decisions ?? []
    for (const d of decisions) {
      const r = DecisionSchema.safeParse(d)
      if (!r.success)
        throw new StoreError(
          `invalid decision for event ${change.event.id}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        )
    }
    const { event } = change
    // What this commit may change is read afresh, whether or not the writes below all succeed.
    this.forgetCached(change)
    // Ids are reserved only for an event not stored yet (a redelivery would waste them). A
    // redelivery of an event whose decisions a failure left half-written writes the rest.
    if (decisions.length) {
      const stored = await this.get(`EVENT#${event.id}`, 'EVENT')
      if (stored) {
        if (typeof stored.pending === 'string') await this.decisionsOf(stored)
        return { stored: false, decisionIds: [] }
      }
    }
    const ids = decisions.length ? await this.reserveIds(decisions.length) : []
    // A snapshot's members: records written whole, outside the event's write (a group has up to
    // hundreds of members; a transaction takes at most 100 items).
    const listed: NonNullable<TxItem['Update']>[] = []
    const items: TxItem[] = [
      {
        Put: {
          TableName: this.table,
          Item: {
            pk: `EVENT#${event.id}`,
            sk: 'EVENT',
            kind: event.kind,
            room: 'room' in event ? event.room : undefined,
            ts: event.ts,
            json: JSON.stringify(event),
            // The ids of the decisions taken on it: a redelivery finds them without reading every decision.
            d: ids,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]
    // Every account that logged in, as a set (several accounts guard the same groups); `value` the latest.
    if (change.self)
      items.push({
        Update: {
          TableName: this.table,
          Key: { pk: 'META', sk: 'SELF' },
          UpdateExpression: 'SET #v = :self ADD bots :bots',
          ExpressionAttributeNames: { '#v': 'value' },
          ExpressionAttributeValues: { ':self': change.self, ':bots': new Set([change.self]) },
        },
      })
    if (change.room) {
      const r = change.room
      // Like the SQLite store: a snapshot that names no owner keeps the one already known.
      // The room's record, and its copy in the rooms' directory (listRooms: one Query, not a Scan).
      for (const Key of [
        { pk: `ROOM#${r.room}`, sk: 'ROOM' },
        { pk: ROOMS, sk: r.room },
      ])
        items.push({
          Update: {
            TableName: this.table,
            Key,
            UpdateExpression: `SET topic = :topic, admins = :admins, updatedAt = :ts${r.owner ? ', #owner = :owner' : ''}`,
            ...(r.owner ? { ExpressionAttributeNames: { '#owner': 'owner' } } : {}),
            ExpressionAttributeValues: { ':topic': r.topic, ':admins': r.admins, ':ts': r.ts, ...(r.owner ? { ':owner': r.owner } : {}) },
          },
        })
      for (const member of r.members) {
        listed.push({
          TableName: this.table,
          Key: { pk: `ROOM#${r.room}`, sk: `MEMBER#${member}` },
          // Listed in a snapshot: present now, whatever an earlier leave said.
          UpdateExpression: r.names[member]
            ? 'SET via = if_not_exists(via, :snap), #name = :name REMOVE leftAt, remover'
            : 'SET via = if_not_exists(via, :snap) REMOVE leftAt, remover',
          ...(r.names[member] ? { ExpressionAttributeNames: { '#name': 'name' } } : {}),
          ExpressionAttributeValues: { ':snap': 'snapshot', ...(r.names[member] ? { ':name': r.names[member] } : {}) },
        })
      }
    }
    if (change.announcement) {
      const a = change.announcement
      for (const Key of [
        { pk: `ROOM#${a.room}`, sk: 'ROOM' },
        { pk: ROOMS, sk: a.room },
      ])
        items.push({
          Update: {
            TableName: this.table,
            Key,
            UpdateExpression:
              'SET announcement = :text, topic = if_not_exists(topic, :none), admins = if_not_exists(admins, :no), updatedAt = if_not_exists(updatedAt, :ts)',
            ExpressionAttributeValues: { ':text': a.text, ':none': '', ':no': [], ':ts': a.ts },
          },
        })
    }
    for (const m of change.members ?? []) items.push(this.memberUpdate(m))
    // An owner's list under one partition: listed by a Query, looked up by a Get.
    for (const b of change.blacklist ?? [])
      items.push({
        Put: { TableName: this.table, Item: { pk: `BLACKLIST#${b.owner}`, sk: `MEMBER#${b.member}`, json: JSON.stringify(b) } },
      })
    for (const v of change.verifying ?? [])
      items.push({
        Put: {
          TableName: this.table,
          Item: { pk: 'VERIFY', sk: `${v.room}#${v.member}`, event: v.event, until: v.until, json: JSON.stringify(v) },
        },
      })
    for (const v of change.verified ?? [])
      items.push({ Delete: { TableName: this.table, Key: { pk: 'VERIFY', sk: `${v.room}#${v.member}` } } })
    for (const o of change.offences ?? []) {
      items.push({
        Put: {
          TableName: this.table,
          Item: {
            pk: offenceKey(o.room, o.member, o.mode),
            sk: `${pad(Date.parse(o.ts), 15)}#${o.event}`,
            rule: o.rule,
            event: o.event,
            ts: o.ts,
            counted: o.counted,
          },
        },
      })
    }
    for (const [i, d] of decisions.entries()) items.push(...this.decisionPuts(d, ids[i] ?? 0, event.ts))
    if (items.length > 100)
      throw new StoreError(`commit of event ${event.id} has ${items.length} writes; DynamoDB transactions take at most 100`)
    // The snapshot's members first, as plain writes (the same values again on a retry); a repeat
    // of a stored event is turned away before anything is written.
    const repeat = async () => (await this.get(`EVENT#${event.id}`, 'EVENT', false)) !== undefined
    const checked = listed.length > 0
    if (checked) {
      if (await repeat()) return { stored: false, decisionIds: [] }
      for (let i = 0; i < listed.length; i += SNAPSHOT_WRITES_AT_ONCE)
        await Promise.all(
          listed
            .slice(i, i + SNAPSHOT_WRITES_AT_ONCE)
            .map((u) => this.call('write a snapshot member', () => this.doc.send(new UpdateCommand(u)))),
        )
    }
    // Most messages write the event alone: a conditional put costs half what a transaction does.
    // With no decision or offence, what else an event writes are records written whole (a
    // member, a room, the account): those go first as plain writes, then the event under its
    // condition — half a transaction's units. A retry after a failure in between writes the same
    // values again; a repeat of a stored event is turned away before anything is written.
    const single = items[0]?.Put
    // A message with its decisions and offences, nothing else (a rule's catch: most decisions):
    // the event first, under its condition, carrying a copy of the rest; then the offences, then
    // each decision with its member's index item before it — plain puts, half the write units of
    // a transaction. A failure in between leaves some unwritten: whoever next reads the event's
    // decisions (the redelivery's repeat check above, listDecisions) finds one missing and writes
    // the rest from the copy. Decisions and offences are never changed once written, so writing
    // one again from its copy changes nothing.
    const offences = items.filter((x) => String(x.Put?.Item?.pk).startsWith('OFFENCES#'))
    if (single !== undefined && decisions.length && !listed.length && items.length === 1 + offences.length + 2 * decisions.length) {
      const rest: Pending = {
        offences: offences.map((x) => x.Put?.Item as Item),
        decisions: decisions.map((d, i) => this.decisionItem(d, ids[i] ?? 0, event.ts)),
      }
      try {
        await this.doc.send(new PutCommand({ ...single, Item: { ...single.Item, pending: JSON.stringify(rest) } }))
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException')
          return { stored: false, decisionIds: [] } // stored meanwhile by another worker
        throw new StoreError(`DynamoDB commit of event ${event.id} failed: ${(e as Error).message}`, { cause: e })
      }
      await this.writeRest(rest.offences, rest.decisions)
      return { stored: true, decisionIds: ids }
    }
    const plain = single !== undefined && !decisions.length && !change.offences?.length && items.length <= PLAIN_WRITES_MAX
    if (plain) {
      if (items.length > 1) {
        if (!checked && (await repeat())) return { stored: false, decisionIds: [] }
        for (const item of items.slice(1))
          await this.call('write a member, room or account record', () =>
            item.Put
              ? this.doc.send(new PutCommand(item.Put))
              : item.Delete
                ? this.doc.send(new DeleteCommand(item.Delete))
                : this.doc.send(new UpdateCommand(item.Update as NonNullable<TxItem['Update']>)),
          )
      }
      try {
        await this.doc.send(new PutCommand(single))
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException')
          return { stored: false, decisionIds: [] }
        throw new StoreError(`DynamoDB commit of event ${event.id} failed: ${(e as Error).message}`, { cause: e })
      }
      this.forgetCached(change)
      return { stored: true, decisionIds: ids }
    }
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }))
    } catch (e) {
      if (e instanceof TransactionCanceledException && e.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') {
        return { stored: false, decisionIds: [] } // stored meanwhile by another worker
      }
      throw new StoreError(`DynamoDB commit of event ${event.id} failed: ${(e as Error).message}`, { cause: e })
    }
    this.forgetCached(change)
    return { stored: true, decisionIds: ids }
  }

  /** A decision, and its id under the member it is about (a member's decisions without reading every decision). */
  private decisionPuts(d: DecisionToStore, id: number, ts: string): TxItem[] {
    const item = this.decisionItem(d, id, ts)
    return [{ Put: { TableName: this.table, Item: item } }, { Put: { TableName: this.table, Item: targetItem(item) } }]
  }

  /** A decision's item (undefined fields left out: the copy an event keeps is JSON). */
  private decisionItem(d: DecisionToStore, id: number, ts: string): Item {
    const { outgoing, ...decision } = d
    const item: Item = { pk: 'DECISIONS', sk: pad(id, 12), id, ...decision, ts, outgoing: outgoingColumn(outgoing) ?? undefined }
    for (const k of Object.keys(item)) if (item[k] === undefined) delete item[k]
    return item
  }

  /** The offences, then each decision (its member's index item first, so a decision found has its index). */
  private async writeRest(offences: readonly Item[], decisions: readonly Item[]): Promise<void> {
    const put = (Item: Item) =>
      this.call('write an offence or decision', () => this.doc.send(new PutCommand({ TableName: this.table, Item })))
    await Promise.all(offences.map(put))
    await Promise.all(
      decisions.map(async (d) => {
        await put(targetItem(d))
        await put(d)
      }),
    )
  }

  /**
   * The decisions an event's item keeps the ids of. One missing means a commit failed half-way:
   * the rest of it (its offences, the missing decisions) is written first from the copy the item
   * carries. (An offence a reset cleared in between would be written again: a crash and an
   * owner's reset within the minute before the redelivery.)
   */
  private async decisionsOf(event: Item): Promise<StoredDecision[]> {
    const ids = Array.isArray(event.d) ? event.d.map(Number) : []
    const found = await this.decisionsById(ids)
    if (found.length === ids.length || typeof event.pending !== 'string') return found
    const rest = JSON.parse(event.pending) as Pending
    const have = new Set(found.map((d) => d.id))
    await this.writeRest(
      rest.offences,
      rest.decisions.filter((c) => !have.has(Number(c.id))),
    )
    return this.decisionsById(ids)
  }

  /** Stored decisions by id, in id order (BatchGetItem, 100 at a time, unprocessed keys retried). */
  private async decisionsById(ids: readonly number[]): Promise<StoredDecision[]> {
    const out: Item[] = []
    for (let i = 0; i < ids.length; i += 100) {
      let keys: Item[] | undefined = ids.slice(i, i + 100).map((id) => ({ pk: 'DECISIONS', sk: pad(id, 12) }))
      while (keys?.length) {
        const batch: Item[] = keys
        const r = await this.call('get decisions', () =>
          this.doc.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: batch, ConsistentRead: true } } })),
        )
        out.push(...(r.Responses?.[this.table] ?? []))
        keys = r.UnprocessedKeys?.[this.table]?.Keys as Item[] | undefined
      }
    }
    return out.map(toStoredDecision).sort((a, b) => a.id - b.id)
  }

  async getVerification(room: string, member: string): Promise<PendingVerification | undefined> {
    const i = await this.get('VERIFY', `${room}#${member}`)
    return i ? (JSON.parse(String(i.json)) as PendingVerification) : undefined
  }

  async listDueVerifications(dueBy: string, limit = 100): Promise<PendingVerification[]> {
    const items = await this.call('list verifications', () =>
      allPages((ExclusiveStartKey) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk',
            FilterExpression: '#until <= :due',
            ExpressionAttributeNames: { '#until': 'until' },
            ExpressionAttributeValues: { ':pk': 'VERIFY', ':due': dueBy },
            ExclusiveStartKey,
          }),
        ),
      ),
    )
    return items
      .map((i) => JSON.parse(String(i.json)) as PendingVerification)
      .sort((a, b) => Date.parse(a.until) - Date.parse(b.until) || a.room.localeCompare(b.room) || a.member.localeCompare(b.member))
      .slice(0, limit)
  }

  async settleVerification(v: PendingVerification, decisions: readonly DecisionToStore[], at: string): Promise<CommitResult> {
    for (const d of decisions) {
      const r = DecisionSchema.safeParse(d)
      if (!r.success) throw new StoreError(`invalid decision for the verification of ${v.member} in ${v.room}: ${r.error.message}`)
    }
    if (!(await this.getVerification(v.room, v.member))) return { stored: false, decisionIds: [] }
    const ids = decisions.length ? await this.reserveIds(decisions.length) : []
    const items: TxItem[] = [
      ...(ids.length
        ? [
            {
              Update: {
                TableName: this.table,
                Key: { pk: `EVENT#${v.event}`, sk: 'EVENT' },
                UpdateExpression: 'SET d = list_append(if_not_exists(d, :none), :ids)',
                ExpressionAttributeValues: { ':none': [], ':ids': ids },
              },
            },
          ]
        : []),
      {
        Delete: {
          TableName: this.table,
          Key: { pk: 'VERIFY', sk: `${v.room}#${v.member}` },
          ConditionExpression: 'attribute_exists(pk) AND #event = :event',
          ExpressionAttributeNames: { '#event': 'event' },
          ExpressionAttributeValues: { ':event': v.event },
        },
      },
      ...decisions.flatMap((d, i) => this.decisionPuts(d, ids[i] ?? 0, at)),
    ]
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }))
    } catch (e) {
      if (e instanceof TransactionCanceledException && e.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed'))
        return { stored: false, decisionIds: [] } // answered, or settled by another run, meanwhile
      throw new StoreError(`DynamoDB settle of ${v.member}'s verification in ${v.room} failed: ${(e as Error).message}`, { cause: e })
    }
    return { stored: true, decisionIds: ids }
  }

  /** What this commit changed is read afresh next time. */
  private forgetCached(change: Change): void {
    if (change.self) this.cached.delete('self')
    if (change.room) this.cached.delete(`room#${change.room.room}`)
    if (change.announcement) this.cached.delete(`room#${change.announcement.room}`)
    for (const m of change.members ?? []) this.cached.delete(`member#${m.room}#${m.member}`)
    if (change.room) for (const m of change.room.members) this.cached.delete(`member#${change.room.room}#${m}`)
  }

  /** A member's record, written whole: a re-join clears leftAt and remover; a name is kept if none is given. */
  private memberUpdate(m: MemberRecord): TxItem {
    const set: string[] = ['via = :via']
    const remove: string[] = []
    const values: Item = { ':via': m.via }
    const fields: [string, unknown][] = [
      ['joinedAt', m.joinedAt],
      ['inviter', m.inviter],
      ['leftAt', m.leftAt],
      ['remover', m.remover],
    ]
    for (const [field, value] of fields) {
      if (value === undefined) remove.push(field)
      else {
        set.push(`${field} = :${field}`)
        values[`:${field}`] = value
      }
    }
    if (m.name !== undefined) {
      set.push('#name = :name')
      values[':name'] = m.name
    }
    return {
      Update: {
        TableName: this.table,
        Key: { pk: `ROOM#${m.room}`, sk: `MEMBER#${m.member}` },
        UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ...(m.name !== undefined ? { ExpressionAttributeNames: { '#name': 'name' } } : {}),
        ExpressionAttributeValues: values,
      },
    }
  }

  private async reserveIds(n: number): Promise<number[]> {
    const r = await this.call('reserve decision ids', () =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: 'META', sk: 'SEQ' },
          UpdateExpression: 'ADD #v :n',
          ExpressionAttributeNames: { '#v': 'value' },
          ExpressionAttributeValues: { ':n': n },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    )
    const last = Number(r.Attributes?.value)
    return Array.from({ length: n }, (_, i) => last - n + 1 + i)
  }

  async recordAction(a: ActionRecord): Promise<void> {
    await this.call('recordAction', () =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `DECISION#${a.decisionId}`, sk: `ACTION#${a.ts}#${Math.random().toString(36).slice(2, 8)}`, ...a },
        }),
      ),
    )
  }

  async getBots(): Promise<string[]> {
    return this.kept('self', async () => {
      const item = await this.get('META', 'SELF')
      const latest = str(item?.value)
      const all = item?.bots instanceof Set ? [...(item.bots as Set<string>)].sort() : []
      return latest ? [latest, ...all.filter((b) => b !== latest)] : all
    })
  }

  async getRoom(room: string): Promise<RoomRecord | undefined> {
    return this.kept(`room#${room}`, async () => {
      const i = await this.get(`ROOM#${room}`, 'ROOM')
      return i ? toRoom(i) : undefined
    })
  }

  /**
   * Every room, from the rooms' directory (one Query of the `ROOMS` partition: supervision lists
   * rooms for owners' commands and the monitor's daily report, so its cost must not grow with the
   * table, as a Scan's does). A table written before the directory existed is indexed once, on
   * first use (one Scan, then a marker).
   */
  async listRooms(): Promise<RoomRecord[]> {
    if (!this.roomsIndexed) {
      if (!(await this.get('META', 'ROOMS_INDEXED'))) await this.indexRooms()
      this.roomsIndexed = true
    }
    const items = await this.queryAll(ROOMS)
    return items.map((i) => toRoom(i, String(i.sk))).sort((a, b) => (a.room < b.room ? -1 : a.room > b.room ? 1 : 0))
  }

  /** Copies the rooms stored before the directory existed into it (a room written there since is newer: kept). */
  private async indexRooms(): Promise<void> {
    const rooms = await this.call('index the rooms', () =>
      allPages((start) =>
        this.doc.send(
          new ScanCommand({
            TableName: this.table,
            FilterExpression: 'sk = :r',
            ExpressionAttributeValues: { ':r': 'ROOM' },
            ExclusiveStartKey: start,
          }),
        ),
      ),
    )
    for (const i of rooms) {
      const { pk, sk: _, ...fields } = i
      try {
        await this.doc.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...fields, pk: ROOMS, sk: String(pk).slice('ROOM#'.length) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        )
      } catch (e) {
        if ((e as Error).name !== 'ConditionalCheckFailedException')
          throw new StoreError(`DynamoDB index the rooms failed: ${(e as Error).message}`, { cause: e })
      }
    }
    await this.call('index the rooms', () =>
      this.doc.send(
        new PutCommand({ TableName: this.table, Item: { pk: 'META', sk: 'ROOMS_INDEXED', at: new Date(this.now()).toISOString() } }),
      ),
    )
  }

  /**
   * A member's record, kept for `memberCacheMs` once found (a member who posts several messages
   * in a row is read once); not finding one is not kept, so a join stored elsewhere shows at once.
   */
  async getMember(room: string, member: string): Promise<MemberRecord | undefined> {
    const key = `member#${room}#${member}`
    const hit = this.cached.get(key)
    if (hit && this.now() - hit.at < this.memberCacheMs) return hit.value as MemberRecord
    const i = await this.get(`ROOM#${room}`, `MEMBER#${member}`)
    const found = i ? toMember(room, i) : undefined
    if (found && this.memberCacheMs > 0) this.cached.set(key, { at: this.now(), value: found })
    return found
  }

  /** A Query over the room's member items (owners name members rarely: commands from the private chat). */
  async findMembers(room: string, who: string, options: { readonly withLeft?: boolean } = {}): Promise<MemberRecord[]> {
    const items = await this.call('findMembers', () =>
      allPages((start) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
            ExpressionAttributeValues: { ':pk': `ROOM#${room}`, ':m': 'MEMBER#' },
            ExclusiveStartKey: start,
          }),
        ),
      ),
    )
    const present = items.map((i) => toMember(room, i)).filter((m) => options.withLeft || !m.leftAt)
    const exact = (m: MemberRecord) => m.member === who || m.name === who
    const hits = present.filter((m) => exact(m) || (m.name ?? '').includes(who))
    const order = (a: MemberRecord, b: MemberRecord) =>
      Number(exact(b)) - Number(exact(a)) || (a.name ?? '').localeCompare(b.name ?? '') || (a.member < b.member ? -1 : 1)
    return hits.sort(order).slice(0, 20)
  }

  async countOffences(room: string, member: string, since: string, mode: 'active' | 'shadow'): Promise<number> {
    return this.countPages('countOffences', (start) =>
      this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk >= :since',
          // Offences written before `counted` existed all counted.
          FilterExpression: 'attribute_not_exists(counted) OR counted = :yes',
          ExpressionAttributeValues: { ':pk': offenceKey(room, member, mode), ':since': pad(Date.parse(since), 15), ':yes': true },
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }),
      ),
    )
  }

  async hasEvent(id: string): Promise<boolean> {
    return (await this.get(`EVENT#${id}`, 'EVENT')) !== undefined
  }

  /**
   * An eventually consistent read (half the read units): it is the repeat check before judging a
   * redelivery (the guard skips it for an SQS message's first receive), and a redelivery comes
   * back a visibility timeout (a minute) after the first try at the soonest.
   * What keeps an event stored once is the conditional write that stores it, not this read.
   */
  async getEvent(id: string): Promise<GroupEvent | undefined> {
    const i = await this.get(`EVENT#${id}`, 'EVENT', false)
    return i ? (JSON.parse(String(i.json)) as GroupEvent) : undefined
  }

  /**
   * By event: the ids its item keeps (an event stored before they were kept: every decision read).
   * By member: the ids kept under them. Otherwise every decision (one partition, read whole).
   */
  async listDecisions(filter: { id?: number; room?: string; event?: string; target?: string } = {}): Promise<StoredDecision[]> {
    let all: StoredDecision[]
    const stored = filter.event ? await this.get(`EVENT#${filter.event}`, 'EVENT') : undefined
    if (filter.id !== undefined) all = await this.decisionsById([filter.id])
    else if (stored && Array.isArray(stored.d)) all = await this.decisionsOf(stored)
    else if (filter.target && !filter.event)
      all = await this.decisionsById((await this.queryAll(`DECISIONS#TARGET#${filter.target}`)).map((i) => Number(i.id)))
    else all = (await this.queryAll('DECISIONS')).map(toStoredDecision)
    return all.filter(
      (d) =>
        (filter.id === undefined || d.id === filter.id) &&
        (!filter.room || d.room === filter.room) &&
        (!filter.event || d.event === filter.event) &&
        (!filter.target || d.target === filter.target),
    )
  }

  async clearOffences(room: string, member: string): Promise<number> {
    let n = 0
    for (const mode of ['active', 'shadow']) {
      const pk = offenceKey(room, member, mode)
      for (const i of await this.queryAll(pk)) {
        await this.call('clearOffences', () => this.doc.send(new DeleteCommand({ TableName: this.table, Key: { pk, sk: i.sk } })))
        n++
      }
    }
    return n
  }

  async listActions(decisionId?: number): Promise<ActionRecord[]> {
    const ids = decisionId === undefined ? (await this.listDecisions()).map((d) => d.id) : [decisionId]
    const out: ActionRecord[] = []
    for (const id of ids) {
      for (const i of await this.queryAll(`DECISION#${id}`)) {
        out.push({
          decisionId: Number(i.decisionId),
          status: i.status as ActionRecord['status'],
          detail: String(i.detail),
          ts: String(i.ts),
        })
      }
    }
    return out
  }

  async listPendingDecisions(): Promise<StoredDecision[]> {
    const pending: StoredDecision[] = []
    for (const d of await this.listDecisions()) {
      if (d.mode === 'active' && (await this.queryAll(`DECISION#${d.id}`)).length === 0) pending.push(d)
    }
    return pending
  }

  async getBlacklisted(owners: readonly string[], member: string): Promise<BlacklistEntry | undefined> {
    for (const owner of owners) {
      const i = await this.get(`BLACKLIST#${owner}`, `MEMBER#${member}`, false)
      if (i) return JSON.parse(String(i.json)) as BlacklistEntry
    }
    return undefined
  }

  async listBlacklist(owner: string): Promise<BlacklistEntry[]> {
    const entries = (await this.queryAll(`BLACKLIST#${owner}`)).map((i) => JSON.parse(String(i.json)) as BlacklistEntry)
    return entries.sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts) || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0))
  }

  async unblacklist(owner: string, member: string): Promise<boolean> {
    const r = await this.call('unblacklist', () =>
      this.doc.send(
        new DeleteCommand({ TableName: this.table, Key: { pk: `BLACKLIST#${owner}`, sk: `MEMBER#${member}` }, ReturnValues: 'ALL_OLD' }),
      ),
    )
    return r.Attributes !== undefined
  }

  async countEvents(): Promise<number> {
    return this.countPages('countEvents', (start) =>
      this.doc.send(
        new ScanCommand({
          TableName: this.table,
          FilterExpression: 'sk = :e',
          ExpressionAttributeValues: { ':e': 'EVENT' },
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }),
      ),
    )
  }

  /** A filtered Scan: retraining reads the messages once a day, which a Scan serves at the lowest cost. */
  async listMessages(options: { since?: string; limit?: number } = {}): Promise<MessageEvent[]> {
    return (await this.scanEvents('message', options.since, options.limit ?? 100_000)) as MessageEvent[]
  }

  async listEvents(options: { since?: string; limit?: number; room?: string } = {}): Promise<GroupEvent[]> {
    return this.scanEvents(undefined, options.since, options.limit ?? 1_000_000, options.room)
  }

  /**
   * The newest `limit` stored events (of one kind) from `since` on, oldest first. A Scan has no
   * order: page by page, what is older than `since` is dropped and, past twice the limit, the
   * oldest, so memory holds at most about twice the limit, whatever the table holds.
   */
  private async scanEvents(kind: string | undefined, since: string | undefined, limit: number, room?: string): Promise<GroupEvent[]> {
    const from = since === undefined ? Number.MIN_SAFE_INTEGER : Date.parse(since)
    const order = (a: GroupEvent, b: GroupEvent) => Date.parse(a.ts) - Date.parse(b.ts) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
    let kept: GroupEvent[] = []
    const newest = () => {
      kept.sort(order)
      if (kept.length > limit) kept = kept.slice(kept.length - limit)
    }
    let start: Item | undefined
    do {
      const page = await this.call(kind ? 'listMessages' : 'listEvents', () =>
        this.doc.send(
          new ScanCommand({
            TableName: this.table,
            FilterExpression: ['sk = :e', ...(kind ? ['kind = :k'] : []), ...(room !== undefined ? ['room = :r'] : [])].join(' AND '),
            ExpressionAttributeValues: { ':e': 'EVENT', ...(kind ? { ':k': kind } : {}), ...(room !== undefined ? { ':r': room } : {}) },
            ProjectionExpression: 'json',
            ExclusiveStartKey: start,
          }),
        ),
      )
      for (const i of page.Items ?? []) {
        const e = JSON.parse(String(i.json)) as GroupEvent
        if (Date.parse(e.ts) >= from) kept.push(e)
      }
      if (kept.length > 2 * limit) newest()
      start = page.LastEvaluatedKey
    } while (start)
    newest()
    return kept
  }

  /** Adds up `Count` over every page of a Query or Scan. */
  private async countPages(
    what: string,
    page: (start: Item | undefined) => Promise<{ Count?: number; LastEvaluatedKey?: Item }>,
  ): Promise<number> {
    let count = 0
    let start: Item | undefined
    do {
      const r = await this.call(what, () => page(start))
      count += r.Count ?? 0
      start = r.LastEvaluatedKey
    } while (start)
    return count
  }

  async close(): Promise<void> {
    this.doc.destroy()
  }

  private async get(pk: string, sk: string, consistent = true): Promise<Item | undefined> {
    const r = await this.call('get', () =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: consistent })),
    )
    return r.Item
  }

  private queryAll(pk: string): Promise<Item[]> {
    return this.call('query', () =>
      allPages((start) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      ),
    )
  }

  /** Runs one SDK call, translating its failure into a StoreError that keeps the cause. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (e) {
      throw new StoreError(`DynamoDB ${what} failed: ${(e as Error).message}`, { cause: e })
    }
  }
}

/** The id of a decision under the member it is about. */
function targetItem(decision: Item): Item {
  return { pk: `DECISIONS#TARGET#${String(decision.target)}`, sk: decision.sk, id: decision.id }
}

function toMember(room: string, i: Item): MemberRecord {
  return {
    room,
    member: String(i.sk).slice('MEMBER#'.length),
    name: str(i.name),
    joinedAt: str(i.joinedAt),
    inviter: str(i.inviter),
    via: String(i.via) as JoinRoute,
    leftAt: str(i.leftAt),
    remover: str(i.remover),
  }
}

function toRoom(i: Item, room = String(i.pk).slice('ROOM#'.length)): RoomRecord {
  return {
    room,
    topic: String(i.topic ?? ''),
    owner: str(i.owner),
    admins: (i.admins as string[] | undefined) ?? [],
    updatedAt: String(i.updatedAt),
    ...(typeof i.announcement === 'string' ? { announcement: i.announcement } : {}),
  }
}
