/**
 * QunGuardRelay: the bot host of the AWS deployment. It does not judge anything itself: it
 * sends every group event to the inbound FIFO queue (message group = room, deduplication id =
 * event id) and carries out the actions that come back on the action queue.
 *
 * An action is acknowledged only after it was carried out (or fell back), so a bot host that
 * dies mid-action leaves it for the next poll; what keeps failing ends in the queue's DLQ.
 * With several bot accounts on one action queue, each carries out only actions for rooms it is
 * in and gives the others back at once, so a room's actions go to whichever live bot is in it.
 * A bot that is not logged in takes no actions; one that drops out while acting gives the action
 * back unfinished, and (with `routing`) the others take it once the registry counts it dead.
 *
 * @example
 *   const relay = QunGuardRelay({ events, actions })
 *   bot.use(relay)
 *   await relay.stop()
 */
import type { WechatyPlugin } from 'wechaty'
import type { WechatyInterface } from 'wechaty/impls'
import { SpillingQueue } from '../functions/adapters/local/spilling-queue.ts'
import { MemoryEventInbox } from '../functions/adapters/memory/memory-event-inbox.ts'
import type { GroupEvent } from '../functions/domain/events.ts'
import { maskPii } from '../functions/domain/privacy.ts'
import { assessBots, botForAction, strandedNote } from '../functions/domain/registry.ts'
import type { ActionOutcome, ActionRequest } from '../functions/ports/action-executor.port.ts'
import type { BotRegistry } from '../functions/ports/bot-registry.port.ts'
import type { MediaStore } from '../functions/ports/media-store.port.ts'
import type { MessageQueue } from '../functions/ports/message-queue.port.ts'
import { SendBatcher } from './send-batcher.ts'
import { WechatyActionExecutor, type WechatyActionExecutorOptions } from './wechaty-action-executor.ts'
import { settle, watchWechaty } from './wechaty-event-source.ts'

export interface QunGuardRelayConfig {
  readonly events: MessageQueue<GroupEvent>
  /** Where pictures go (S3): image messages then carry their key as `media`. @default pictures are not uploaded */
  readonly media?: MediaStore
  /** Larger pictures are not uploaded. @default 10 MiB */
  readonly maxMediaBytes?: number
  readonly actions: MessageQueue<ActionRequest>
  readonly executor?: WechatyActionExecutorOptions
  /**
   * How long an event waits for others to go in the same request to the events queue (ten to a
   * request: a tenth of the cost when busy). 0 sends each at once. @default 100 ms
   */
  readonly batchMs?: number
  /** Long-poll wait of one receive on the action queue. @default 10 s */
  readonly waitSeconds?: number
  /** Pause after giving back actions for rooms this bot is not in. @default 2000 ms */
  readonly giveBackPauseMs?: number
  readonly onAction?: (request: ActionRequest, outcome: ActionOutcome) => void
  readonly onError?: (error: Error) => void
  /**
   * With several bots in one room: which one carries each action out (domain/registry.ts
   * `botForAction` — the one that can, the owner's own account first for a removal), read from
   * the registry once per receive. @default whichever bot in the room receives it
   */
  readonly routing?: { readonly registry: BotRegistry; readonly heartbeatSeconds?: number | undefined } | undefined
}

export type QunGuardRelay = WechatyPlugin & {
  /** Resolves when every Wechaty event seen so far has been sent. */
  idle(): Promise<void>
  /** Stops polling the action queue. */
  stop(): Promise<void>
}

