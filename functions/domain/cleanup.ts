/**
 * Cleanup on removal (docs/rules.md#cleanup-on-removal), opt-in per group: when the guard removes
 * a member for a message, the member's messages of the last N minutes in that group — that
 * message too — are recalled where the puppet allows. Most bot accounts can recall only their
 * own messages; those the puppet refuses are listed to the owner (time and a short excerpt), who
 * recalls them as group owner. One `recall` decision of the rule `cleanup` per removal carries
 * the list (`Outgoing.recall`); the executor recalls each and tells the owner which it could not.
 *
 * The member's recent message ids come from the FactsStore (the same record a flood limit counts
 * from), so the embedded guard, replay and the AWS pipeline find them the same way.
 *
 * @example
 *   cleanupLine({ type: 'text', text: '加微信领券，低价代购', ts }, 480)  // '20:01 加微信领券，低价代购'
 */
import type { MessageEvent } from './events.ts'
import { toMillis } from './events.ts'
import { typeName } from './owner-words.ts'
import { maskPii } from './privacy.ts'

export const CLEANUP_RULE_ID = 'cleanup'

/** How many of a removed member's messages one cleanup recalls at most (the newest). */
export const CLEANUP_MAX = 50

/** A message to recall, as the owner reads it when the puppet cannot: local time and an excerpt. */
export function cleanupLine(m: Pick<MessageEvent, 'type' | 'text' | 'ts'>, utcOffsetMinutes: number): string {
  const local = new Date(toMillis(m.ts) + utcOffsetMinutes * 60_000)
  const hhmm = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`
  const text = m.text?.trim()
  const excerpt = text ? ([...text].length > 20 ? `${[...text].slice(0, 20).join('')}…` : text) : ''
  const what = m.type === 'text' ? excerpt : `[${typeName(m.type)}]${excerpt ? ` ${excerpt}` : ''}`
  return maskPii(`${hhmm} ${what}`)
}

/** The owner's note: who was removed where, and how many messages the cleanup is about. */
export function cleanupText(member: string, topic: string, minutes: number, count: number): string {
  return `[qunguard] 已将 ${member} 移出「${topic}」，清理其移出前 ${minutes} 分钟内的 ${count} 条消息。`
}
