/**
 * DynamoDbAnalyticsStore: the AnalyticsStore on the guard's single table.
 *
 * Item layout:
 *   ANALYTICS#<room>  / DAY#<YYYY-MM-DD>   one summarised day (gzipped JSON: a busy day's posters and words stay far under 400 KB)
 *   ANALYTICS#<room>  / THROUGH            the day the room's summaries are complete through
 *
 * One Query reads a room's days from a date and the mark together ('THROUGH' sorts after every
 * 'DAY#…'). Days are written before the mark, so the mark never claims a day not stored.
 */
import { gunzipSync, gzipSync } from 'node:zlib'
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { DaySummary } from '../../domain/analytics.ts'
import type { AnalyticsStore } from '../../ports/analytics-store.port.ts'
import { StoreError } from '../../ports/guard-store.port.ts'
import { allPages, type Item } from './dynamodb-pages.ts'

export interface DynamoDbAnalyticsStoreOptions {
  readonly client: DynamoDBClient
  readonly table: string
}

const dayBefore = (day: string) => new Date(Date.parse(`${day}T00:00:00.000Z`) - 86_400_000).toISOString().slice(0, 10)

export class DynamoDbAnalyticsStore implements AnalyticsStore {
  private readonly doc: DynamoDBDocumentClient
  private readonly table: string

  constructor(options: DynamoDbAnalyticsStoreOptions) {
    if (!options.table) throw new StoreError('DynamoDbAnalyticsStore needs a table name')
    this.doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } })
    this.table = options.table
  }

  async getDays(room: string, fromDay: string): Promise<{ through?: string | undefined; days: DaySummary[] }> {
    const items = await this.query(room, '>=', `DAY#${fromDay}`)
    let through: string | undefined
    const days: DaySummary[] = []
    for (const i of items) {
      if (i.sk === 'THROUGH') through = String(i.day)
      else if (i.summary instanceof Uint8Array) days.push(JSON.parse(gunzipSync(i.summary).toString('utf8')) as DaySummary)
    }
    return { through, days }
  }

  async putDays(room: string, days: readonly DaySummary[], marks: { through: string; from: string }): Promise<void> {
    const puts = days.map((d) => ({
      PutRequest: { Item: { pk: `ANALYTICS#${room}`, sk: `DAY#${d.day}`, summary: gzipSync(JSON.stringify(d)) } },
    }))
    const old = (await this.query(room, '<', `DAY#${marks.from}`)).filter((i) => String(i.sk).startsWith('DAY#'))
    const deletes = old.map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } }))
    await this.batch([...puts, ...deletes])
    await this.call('mark a room’s summarised days', () =>
      this.doc.send(new PutCommand({ TableName: this.table, Item: { pk: `ANALYTICS#${room}`, sk: 'THROUGH', day: marks.through } })),
    )
  }

  async forgetFrom(room: string, fromDay: string): Promise<void> {
    // The mark first: a reader between the two steps reads the days again rather than trusting them.
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { pk: `ANALYTICS#${room}`, sk: 'THROUGH' },
          UpdateExpression: 'SET #d = :before',
          ConditionExpression: '#d >= :from',
          ExpressionAttributeNames: { '#d': 'day' },
          ExpressionAttributeValues: { ':before': dayBefore(fromDay), ':from': fromDay },
        }),
      )
    } catch (e) {
      if ((e as Error).name !== 'ConditionalCheckFailedException')
        throw new StoreError(`DynamoDB forget a room’s summarised days failed: ${(e as Error).message}`, { cause: e })
    }
    const days = (await this.query(room, '>=', `DAY#${fromDay}`)).filter((i) => String(i.sk).startsWith('DAY#'))
    await this.batch(days.map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } })))
  }

  private query(room: string, op: '>=' | '<', sk: string): Promise<Item[]> {
    return this.call('read a room’s summarised days', () =>
      allPages((start) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: `pk = :pk AND sk ${op} :sk`,
            ExpressionAttributeValues: { ':pk': `ANALYTICS#${room}`, ':sk': sk },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      ),
    )
  }

  /** Writes in batches of 25, what DynamoDB leaves unprocessed written again (a few times). */
  private async batch(requests: readonly Item[]): Promise<void> {
    for (let i = 0; i < requests.length; i += 25) {
      let left = requests.slice(i, i + 25)
      for (let attempt = 0; left.length && attempt < 5; attempt++) {
        const r = await this.call('write a room’s summarised days', () =>
          this.doc.send(new BatchWriteCommand({ RequestItems: { [this.table]: left as never } })),
        )
        left = (r.UnprocessedItems?.[this.table] ?? []) as Item[]
        if (left.length) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt))
      }
      if (left.length) throw new StoreError(`DynamoDB left ${left.length} summarised days unwritten`)
    }
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (e) {
      throw new StoreError(`DynamoDB ${what} failed: ${(e as Error).message}`, { cause: e })
    }
  }
}
