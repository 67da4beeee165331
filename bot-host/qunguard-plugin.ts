/**
 * QunGuard: the Wechaty plugin that guards every group the bot account is in.
 *
 * It turns Wechaty events into FORMAT.md events, queues them per room (in order, bounded),
 * hands them to the Guard, and carries the Guard's decisions out through the bot.
 *
 * @example
 *   const store = SqliteGuardStore.open('qunguard.db')
 *   const plugin = QunGuard({ config, store })
 *   bot.use(plugin)
 *   // tests: await plugin.idle() waits until every event seen so far is handled
 */
import type { WechatyPlugin } from 'wechaty'
import type { WechatyInterface } from 'wechaty/impls'
import { RoomQueue, type RoomQueueOptions } from '../functions/adapters/local/room-queue.ts'
import { type Config, parseConfig } from '../functions/domain/config.ts'
import type { GroupEvent } from '../functions/domain/events.ts'
import { Guard, type HandleResult } from '../functions/domain/guard.ts'
import type { GuardStore } from '../functions/ports/guard-store.port.ts'
import { WechatyActionExecutor, type WechatyActionExecutorOptions } from './wechaty-action-executor.ts'
import { watchWechaty } from './wechaty-event-source.ts'

export interface QunGuardConfig {
  /** The store for events, members, offences, decisions and actions. Required. */
  readonly store: GuardStore
  /** The parsed qunguard.yaml. @default every group with the built-in defaults and no rules */
  readonly config: Config
  /** Bounds of the per-room queue. @default 1000 per room, config.queueLimit in all */
  readonly queue: RoomQueueOptions
  /** How actions are carried out on this puppet. */
  readonly actions: WechatyActionExecutorOptions
  /** Called with every handled event: for timelines, metrics and tests. */
  readonly onResult: (result: HandleResult, event: GroupEvent) => void
  /** Called when an event could not be queued or handled. @default logs to stderr */
  readonly onError: (error: Error, event?: GroupEvent) => void
}

export type QunGuardPlugin = WechatyPlugin & {
  /** Resolves when every event received so far has been handled. */
  idle(): Promise<void>
  /** The guard behind the plugin, once installed. */
  readonly guard: Guard | undefined
  /** The room queue (its size and refused count). */
  readonly queue: RoomQueue
}

export function QunGuard(options: Partial<QunGuardConfig> & Pick<QunGuardConfig, 'store'>): QunGuardPlugin {
  const config = options.config ?? parseConfig({})
  const queue = new RoomQueue({ perRoomLimit: 1000, totalLimit: config.queueLimit, ...options.queue })
  const onResult = options.onResult ?? (() => {})
  const onError = options.onError ?? ((e: Error) => console.error(`[qunguard] ${e.message}`))
  let guard: Guard | undefined

  const plugin = function installQunGuard(bot: WechatyInterface) {
    const executor = new WechatyActionExecutor(bot, options.actions)
    const g = new Guard({ store: options.store, config, executor })
    guard = g
    watchWechaty(bot, {
      queue,
      onMessage: (msg) => executor.remember(msg),
      onError: (e) => onError(e),
      sink: async function judge(event) {
        const result = await g.handle(event)
        if (result.status === 'invalid') onError(new Error(`invalid ${event.kind} event from Wechaty: ${result.error}`), event)
        else onResult(result, event)
      },
    })
  }

  return Object.defineProperties(plugin, {
    idle: { value: () => queue.idle() },
    guard: { get: () => guard },
    queue: { value: queue },
  }) as QunGuardPlugin
}
