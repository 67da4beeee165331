/**
 * Heartbeat: a Wechaty plugin that tells the bot registry, every `intervalSeconds`, that this
 * bot account is alive, which rooms it is in and what its puppet can do. The monitor declares a
 * bot dead after three missed beats (domain/registry.ts), alarms, and tells the owners of its
 * rooms once.
 *
 * @example
 *   const beat = Heartbeat({ registry, intervalSeconds: 60, host: process.env.HOSTNAME })
 *   bot.use(beat) // … await beat.stop()
 */
import type { WechatyPlugin } from 'wechaty'
import type { WechatyInterface } from 'wechaty/impls'
import type { BotCapabilities, BotRegistry } from '../functions/ports/bot-registry.port.ts'

export interface HeartbeatConfig {
  readonly registry: BotRegistry
  /** @default 60; 0: one beat at login, the others only when `beat()` is called */
  readonly intervalSeconds?: number
  readonly host?: string | undefined
  /** What this account's puppet can do (remove members, recall others' messages, invite), when known. */
  readonly can?: BotCapabilities | undefined
  /** The same, by the account's WeChat id (known once logged in); `can` when it says nothing. */
  readonly canOf?: ((bot: string) => BotCapabilities | undefined) | undefined
  readonly onError?: (error: Error) => void
}

export type Heartbeat = WechatyPlugin & { beat(): Promise<void>; stop(): void }

export function Heartbeat(config: HeartbeatConfig): Heartbeat {
  let timer: NodeJS.Timeout | undefined
  let beat: () => Promise<void> = async () => {}
  const onError = config.onError ?? ((e: Error) => console.error(`[qunguard heartbeat] ${e.message}`))

  const plugin = function installHeartbeat(bot: WechatyInterface) {
    beat = async function sendHeartbeat() {
      if (!bot.isLoggedIn) return
      const rooms = await bot.Room.findAll()
      const can = config.canOf?.(bot.currentUser.id) ?? config.can
      // Stopped while listing its rooms: no beat for a stopped account.
      if (!bot.isLoggedIn) return
      await config.registry.beat({
        bot: bot.currentUser.id,
        lastBeat: new Date().toISOString(),
        rooms: rooms.map((r) => r.id),
        name: bot.currentUser.name(),
        host: config.host,
        ...(can ? { can } : {}),
      })
    }
    const tick = () => beat().catch((e: unknown) => onError(e instanceof Error ? e : new Error(String(e))))
    bot.on('login', () => {
      void tick()
      clearInterval(timer)
      const every = config.intervalSeconds ?? 60
      if (every <= 0) return
      timer = setInterval(tick, every * 1000)
      timer.unref()
    })
    bot.on('logout', () => clearInterval(timer))
  }
  return Object.defineProperties(plugin, {
    beat: { value: () => beat() },
    stop: { value: () => clearInterval(timer) },
  }) as Heartbeat
}
