/** MemoryBotRegistry: the BotRegistry in one process's memory (tests). */
import type { BotRecord, BotRegistry } from '../../ports/bot-registry.port.ts'

export class MemoryBotRegistry implements BotRegistry {
  private readonly bots = new Map<string, BotRecord>()

  async beat(record: BotRecord): Promise<void> {
    const { failureToldAt: _, ...fresh } = record
    this.bots.set(record.bot, { ...fresh, rooms: [...record.rooms] })
  }

  async list(): Promise<BotRecord[]> {
    return [...this.bots.values()].sort((a, b) => a.bot.localeCompare(b.bot))
  }

  async markFailureTold(bot: string, lastBeat: string, at: string): Promise<boolean> {
    const r = this.bots.get(bot)
    if (!r || r.lastBeat !== lastBeat) return false
    this.bots.set(bot, { ...r, failureToldAt: at })
    return true
  }
}
