/**
 * BotRegistry: the bot accounts (bot hosts) that serve groups, and when each was last heard.
 * Each bot host writes a heartbeat every interval; the monitor reads them (domain/registry.ts).
 *
 * Adapters: `DynamoDbBotRegistry`, `SqliteBotRegistry` and `MemoryBotRegistry`; all pass
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
  /** The account's WeChat name: what owners are told it is called. */
  readonly name?: string | undefined
  /** Where it runs (task id, host name), for people. */
  readonly host?: string | undefined
  /** What its puppet can do in WeChat (remove members, recall others' messages, invite); unknown: not said. */
  readonly can?: BotCapabilities | undefined
  /** When the owners of its rooms were told it stopped beating (cleared by its next beat). */
  readonly failureToldAt?: string | undefined
}

export interface BotCapabilities {
  readonly remove: boolean
  readonly recall: boolean
  readonly invite: boolean
}

export interface BotRegistry {
  /** Records a heartbeat; replaces the bot's previous record (a told failure with it). */
  beat(record: BotRecord): Promise<void>
  list(): Promise<BotRecord[]>
  /**
   * Notes that the owners were told the bot stopped beating — only if its last beat is still
   * `lastBeat` (a beat in between means it is back): false when it was not noted.
   */
  markFailureTold(bot: string, lastBeat: string, at: string): Promise<boolean>
}
