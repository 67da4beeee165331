/**
 * Newcomer verification (入群验证; docs/rules.md#newcomer-verification). Opt-in per group: a
 * newcomer is @-asked in the group to type a short code (or to answer the group's question)
 * within N minutes. Until they do, their links, QR codes, cards, mini-programs and files are
 * recalled (the `verification` rule, which does not count on the ladder); when the time is up
 * with no answer, the rule removes them (or alerts the owner), in its mode — active, or put to the
 * owner as a `Y<n>` request in shadow — like every rule, with a record.
 *
 * The pending verification lives in the guard store (opened in the join's own commit, closed in
 * the answer's or settled once by the timeout: `GuardStore.settleVerification`), so the embedded
 * guard, replay and the AWS pipeline carry it the same way; the timeout is found by the periodic
 * tick (`Guard.dueVerifications`: every minute live, on the event's clock in replay, the monitor
 * function on AWS).
 *
 * The code is derived from the join (room, member, join event): the same in every run, so a replay
 * of the same history asks for the same code.
 *
 * @example
 *   const code = verificationCode('r1', 'j1')            // '4821'
 *   passes('验证码 4821', ['4821'])                                     // true
 */
import type { VerificationConfig } from './config.ts'
import type { MessageEvent } from './events.ts'
import { fnv1a } from './fnv.ts'
import { hasAddress } from './learning/features.ts'
import { memberName, typeName } from './owner-words.ts'

export const VERIFICATION_RULE_ID = 'verification'

/** Four digits from the join (one code for the members who joined together), never starting with 0. */
export function verificationCode(room: string, joinEvent: string): string {
  return String(1000 + (fnv1a(`${room}\u0000${joinEvent}`) % 9000))
}

/** Text as compared: full-width folded, lower case, without spaces and punctuation. */
export function normalAnswer(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '')
}

/** What counts as the answer in a room: the configured answers, else the code. */
export function expectedAnswers(cfg: VerificationConfig, code: string): string[] {
  return (cfg.answers ?? [code]).map(normalAnswer).filter((a) => a.length > 0)
}

/** Whether a message answers: its text holds one of the answers (the code among other words counts: 验证码4821). */
export function passes(text: string | undefined, answers: readonly string[]): boolean {
  const t = normalAnswer(text ?? '')
  return t.length > 0 && answers.some((a) => t.includes(a))
}

/** The @-message asking newcomers to verify. */
export function challengeText(
  names: readonly { readonly id: string; readonly name?: string | undefined }[],
  cfg: VerificationConfig,
  code: string,
  topic: string,
): string {
  const who = names.map((n) => `@${memberName(n.name, n.id)}`).join(' ')
  const ask = cfg.question ? `回答：${cfg.question}` : `回复验证码 ${code}`
  const then = cfg.onTimeout === 'remove' ? '否则将被移出群聊' : '否则群主会收到提醒'
  return `${who} 欢迎加入「${topic}」！请在 ${cfg.minutes} 分钟内在群里${ask}，${then}。验证前发的链接、二维码、名片会被撤回。`
}

/** Said in the group when a newcomer answers. */
export function passedText(name: string | undefined, id: string): string {
  return `@${memberName(name, id)} 验证通过，欢迎！`
}

/** What an unverified newcomer may not post yet, in words (undefined: this message is fine). */
export function heldBack(msg: MessageEvent, qr: boolean): string | undefined {
  if (msg.type === 'link' || msg.type === 'miniprogram' || msg.type === 'card' || msg.type === 'file') return typeName(msg.type)
  if (qr) return '二维码图片'
  if ((msg.type === 'text' || msg.type === 'other') && hasAddress(msg.text ?? '')) return '网址'
  return undefined
}

/** The rule's reason for a held-back message. */
export function heldBackReason(what: string): string {
  return `入群验证通过前发${what}`
}

/** The owner's words for a newcomer who did not answer in time. */
export function timedOutWhat(minutes: number): string {
  return `入群后 ${minutes} 分钟内未完成入群验证`
}
