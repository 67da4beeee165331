/**
 * Applies a learned policy to live messages with what it remembers behind the FactsStore port,
 * so that the embedded guard (SQLite), a replay (memory) and the AWS moderate function
 * (DynamoDB) judge a message the same way whichever process sees it. The facts are computed by
 * the same `messageFacts` as the learner's `FeatureTracker`; who joined when, and who is staff,
 * the caller gives from the guard store.
 *
 * Only what the policy can use is remembered (each read and write costs on DynamoDB): a member's
 * message times only in rooms with a flood rule, their recent texts' signatures only in rooms
 * with a rule that reads repeats (`repeat`; `flood`, which counts a long text pasted again), their
 * catches only in rooms with an `offender` rule, a room's rhythm only with a quiet-hours rule,
 * and near-duplicate sightings (of every room: a campaign crosses rooms) only when some rule
 * reads them (cross-room, duplicate), and only of the members such a rule is about. A repeat is the member's own text in the same room, so it
 * is told from the member's record (read and written anyway) rather than from the sightings,
 * which cost 8 writes and 8 queries a text on DynamoDB. Facts no rule of the room reads are left
 * at their empty values.
 *
 * @example
 *   const runner = new StoredPolicyRunner(policy, facts)
 *   const hit = await runner.match(msg, { staff: false, join: { ms, via: 'qrcode' } }, qr)
 */

import type { FactsStore, MemberActivity } from '../../ports/facts-store.port.ts'
import { type MessageEvent, toMillis } from '../events.ts'
import {
  activityWindowMs,
  type FactsContext,
  type FactsWindows,
  type FeatureOptions,
  factsWindows,
  type MessageFacts,
  messageFacts,
  messageHour,
  poster,
  sightingPoster,
} from './features.ts'
import {
  DUPLICATE_SIMILARITY,
  decodeSignature,
  encodeSignature,
  SIGHTINGS_PER_BAND,
  type SightingPoster,
  shareBand,
  signatureSimilarity,
  type TextSighting,
  textSignature,
} from './near-duplicates.ts'
import { firstRule } from './policy-runner.ts'
import type { LearnedPolicy } from './rule-learner.ts'
import { isWho, type LearnedRule, matches } from './rules.ts'

/** The conditions that read near-duplicate sightings of other members. */
const READS_SIGHTINGS: ReadonlySet<string> = new Set(['cross-room', 'duplicate'])
/** The conditions that read the member's own recent texts (`flood` reads `repeat`). */
const READS_OWN_TEXTS: ReadonlySet<string> = new Set(['repeat', 'flood'])

interface Needs {
  readonly times: boolean
  readonly texts: boolean
  readonly catches: boolean
  readonly rhythm: boolean
}

/** Who sent a message, from the guard store. */
export interface SenderInfo {
  readonly staff: boolean
  readonly join?: FactsContext['join']
}

export class StoredPolicyRunner {
  private readonly w: FactsWindows
  private readonly forgetMs: number
  private readonly sightings: boolean
  /** The policy's campaign rules (of every room): a text is remembered for them when its poster is whom one of them is about. */
  private readonly campaignRules: readonly LearnedRule[]
  private readonly needed = new Map<string, Needs>()

  constructor(
    readonly policy: LearnedPolicy,
    private readonly facts: FactsStore,
    options: Pick<FeatureOptions, 'newcomerMs' | 'recentMs' | 'burstMs' | 'crossRoomMs' | 'repeatMs'> = {},
  ) {
    this.w = factsWindows(options)
    this.forgetMs = this.w.recentMs
    this.campaignRules = Object.values(policy.rooms).flatMap((p) => p.rules.filter((r) => READS_SIGHTINGS.has(r.what)))
    this.sightings = this.campaignRules.length > 0
  }

  private hasRules(room: string): boolean {
    return (this.policy.rooms[room]?.rules.length ?? 0) > 0
  }

  /** What a room's rules read: members' message times, their texts, their catches, the room's rhythm. */
  private needs(room: string): Needs {
    let n = this.needed.get(room)
    if (!n) {
      const rules = this.policy.rooms[room]?.rules ?? []
      n = {
        times: rules.some((r) => r.what === 'flood'),
        texts: rules.some((r) => READS_OWN_TEXTS.has(r.what)),
        catches: rules.some((r) => r.who === 'offender'),
        rhythm: rules.some((r) => r.what === 'quiet-hours'),
      }
      this.needed.set(room, n)
    }
    return n
  }

