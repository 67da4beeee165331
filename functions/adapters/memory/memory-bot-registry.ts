/** MemoryBotRegistry: the BotRegistry in one process's memory (tests; embedded runs one bot). */
import type { BotRecord, BotRegistry } from '../../ports/bot-registry.port.ts'

export class MemoryBotRegistry implements BotRegistry {
  private readonly bots = new Map<string, BotRecord>()

  async beat(record: BotRecord): Promise<void> {
    this.bots.set(record.bot, { ...record, rooms: [...record.rooms] })
  }

  async list(): Promise<BotRecord[]> {
    return [...this.bots.values()].sort((a, b) => a.bot.localeCompare(b.bot))
  }
}
