/**
 * DynamoDbBotRegistry: heartbeats on the guard's table, one item per bot under the `BOTS`
 * partition (a handful of bots per deployment). Bot hosts may write only that partition
 * (IAM condition dynamodb:LeadingKeys = BOTS).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { BotRecord, BotRegistry } from '../../ports/bot-registry.port.ts'
import { StoreError } from '../../ports/guard-store.port.ts'
import { allPages } from './dynamodb-pages.ts'

export const BOTS_PARTITION = 'BOTS'
/** Records of bots not heard from for this long disappear (TTL). */
const KEEP_S = 30 * 86_400

export class DynamoDbBotRegistry implements BotRegistry {
  private readonly doc: DynamoDBDocumentClient

  constructor(private readonly options: { readonly client: DynamoDBClient; readonly table: string }) {
    if (!options.table) throw new StoreError('DynamoDbBotRegistry needs a table name')
    this.doc = DynamoDBDocumentClient.from(options.client, { marshallOptions: { removeUndefinedValues: true } })
  }

  async beat(record: BotRecord): Promise<void> {
    const { failureToldAt: _, ...fresh } = record
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.options.table,
          // A beat replaces the record whole: a failure told before is over.
          Item: { pk: BOTS_PARTITION, sk: record.bot, ...fresh, expiresAt: Math.floor(Date.parse(record.lastBeat) / 1000) + KEEP_S },
        }),
      )
    } catch (e) {
      throw new StoreError(`DynamoDB could not record the heartbeat of ${record.bot}: ${(e as Error).message}`, { cause: e })
    }
  }

  async list(): Promise<BotRecord[]> {
    let items: Record<string, unknown>[]
    try {
      items = await allPages((start) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.options.table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': BOTS_PARTITION },
            ExclusiveStartKey: start,
          }),
        ),
      )
    } catch (e) {
      throw new StoreError(`DynamoDB could not list the bots: ${(e as Error).message}`, { cause: e })
    }
    return items.map((i) => ({
      bot: String(i.bot),
      lastBeat: String(i.lastBeat),
      rooms: Array.isArray(i.rooms) ? i.rooms.map(String) : [],
      host: typeof i.host === 'string' ? i.host : undefined,
      ...(typeof i.name === 'string' ? { name: i.name } : {}),
      ...(i.can && typeof i.can === 'object' ? { can: i.can as BotRecord['can'] } : {}),
      ...(typeof i.failureToldAt === 'string' ? { failureToldAt: i.failureToldAt } : {}),
    }))
  }

  async markFailureTold(bot: string, lastBeat: string, at: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.options.table,
          Key: { pk: BOTS_PARTITION, sk: bot },
          UpdateExpression: 'SET failureToldAt = :at',
          ConditionExpression: 'lastBeat = :beat',
          ExpressionAttributeValues: { ':at': at, ':beat': lastBeat },
        }),
      )
      return true
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException') return false
      throw new StoreError(`DynamoDB could not note ${bot}'s failure: ${(e as Error).message}`, { cause: e })
    }
  }
}
