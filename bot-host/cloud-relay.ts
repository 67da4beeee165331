/**
 * QunGuardRelay: the bot host of the AWS deployment. It does not judge anything itself: it
 * sends every group event to the inbound FIFO queue (message group = room, deduplication id =
 * event id) and carries out the actions that come back on the action queue.
 *
 * An action is acknowledged only after it was carried out (or fell back), so a bot host that
 * dies mid-action leaves it for the next poll; what keeps failing ends in the queue's DLQ.
 *
 * @example
 *   const relay = QunGuardRelay({ events, actions })
 *   bot.use(relay)
 *   await relay.stop()
 */
import type { WechatyPlugin } from 'wechaty'
import type { WechatyInterface } from 'wechaty/impls'
import { RoomQueue } from '../functions/adapters/local/room-queue.ts'
import type { GroupEvent } from '../functions/domain/events.ts'
import type { ActionOutcome, ActionRequest } from '../functions/ports/action-executor.port.ts'
import type { MessageQueue } from '../functions/ports/message-queue.port.ts'
import { WechatyActionExecutor, type WechatyActionExecutorOptions } from './wechaty-action-executor.ts'
import { watchWechaty } from './wechaty-event-source.ts'

export interface QunGuardRelayConfig {
  readonly events: MessageQueue<GroupEvent>
  readonly actions: MessageQueue<ActionRequest>
  readonly executor?: WechatyActionExecutorOptions
  /** Long-poll wait of one receive on the action queue. @default 10 s */
  readonly waitSeconds?: number
  readonly onAction?: (request: ActionRequest, outcome: ActionOutcome) => void
  readonly onError?: (error: Error) => void
}

export type QunGuardRelay = WechatyPlugin & {
  /** Resolves when every Wechaty event seen so far has been sent. */
  idle(): Promise<void>
  /** Stops polling the action queue. */
  stop(): Promise<void>
}

export function QunGuardRelay(config: QunGuardRelayConfig): QunGuardRelay {
  const queue = new RoomQueue()
  const onError = config.onError ?? ((e: Error) => console.error(`[qunguard relay] ${e.message}`))
  let running = false
  let loop: Promise<void> | undefined

  const plugin = function installQunGuardRelay(bot: WechatyInterface) {
    const executor = new WechatyActionExecutor(bot, config.executor)
    watchWechaty(bot, {
      queue,
      onMessage: (msg) => executor.remember(msg),
      onError,
      sink: async function send(event) {
        await config.events.send({ group: 'room' in event ? event.room : event.kind, dedupeId: event.id, body: event })
      },
    })
    running = true
    loop = (async function pollActions() {
      while (running) {
        try {
          for (const m of await config.actions.receive({ max: 10, waitSeconds: config.waitSeconds ?? 10 })) {
            const outcome = await executor.execute(m.body)
            config.onAction?.(m.body, outcome)
            await config.actions.ack(m)
          }
        } catch (e) {
          onError(e instanceof Error ? e : new Error(String(e)))
          await new Promise((r) => setTimeout(r, 1000))
        }
      }
    })()
  }

  return Object.defineProperties(plugin, {
    idle: { value: () => queue.idle() },
    stop: {
      value: async () => {
        running = false
        await loop
      },
    },
  }) as QunGuardRelay
}