  /**
   * Takes a member's message (in time order per room) and returns the first of its room's rules
   * it meets, remembering what later messages need. `qr`: whether its picture holds a QR code.
   */
  async match(m: MessageEvent, sender: SenderInfo, qr?: boolean): Promise<{ rule: LearnedRule; facts: MessageFacts } | undefined> {
    const ms = toMillis(m.ts)
    const need = this.hasRules(m.room) ? this.needs(m.room) : undefined
    const signed = m.text && (this.sightings || need?.texts) ? textSignature(m.text) : undefined
    // Remembered for the campaign rules (of any room) when one of them is about its poster.
    const kept = this.sightings && signed ? this.campaignPoster(sightingPoster(ms, sender.staff, sender.join)) : undefined
    if (!need) {
      await this.sight(m, ms, signed, false, kept)
      return undefined
    }
    const remembers = need.times || need.texts || need.catches
    const [activity, stored] = await Promise.all([
      remembers ? this.facts.getActivity(m.room, m.sender) : undefined,
      need.rhythm ? this.facts.getRhythm(m.room) : undefined,
    ])
    const keep = activityWindowMs(this.w.burstMs)
    const times = need.times ? (activity?.times ?? []).filter((t) => ms - t < keep) : []
    const byHour = stored ? [...stored] : [...(this.policy.rooms[m.room]?.rhythm ?? new Array<number>(24).fill(0))]
    const rhythm = need.rhythm ? { byHour, total: byHour.reduce((a, b) => a + b, 0) } : { byHour: [], total: 0 }
    // The member's own texts of the repeat window: a near-duplicate among them is a repeat.
    // (A redelivered message finds itself there: left out by its id.)
    const texts = need.texts ? (activity?.texts ?? []).filter((t) => t.id !== m.id && ms - t.ms < this.w.repeatMs && t.ms <= ms) : []
    const repeats = signed
      ? texts.flatMap((t) => {
          const sig = decodeSignature(t.sig)
          return sig && shareBand(sig, signed.sig) && signatureSimilarity(sig, signed.sig) >= DUPLICATE_SIMILARITY
            ? [{ room: m.room, sender: m.sender, ms: t.ms }]
            : []
        })
      : []
    const caught = need.catches ? activity?.caught : undefined
    const offender = caught !== undefined && ms - caught < this.forgetMs
    const context = { staff: sender.staff, join: sender.join, times, rhythm, qr: m.type === 'image' ? qr : undefined }
    let f: MessageFacts = { ...messageFacts(m, { ...context, seen: repeats }, this.w), offender }
    // Other members' sightings are looked up only where one of the room's campaign rules would
    // meet this message if it were a campaign's copy (8 queries on DynamoDB).
    const lookup = this.sightings && signed !== undefined && !f.staff && this.campaignCould(m.room, f)
    const seen = await this.sight(m, ms, signed, lookup, kept)
    if (seen.length) f = { ...messageFacts(m, { ...context, seen: [...seen, ...repeats] }, this.w), offender }
    if (need.rhythm) {
      const hour = messageHour(m)
      byHour[hour] = (byHour[hour] ?? 0) + 1
      await this.facts.saveRhythm(m.room, byHour)
    }
    const ownTexts = signed && need.texts ? [...texts, { id: m.id, ms, sig: encodeSignature(signed.sig) }] : texts
    let next: MemberActivity = { times: need.times ? [...times, ms] : [], caught, ...(ownTexts.length ? { texts: ownTexts } : {}) }
    let hit: { rule: LearnedRule; facts: MessageFacts } | undefined
    if (!f.staff) {
      const rule = firstRule(this.policy, f)
      if (rule) {
        hit = { rule, facts: f }
        if (need.catches) next = { ...next, caught: ms }
      }
    }
    if (remembers) await this.save(m.room, m.sender, next)
    return hit
  }

  /** Whether a rule of the room on campaigns would meet a message with these facts, were it a campaign's copy. */
  private campaignCould(room: string, f: MessageFacts): boolean {
    // The copy's poster like this one: a rule about newcomers counts newcomers' copies.
    const copy = { ...f, crossRoom: true, duplicate: true, crossRoomBy: [f], duplicateBy: [f] }
    return (this.policy.rooms[room]?.rules ?? []).some((r) => READS_SIGHTINGS.has(r.what) && matches(r, copy, undefined))
  }

  /**
   * The poster to keep with this message's text when it is remembered as a campaign's copy: when
   * they are whom one of the policy's campaign rules is about (a member as new as the rule's
   * tenure; anyone, for a rule about anyone). A campaign rule counts the copies of members like
   * those it catches, so the texts of settled members and staff are not written (8 writes a text
   * on DynamoDB). Undefined: not remembered.
   */
  private campaignPoster(by: SightingPoster): SightingPoster | undefined {
    const who = poster(by, this.w)
    return this.campaignRules.some((r) => isWho(r, who)) ? by : undefined
  }

  /** Another of the room's rules (a keyword rule) caught this message: it counts towards a second offence. */
  async caught(m: MessageEvent): Promise<void> {
    if (!this.needs(m.room).catches) return
    const a = await this.facts.getActivity(m.room, m.sender)
    await this.save(m.room, m.sender, { ...a, times: a?.times ?? [], caught: toMillis(m.ts) })
  }

  private async save(room: string, member: string, a: MemberActivity): Promise<void> {
    const last = Math.max(0, ...a.times)
    const lastText = Math.max(0, ...(a.texts ?? []).map((t) => t.ms))
    const expires = Math.max(last + activityWindowMs(this.w.burstMs), (a.caught ?? 0) + this.forgetMs, lastText + this.w.repeatMs)
    await this.facts.saveActivity(room, member, a, expires)
  }

  /** The earlier sightings of a near-identical text (when `lookup`), and this one added. */
  private async sight(
    m: MessageEvent,
    ms: number,
    signed: ReturnType<typeof textSignature>,
    lookup: boolean,
    kept: SightingPoster | undefined,
  ): Promise<TextSighting[]> {
    if (!this.sightings || !signed) return []
    const found = lookup ? await this.facts.findSightings(signed.bands, ms - this.w.crossRoomMs, SIGHTINGS_PER_BAND) : []
    const seen = found
      .filter((s) => s.id !== m.id && s.ms <= ms && signatureSimilarity(s.sig, signed.sig) >= DUPLICATE_SIMILARITY)
      .map((s) => ({ room: s.room, sender: s.sender, ms: s.ms, by: s.by }))
    if (kept)
      await this.facts.addSighting(
        signed.bands,
        { id: m.id, room: m.room, sender: m.sender, ms, sig: [...signed.sig], by: kept },
        ms + this.w.crossRoomMs,
      )
    return seen
  }
}
