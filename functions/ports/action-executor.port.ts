/**
 * ActionExecutor: carries a decision out in WeChat (or wherever the runtime sends it).
 *
 * Embedded: the Wechaty plugin in bot-host implements it with room.say / room.remove /
 * message.recall / contact.say. On AWS: a queue of actions back to the bot host.
 *
 * An executor never throws for an action the platform refuses: it reports `fallback` (it did
 * something else instead, e.g. alerted the owner because the puppet cannot remove members) or
 * `failed`, with a detail a person can read.
 */
import type { Decision } from '../domain/events.ts'
import type { ActionStatus, Cleanup } from './guard-store.port.ts'

export interface ActionRequest {
  readonly decisionId: number
  readonly decision: Decision
  /** The id of the message event that caused it (for recall). */
  readonly messageId: string
  /** Text to say: the @-warning for `warn`, the private note for `alert-owner`. */
  readonly text: string
  /** Who gets private alerts for this room (the room's owner unless configured otherwise). */
  readonly ownerId?: string | undefined
  /** The group's name and the member's, for telling the owner when no guard account can carry it out. */
  readonly names?: { readonly room?: string | undefined; readonly target?: string | undefined } | undefined
  /**
   * A cleanup, after the removal (`remove`) or as the action itself (`recall` of the rule
   * `cleanup`): recall each of its messages, then tell the owner its text and which could not be
   * recalled, for them to recall by hand.
   */
  readonly cleanup?: Cleanup | undefined
  /**
   * Add `decision.target` back to `decision.room` (an upheld appeal). The decision is an
   * `alert-owner` whose text asks the owner to invite them: what an executor that cannot invite does.
   */
  readonly invite?: boolean | undefined
}

export interface ActionOutcome {
  readonly status: ActionStatus
  readonly detail: string
}

export interface ActionExecutor {
  execute(request: ActionRequest): Promise<ActionOutcome>
}