export function QunGuardRelay(config: QunGuardRelayConfig): QunGuardRelay {
  const onError = config.onError ?? ((e: Error) => console.error(`[qunguard relay] ${maskPii(e.message)}`))
  // On AWS the inbound SQS FIFO queue is the durable buffer: the relay sends each event on
  // within `batchMs` (with others, ten to a request), in order per lane. Only while SQS is
  // slower than WeChat do events wait here, and then in memory (the Fargate task has no store):
  // none is refused.
  const batchMs = config.batchMs ?? 100
  const batcher = batchMs > 0 ? new SendBatcher(config.events, { waitMs: batchMs }) : undefined
  const queue = new SpillingQueue({
    inbox: new MemoryEventInbox(),
    onError,
    handle: async function send(event) {
      const request = { group: 'room' in event ? event.room : event.kind, dedupeId: event.id, body: event }
      await (batcher ? batcher.send(request) : config.events.send(request))
    },
  })
  let source: ReturnType<typeof watchWechaty> | undefined
  let running = false
  let loop: Promise<void> | undefined

  const plugin = function installQunGuardRelay(bot: WechatyInterface) {
    const executor = new WechatyActionExecutor(bot, config.executor)
    source = watchWechaty(bot, {
      queue,
      onMessage: (msg) => executor.remember(msg),
      onError,
      enrichMessage: config.media
        ? (msg, event) => uploadPicture(config.media as MediaStore, msg, event, config.maxMediaBytes ?? 10 * 2 ** 20, onError)
        : undefined,
    })
    running = true
    loop = (async function pollActions() {
      while (running) {
        try {
          // Not logged in (stopped, dropped, not yet scanned): it takes no actions, so none waits on it.
          if (!bot.isLoggedIn) {
            await new Promise((r) => setTimeout(r, config.giveBackPauseMs ?? 2000))
            continue
          }
          let gaveBack = 0
          const received = await config.actions.receive({ max: 10, waitSeconds: config.waitSeconds ?? 10 })
          const routing = config.routing
          const live =
            routing && received.length
              ? assessBots(await routing.registry.list(), new Date(), routing.heartbeatSeconds ?? 60).live
              : undefined
          for (const m of received) {
            // The live bot that should do it (it can remove, or it is the owner's account), by the registry.
            const chosen = live ? botForAction(m.body, live) : undefined
            // No live bot is in the room (seen on its third delivery, so that a moment's gap in
            // beats does not count): the owner is told what to do by hand, once.
            if (live && chosen === undefined && m.receiveCount >= STRANDED_AFTER_RECEIVES && (await tellOwner(executor, m.body))) {
              await config.actions.ack(m)
              continue
            }
            // Several bot accounts may share the action queue: an action for a room this bot is
            // not in goes back at once for a bot that is (after too many tries: the DLQ, alarmed).
            if (!(await servesRoom(bot, m.body.decision.room))) {
              await config.actions.release(m)
              gaveBack++
              continue
            }
            // Another live bot in the room is the one to do it.
            if (chosen !== undefined && chosen !== bot.currentUser.id) {
              await config.actions.release(m)
              gaveBack++
              continue
            }
            const outcome = await executor.execute(m.body)
            // It dropped out while acting: not done, so given back for the next live bot (never acknowledged unfinished).
            if (outcome.status === 'failed' && !bot.isLoggedIn) {
              await config.actions.release(m)
              gaveBack++
              continue
            }
            config.onAction?.(m.body, outcome)
            await config.actions.ack(m)
          }
          // Step aside for a moment so that the bot in that room, not this one again, receives it next
          // (every receive counts towards the queue's maxReceiveCount).
          if (gaveBack) await new Promise((r) => setTimeout(r, config.giveBackPauseMs ?? 2000))
        } catch (e) {
          onError(e instanceof Error ? e : new Error(String(e)))
          await new Promise((r) => setTimeout(r, 1000))
        }
      }
    })()
  }

  return Object.defineProperties(plugin, {
    idle: {
      value: () => settle(source, queue),
    },
    stop: {
      value: async () => {
        running = false
        await loop
      },
    },
  }) as QunGuardRelay
}

/** Deliveries of an action for a room no live bot is in before its owner is told (the queue's DLQ takes it after 5). */
const STRANDED_AFTER_RECEIVES = 3

/** Tells the group's owner, by the names the action carries, what to do by hand; false when nothing was sent. */
async function tellOwner(executor: WechatyActionExecutor, request: ActionRequest): Promise<boolean> {
  const note = strandedNote(request)
  return note !== undefined && (await executor.execute(note)).status === 'done'
}

/** Private notes (room "private") go out from any bot; room actions only from a bot in that room. */
async function servesRoom(bot: WechatyInterface, room: string): Promise<boolean> {
  if (room === 'private') return true
  return (await bot.Room.find({ id: room })) !== undefined
}

/**
 * Puts an image message's picture (or a voice message's SILK file) into the media store under
 * `media/<room>/<event id>` and names it in the event. A file that cannot be fetched or is too
 * big is left out (the event still goes on, without `media`), with the reason reported.
 */
async function uploadPicture(
  media: MediaStore,
  msg: { toFileBox(): Promise<{ toBuffer(): Promise<Buffer>; name: string }> },
  event: GroupEvent,
  maxBytes: number,
  onError: (e: Error) => void,
): Promise<GroupEvent> {
  if (event.kind !== 'message' || (event.type !== 'image' && event.type !== 'voice')) return event
  try {
    const box = await msg.toFileBox()
    const bytes = await box.toBuffer()
    if (bytes.byteLength > maxBytes) throw new Error(`${bytes.byteLength} bytes, over the ${maxBytes}-byte limit`)
    if (event.type === 'voice') {
      const key = `media/${event.room}/${event.id}.sil`.replace(/[^\w.@/-]/g, '_')
      await media.put(key, bytes, 'audio/silk')
      return { ...event, media: key }
    }
    const ext = /\.(jpe?g|png|gif|webp)$/i.exec(box.name)?.[1]?.toLowerCase() ?? 'jpg'
    const key = `media/${event.room}/${event.id}.${ext}`.replace(/[^\w.@/-]/g, '_')
    await media.put(key, bytes, `image/${ext === 'jpg' ? 'jpeg' : ext}`)
    return { ...event, media: key }
  } catch (e) {
    onError(new Error(`${event.type === 'voice' ? 'voice' : 'picture'} of message ${event.id} not uploaded: ${(e as Error).message}`))
    return event
  }
}
