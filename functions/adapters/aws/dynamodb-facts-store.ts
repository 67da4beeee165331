/**
 * DynamoDbFactsStore: the FactsStore on the guard's single table.
 *
 * Item layout:
 *   ACTIVITY#<room>   / <member>                 a member's latest message times, texts' signatures and last catch (TTL)
 *   RHYTHM            / <room>                   the room's messages per hour of the day
 *   SIGHT#<band>      / <ms, 15 digits>#<id>     a text's signature under one of its LSH bands (TTL: the campaign window)
 *   PICTURE#<room>    / <ms, 15 digits>#<id>     what was read from a picture, to answer 识别 / 评分 (TTL: minutes)
 *
 * A room's messages are judged one at a time (its FIFO message group), so activity and rhythm
 * are read consistently and written whole. A sighting is 8 small items (one per band, written
 * in one batch); they are only added, and expire by TTL — DynamoDB deletes expired items within
 * days, so reads also filter by time.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { FactsStore, MemberActivity, RecentPicture, Report, Sighting } from '../../ports/facts-store.port.ts'
import { StoreError } from '../../ports/guard-store.port.ts'

export interface DynamoDbFactsStoreOptions {
  readonly client: DynamoDBClient
  readonly table: string
}

const pad = (ms: number) => String(Math.max(0, Math.floor(ms))).padStart(15, '0')
const seconds = (ms: number) => Math.ceil(ms / 1000)

export class DynamoDbFactsStore implements FactsStore {
  private readonly doc: DynamoDBDocumentClient
  private readonly table: string

  constructor(options: DynamoDbFactsStoreOptions) {
    if (!options.table) throw new StoreError('DynamoDbFactsStore needs a table name')
    this.doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } })
    this.table = options.table
  }

  async getActivity(room: string, member: string): Promise<MemberActivity | undefined> {
    const r = await this.call('read a member’s activity', () =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: `ACTIVITY#${room}`, sk: member }, ConsistentRead: true })),
    )
    const i = r.Item
    if (!i) return undefined
    return {
      times: Array.isArray(i.times) ? i.times.map(Number) : [],
      caught: i.caught === undefined ? undefined : Number(i.caught),
      ...(Array.isArray(i.ids) ? { ids: i.ids.map(String) } : {}),
      ...(Array.isArray(i.texts)
        ? { texts: (i.texts as Record<string, unknown>[]).map((t) => ({ id: String(t.id), ms: Number(t.ms), sig: String(t.sig) })) }
        : {}),
    }
  }

  async saveActivity(room: string, member: string, activity: MemberActivity, expiresAtMs: number): Promise<void> {
    await this.call('save a member’s activity', () =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `ACTIVITY#${room}`,
            sk: member,
            times: [...activity.times],
            caught: activity.caught,
            ids: activity.ids ? [...activity.ids] : undefined,
            texts: activity.texts?.length ? activity.texts.map((t) => ({ id: t.id, ms: t.ms, sig: t.sig })) : undefined,
            expiresAt: seconds(expiresAtMs),
          },
        }),
      ),
    )
  }

  async getRhythm(room: string): Promise<readonly number[] | undefined> {
    const r = await this.call('read a room’s rhythm', () =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: { pk: 'RHYTHM', sk: room }, ConsistentRead: true })),
    )
    return Array.isArray(r.Item?.byHour) ? r.Item.byHour.map(Number) : undefined
  }

  async saveRhythm(room: string, byHour: readonly number[]): Promise<void> {
    await this.call('save a room’s rhythm', () =>
      this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: 'RHYTHM', sk: room, byHour: [...byHour] } })),
    )
  }

  async findSightings(bands: readonly string[], afterMs: number, perBand: number): Promise<Sighting[]> {
    const pages = await Promise.all(
      bands.map((band) =>
        this.call('find text sightings', () =>
          this.doc.send(
            new QueryCommand({
              TableName: this.table,
              KeyConditionExpression: 'pk = :pk AND sk >= :from',
              ExpressionAttributeValues: { ':pk': `SIGHT#${band}`, ':from': pad(afterMs + 1) },
              ScanIndexForward: false,
              Limit: perBand,
            }),
          ),
        ),
      ),
    )
    const seen = new Set<string>()
    const out: Sighting[] = []
    for (const page of pages) {
      for (const i of [...(page.Items ?? [])].reverse()) {
        const id = String(i.id)
        if (seen.has(id)) continue
        seen.add(id)
        out.push({
          id,
          room: String(i.room),
          sender: String(i.sender),
          ms: Number(i.ms),
          sig: (i.sig as unknown[]).map(Number),
          ...(i.by ? { by: i.by as Sighting['by'] } : {}),
        })
      }
    }
    return out
  }

  async addSighting(bands: readonly string[], s: Sighting, expiresAtMs: number): Promise<void> {
    let requests = bands.map((band) => ({
      PutRequest: {
        Item: {
          pk: `SIGHT#${band}`,
          sk: `${pad(s.ms)}#${s.id}`,
          id: s.id,
          room: s.room,
          sender: s.sender,
          ms: s.ms,
          sig: [...s.sig],
          ...(s.by ? { by: { ...s.by } } : {}),
          expiresAt: seconds(expiresAtMs),
        },
      },
    }))
    // A batch may come back partly unwritten under throttling: write the rest again (a few times).
    for (let attempt = 0; requests.length && attempt < 5; attempt++) {
      const r = await this.call('add a text sighting', () =>
        this.doc.send(new BatchWriteCommand({ RequestItems: { [this.table]: requests } })),
      )
      requests = (r.UnprocessedItems?.[this.table] ?? []) as typeof requests
      if (requests.length) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt))
    }
    if (requests.length) throw new StoreError(`DynamoDB could not add a text sighting: ${requests.length} of its bands left unwritten`)
  }

  async rememberPicture(room: string, picture: RecentPicture, expiresAtMs: number): Promise<void> {
    await this.call('remember a picture', () =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `PICTURE#${room}`,
            sk: `${pad(picture.ms)}#${picture.id}`,
            picture: JSON.stringify(picture),
            expiresAt: seconds(expiresAtMs),
          },
        }),
      ),
    )
  }

  async recentPictures(room: string, afterMs: number, limit: number): Promise<RecentPicture[]> {
    const r = await this.call('read recent pictures', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk >= :from',
          ExpressionAttributeValues: { ':pk': `PICTURE#${room}`, ':from': pad(afterMs + 1) },
          ScanIndexForward: false,
          Limit: limit,
          ConsistentRead: true,
        }),
      ),
    )
    return [...(r.Items ?? [])].reverse().map((i) => JSON.parse(String(i.picture)) as RecentPicture)
  }

  async addReport(room: string, target: string, report: Report, expiresAtMs: number): Promise<void> {
    await this.call('record a report', () =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `REPORTS#${room}#${target}`, sk: report.reporter, report: JSON.stringify(report), expiresAt: seconds(expiresAtMs) },
        }),
      ),
    )
  }

  /** One Query per reported member; items past their TTL may linger until DynamoDB deletes them, so they are filtered by time here. */
  async reports(room: string, target: string, afterMs: number): Promise<Report[]> {
    const r = await this.call('read reports', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `REPORTS#${room}#${target}` },
          ConsistentRead: true,
        }),
      ),
    )
    return (r.Items ?? [])
      .map((i) => JSON.parse(String(i.report)) as Report)
      .filter((x) => x.ms > afterMs)
      .sort((a, b) => a.ms - b.ms || (a.reporter < b.reporter ? -1 : 1))
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (e) {
      throw new StoreError(`DynamoDB could not ${what}: ${(e as Error).message}`, { cause: e })
    }
  }
}
