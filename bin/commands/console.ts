/**
 * `qunguard console`: the owner's web console (bot-host/console) on a guard store, read-only —
 * the groups, rulebooks with records, decisions and open requests as the running guard keeps
 * them. Answering requests and switching rules need the guard itself: `qunguard start --console`.
 */
import fs from 'node:fs'
import { consoleAnalytics } from '../../bot-host/console/console-words.ts'
import { serveConsole } from '../../bot-host/console/serve-console.ts'
import { loadConfigOrDefaults, loadPolicy, StartupError } from '../../bot-host/embedded.ts'
import { SqliteAnalyticsStore } from '../../functions/adapters/local/sqlite-analytics-store.ts'
import { SqliteFactsStore } from '../../functions/adapters/local/sqlite-facts-store.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { SqliteSupervisionStore } from '../../functions/adapters/local/sqlite-supervision-store.ts'
import { supervisorFor } from '../../functions/domain/supervision/catalogue.ts'

export interface ConsoleCommandOptions {
  readonly store?: string | undefined
  readonly config?: string | undefined
  readonly as: string
  readonly port: number
  readonly token?: string | undefined
  /** Stops the console when aborted, as SIGINT does. */
  readonly signal?: AbortSignal | undefined
  readonly log?: ((line: string) => void) | undefined
}

export async function runConsole(o: ConsoleCommandOptions): Promise<void> {
  const log = o.log ?? ((line: string) => console.log(line))
  const config = loadConfigOrDefaults(o.config, (line) => console.error(line))
  const envToken = process.env.QUNGUARD_CONSOLE_TOKEN
  if (!o.token && envToken !== undefined && envToken.length < 16)
    throw new StartupError('QUNGUARD_CONSOLE_TOKEN must be 16 characters or more (or leave it unset for a new token)')
  const file = o.store ?? config.store
  if (!fs.existsSync(file))
    throw new StartupError(`no guard store at ${file}: give one with --store (qunguard start and replay --store write one)`)
  const store = SqliteGuardStore.open(file, { readOnly: true })
  const supervision = SqliteSupervisionStore.open(file)
  const facts = SqliteFactsStore.open(file)
  const days = SqliteAnalyticsStore.open(file)
  const policy = config.policy ? loadPolicy(config.policy) : undefined
  const supervisor = supervisorFor(config, supervision, { policy, rooms: store, blacklist: store, members: store, decisions: store })
  const analytics = consoleAnalytics(config.supervision.utcOffsetMinutes)
  const running = await serveConsole(
    { viewer: o.as, supervisor: () => supervisor, store, requests: supervision, facts, analytics, days, policy, config },
    { port: o.port, token: o.token, warm: true },
  )
  log(`console: ${running.url} (read-only, as ${o.as}); login token: ${running.token}`)
  running.warmed.then(
    (n) => n > 0 && log(`console: analytics of ${n} group(s) summarised by day`),
    (e: unknown) => console.error(`console: the analytics could not be summarised ahead: ${(e as Error).message}`),
  )
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
    o.signal?.addEventListener('abort', () => resolve(), { once: true })
  })
  await running.close()
  await store.close()
  await supervision.closeStore()
  await facts.close()
  await days.close()
}
