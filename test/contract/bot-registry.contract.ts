/**
 * The BotRegistry contract: every adapter (memory, SQLite, DynamoDB) runs this same suite.
 *
 * @example
 *   botRegistryContract('SqliteBotRegistry', async () => SqliteBotRegistry.open(':memory:'))
 */
import { beforeEach, describe, expect, it } from 'vitest'
import type { BotRegistry } from '../../functions/ports/bot-registry.port.ts'

export function botRegistryContract(name: string, make: () => Promise<BotRegistry>): void {
  describe(`BotRegistry contract: ${name}`, () => {
    let registry: BotRegistry
    beforeEach(async () => {
      registry = await make()
    })

    it('keeps the latest heartbeat of each bot, with what its puppet can do', async () => {
      const can = { remove: false, recall: false, invite: false }
      await registry.beat({ bot: 'wxid_b', lastBeat: '2026-03-01T12:00:00.000Z', rooms: ['r1'] })
      await registry.beat({ bot: 'wxid_a', lastBeat: '2026-03-01T12:00:00.000Z', rooms: [], host: 'task-1', can, name: '守卫甲' })
      await registry.beat({ bot: 'wxid_b', lastBeat: '2026-03-01T12:01:00.000Z', rooms: ['r1', 'r2'] })
      const bots = (await registry.list()).sort((x, y) => x.bot.localeCompare(y.bot))
      expect(bots).toEqual([
        { bot: 'wxid_a', lastBeat: '2026-03-01T12:00:00.000Z', rooms: [], host: 'task-1', can, name: '守卫甲' },
        { bot: 'wxid_b', lastBeat: '2026-03-01T12:01:00.000Z', rooms: ['r1', 'r2'], host: undefined },
      ])
    })

    it('notes a failure told once per silence: not after a newer beat, and a new beat clears it', async () => {
      await registry.beat({ bot: 'wxid_a', lastBeat: '2026-03-01T12:00:00.000Z', rooms: ['r1'] })
      expect(await registry.markFailureTold('wxid_a', '2026-03-01T11:00:00.000Z', '2026-03-01T12:05:00.000Z')).toBe(false)
      expect(await registry.markFailureTold('wxid_nobody', '2026-03-01T12:00:00.000Z', '2026-03-01T12:05:00.000Z')).toBe(false)
      expect(await registry.markFailureTold('wxid_a', '2026-03-01T12:00:00.000Z', '2026-03-01T12:05:00.000Z')).toBe(true)
      expect((await registry.list())[0]?.failureToldAt).toBe('2026-03-01T12:05:00.000Z')
      await registry.beat({ bot: 'wxid_a', lastBeat: '2026-03-01T12:10:00.000Z', rooms: ['r1'] })
      expect((await registry.list())[0]?.failureToldAt).toBeUndefined()
    })
  })
}
