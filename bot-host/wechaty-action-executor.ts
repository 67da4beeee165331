/**
 * WechatyActionExecutor: carries the guard's decisions out through a Wechaty bot.
 *
 * warn → `room.say(text, member)` (an @-mention); remove → `room.remove(member)`;
 * recall → `message.recall()` (a cleanup: each of its messages, the owner told which could not be);
 * alert-owner / ask-owner → a private message to the owner; reply → `room.say(text)`; an
 * invitation back (an upheld appeal) → `room.add(member)`, or the owner asked to.
 *
 * Many accounts on the web protocol cannot remove members or recall others' messages. When
 * the puppet refuses (throws, or `recall()` answers false) the executor alerts the owner
 * instead and reports `fallback`, so the decision log says what really happened.
 */
import type { MessageInterface, WechatyInterface } from 'wechaty/impls'
import type { ActionExecutor, ActionOutcome, ActionRequest } from '../functions/ports/action-executor.port.ts'
import type { Cleanup, RecallItem } from '../functions/ports/guard-store.port.ts'

export interface WechatyActionExecutorOptions {
  /** Set false for puppets known not to remove members: the owner is alerted without trying. @default true */
  readonly canRemove?: boolean
  /** How many recent messages are kept for recall. @default 2000 */
  readonly recallWindow?: number
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e))

export class WechatyActionExecutor implements ActionExecutor {
  private readonly recent = new Map<string, MessageInterface>()
  private readonly canRemove: boolean
  private readonly recallWindow: number

  constructor(
    private readonly bot: WechatyInterface,
    options: WechatyActionExecutorOptions = {},
  ) {
    this.canRemove = options.canRemove ?? true
    this.recallWindow = options.recallWindow ?? 2000
  }

  /** Remembers a message so that it can be recalled later (bounded: oldest forgotten first). */
  remember(msg: MessageInterface): void {
    this.recent.set(msg.id, msg)
    if (this.recent.size > this.recallWindow) {
      const oldest = this.recent.keys().next().value
      if (oldest !== undefined) this.recent.delete(oldest)
    }
  }

  /** A recent message by id (for its picture or voice file). */
  message(id: string): MessageInterface | undefined {
    return this.recent.get(id)
  }

  async execute(request: ActionRequest): Promise<ActionOutcome> {
    const { decision } = request
    if (request.invite) return this.invite(request)
    switch (decision.action) {
      case 'warn':
        return this.warn(request)
      case 'remove': {
        const removed = await this.remove(request)
        return request.cleanup ? this.withCleanup(removed, await this.cleanup(request.ownerId, request.cleanup)) : removed
      }
      case 'recall':
        return this.recall(request)
      case 'alert-owner':
      case 'ask-owner':
        return this.tellOwner(request.ownerId, request.text)
      case 'reply': {
        const room = await this.bot.Room.find({ id: decision.room })
        if (!room) return { status: 'failed', detail: `room ${decision.room} not found` }
        await room.say(request.text)
        return { status: 'done', detail: 'replied in the group' }
      }
    }
  }

  private async warn(request: ActionRequest): Promise<ActionOutcome> {
    const { room: roomId, target } = request.decision
    const [room, member] = await Promise.all([this.bot.Room.find({ id: roomId }), this.bot.Contact.find({ id: target })])
    if (!room) return { status: 'failed', detail: `room ${roomId} not found` }
    if (member) await room.say(request.text, member)
    else await room.say(request.text)
    return { status: 'done', detail: 'warned in the group' }
  }

  private async remove(request: ActionRequest): Promise<ActionOutcome> {
    const { room: roomId, target } = request.decision
    if (!this.canRemove) return this.fallback(request, 'this puppet cannot remove members')
    const [room, member] = await Promise.all([this.bot.Room.find({ id: roomId }), this.bot.Contact.find({ id: target })])
    if (!room || !member) return this.fallback(request, `${room ? 'member' : 'room'} not found`)
    try {
      await room.remove(member)
      return { status: 'done', detail: 'removed from the group' }
    } catch (e) {
      return this.fallback(request, `the puppet refused to remove the member: ${errorText(e)}`)
    }
  }

