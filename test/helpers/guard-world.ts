/**
 * A WeChat world on wechaty-puppet-mock with the QunGuard plugin installed, for end-to-end tests:
 * an in-memory store, `settle()` to let the plugin and the mock finish what they are doing, and
 * `stopGuardWorlds()` for `afterEach`.
 *
 * @example
 *   afterEach(stopGuardWorlds)
 *   const { world, settle } = await startGuardWorld(parseConfig({ groups: {} }))
 */
import { MockWorld } from '../../bot-host/mock-world.ts'
import { QunGuard } from '../../bot-host/qunguard-plugin.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { SqliteSupervisionStore } from '../../functions/adapters/local/sqlite-supervision-store.ts'
import { MemoryFactsStore } from '../../functions/adapters/memory/memory-facts-store.ts'
import type { Config } from '../../functions/domain/config.ts'

const running: { world: MockWorld; store: SqliteGuardStore; stop: () => void }[] = []

export async function startGuardWorld(config: Config, o: { now?: () => Date; recallOwnOnly?: boolean } = {}) {
  const store = SqliteGuardStore.open(':memory:')
  const supervision = SqliteSupervisionStore.open(':memory:')
  const facts = new MemoryFactsStore()
  const plugin = QunGuard({
    store,
    config,
    supervision,
    facts,
    tickMs: 0,
    ...(o.now ? { now: o.now } : {}),
  })
  const world = await MockWorld.start({ plugins: [plugin], recallOwnOnly: o.recallOwnOnly ?? false })
  running.push({ world, store, stop: () => plugin.stop() })
  const settle = async () => {
    await plugin.idle()
    await world.settle()
    await plugin.idle()
  }
  return { world, store, supervision, facts, plugin, settle }
}

export async function stopGuardWorlds(): Promise<void> {
  for (const r of running.splice(0)) {
    r.stop()
    await r.world.stop()
    await r.store.close()
  }
}
