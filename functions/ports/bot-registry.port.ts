/**
 * BotRegistry: the bot accounts (bot hosts) that serve groups, and when each was last heard.
 * Each bot host writes a heartbeat every interval; the monitor reads them (domain/registry.ts).
 *
 * Adapters: `DynamoDbBotRegistry` and `MemoryBotRegistry`; both pass
 * test/contract/bot-registry.contract.ts.
 *
 * @example
 *   await registry.beat({ bot: 'wxid_bot', lastBeat: new Date().toISOString(), rooms: ['r1@chatroom'] })
 */
export interface BotRecord {
  /** The bot account's WeChat id. */
  readonly bot: string
  readonly lastBeat: string
  /** Rooms the bot is a member of. */
  readonly rooms: readonly string[]
  /** Where it runs (task id, host name), for people. */
  readonly host?: string | undefined
}

export interface BotRegistry {
  /** Records a heartbeat; replaces the bot's previous record. */
  beat(record: BotRecord): Promise<void>
  list(): Promise<BotRecord[]>
}