  private async recall(request: ActionRequest): Promise<ActionOutcome> {
    if (request.cleanup) return this.cleanup(request.ownerId, request.cleanup)
    const msg = this.recent.get(request.messageId)
    if (!msg) return this.fallback(request, 'the message is no longer known to the bot')
    try {
      if (await msg.recall()) return { status: 'done', detail: 'message recalled' }
      return this.fallback(request, 'the puppet could not recall the message')
    } catch (e) {
      return this.fallback(request, `the puppet refused to recall the message: ${errorText(e)}`)
    }
  }

  /**
   * A cleanup after a removal (functions/domain/cleanup.ts): each message recalled where the
   * puppet can; the owner told how many were, and given the ones it could not (time and
   * excerpt) to recall by hand as group owner.
   */
  private async cleanup(ownerId: string | undefined, { text, items }: Cleanup): Promise<ActionOutcome> {
    const failed: RecallItem[] = []
    for (const item of items) {
      const msg = this.recent.get(item.id)
      let recalled = false
      try {
        recalled = msg ? await msg.recall() : false
      } catch {
        recalled = false
      }
      if (!recalled) failed.push(item)
    }
    const done = items.length - failed.length
    const said = failed.length
      ? `${done ? `已撤回 ${done} 条；` : ''}以下 ${failed.length} 条本账号无法撤回，请以群主身份手动撤回：\n${failed.map((f) => f.line).join('\n')}`
      : '已全部撤回。'
    const told = await this.tellOwner(ownerId, `${text}${said}`)
    const detail = `recalled ${done} of ${items.length}${failed.length ? `; ${failed.length} listed to the owner` : ''}`
    if (!failed.length) return { status: 'done', detail }
    return told.status === 'done' ? { status: 'fallback', detail } : { status: 'failed', detail: `${detail}; and ${told.detail}` }
  }

  /** A member invited back into the group (an upheld appeal); where the puppet cannot, the owner is asked to. */
  private async invite(request: ActionRequest): Promise<ActionOutcome> {
    const { room: roomId, target } = request.decision
    const [room, member] = await Promise.all([this.bot.Room.find({ id: roomId }), this.bot.Contact.find({ id: target })])
    let why = `${room ? 'member' : 'room'} not found`
    if (room && member) {
      try {
        await room.add(member)
        return { status: 'done', detail: 'invited back to the group' }
      } catch (e) {
        why = `the puppet refused to invite the member: ${errorText(e)}`
      }
    }
    const told = await this.tellOwner(request.ownerId, request.text)
    return told.status === 'done'
      ? { status: 'fallback', detail: `${why}; owner asked to invite` }
      : { status: 'failed', detail: `${why}; and ${told.detail}` }
  }

  /** A removal's outcome with its cleanup's: the worse status, both details. */
  private withCleanup(removed: ActionOutcome, cleaned: ActionOutcome): ActionOutcome {
    const rank = { done: 0, fallback: 1, failed: 2 } as const
    const status = rank[cleaned.status] > rank[removed.status] ? cleaned.status : removed.status
    return { status, detail: `${removed.detail}; cleanup: ${cleaned.detail}` }
  }

  /** The owner is told what the guard could not do, so a person can do it by hand. */
  private async fallback(request: ActionRequest, why: string): Promise<ActionOutcome> {
    const verb = request.decision.action === 'remove' ? '移出' : '撤回'
    const text = `[qunguard] 无法自动${verb}（${why}），请手动处理。\n${request.decision.reason}`
    const told = await this.tellOwner(request.ownerId, text)
    return told.status === 'done'
      ? { status: 'fallback', detail: `${why}; owner alerted instead` }
      : { status: 'failed', detail: `${why}; and ${told.detail}` }
  }

  private async tellOwner(ownerId: string | undefined, text: string): Promise<ActionOutcome> {
    if (!ownerId) return { status: 'failed', detail: 'no owner known for this room to alert' }
    const owner = await this.bot.Contact.find({ id: ownerId })
    if (!owner) return { status: 'failed', detail: `owner ${ownerId} not found` }
    await owner.say(text)
    return { status: 'done', detail: 'owner alerted privately' }
  }
}
