/**
 * Learns each room's rulebook from its history: weak labels from the owner's actions, message
 * facts in context, the ad classifier (naive Bayes) trained on the labelled texts (plus any
 * corpus the operator supplies, plus one round of self-training on the unlabelled majority),
 * then every candidate rule (what × who) scored against the labels.
 *
 * Owners act on only part of the violations, so "labelled / matched" understates a rule's
 * precision by the owner's action rate. A candidate counts as enforced when the owner acted
 * directly on `minLabelled` of its matches (the message acted on, not a removed member's earlier
 * ones), on at least half the room's action rate of them (and never more than `minRate` is asked
 * for), and ten times more often than on the members' messages no candidate matches (the owner's
 * background: housekeeping, scolding); the room's action rate is the labelled share over its
 * plainly enforced candidates, and a rule's estimated precision is its rate over that. The
 * rulebook is a decision list built greedily: the enforced candidate whose not-yet-covered
 * matches are labelled at the highest rate joins, as long as what it adds is itself enforced; a
 * proxy condition (quiet hours, long texts: when or how long, not what) must add ten labels from
 * ten members at an estimated precision of 0.9. Second offences get a preset
 * rule (`addOffenderRules`). The ad classifier does not train on texts
 * the owner warned about for their form only (刷屏, a link). The announcement adds the rules it
 * states (cold start), unless the history shows the owner plainly never enforces them. A rule
 * that a broader one with the same action covers is left out. Every learned rule starts in
 * shadow mode.
 *
 * @example
 *   const policy = learnPolicy(events, { onProgress: (stage) => bar.update(stage) })
 *   policy.rooms['r1@chatroom'].rules.map((r) => r.sentence)
 */
import { AdClassifier, type LabelledText, type Segmenter } from '../ad-classifier.ts'
import type { GroupEvent } from '../events.ts'
import { fnv1a as hash } from '../fnv.ts'
import { wilsonLowerBound, wilsonUpperBound } from '../wilson.ts'
import { type AnnouncedRule, parseAnnouncement } from './announcement.ts'
import { BURST_WINDOWS_S, type FeatureOptions, FeatureTracker, type MessageFacts, NEWCOMER_MS, RECENT_MS } from './features.ts'
import { OffenderMemory } from './offenders.ts'
import {
  ANY_TEXT,
  burstIn,
  FLOOD_TEXT_CHARS,
  type LearnedRule,
  matches,
  type RuleCondition,
  ruleId,
  sentence,
  subsumes,
  TEXT_TYPES,
  type What,
} from './rules.ts'
import { extractWeakLabels, type WeakLabel, type WeakLabelOptions } from './weak-labels.ts'

export interface LearnOptions extends WeakLabelOptions, FeatureOptions {
  /** Labelled texts to train the ad classifier on besides the history's own labels. */
  readonly corpus?: readonly LabelledText[] | undefined
  /**
   * The share of a rule's matches the owner must have acted on for it to count as enforced
   * (owners act on part of the violations only; nobody acts on a third of something allowed). @default 0.3
   */
  readonly minRate?: number
  /** Messages the owner acted on directly (full-weight labels) a rule needs. @default 2 */
  readonly minLabelled?: number
  /** Word segmentation for the classifier (e.g. jieba). */
  readonly segment?: Segmenter | undefined
  readonly onProgress?: ((stage: string, done: number, total: number) => void) | undefined
}

export interface RoomPolicy {
  readonly rules: readonly LearnedRule[]
  /** How often this owner acts on a clear violation (estimated; a default of 0.6 when `actionRateEstimated` is false). */
  readonly actionRate: number
  /** Whether the history showed the action rate (conditions the owner plainly enforces). @default true (older policies) */
  readonly actionRateEstimated?: boolean | undefined
  /** Members' messages the owner acted on in the history (weighted weak labels). */
  readonly ownerActions?: number | undefined
  /** The group's name in the history (its last room snapshot), for what owners read. */
  readonly topic?: string | undefined
  readonly announcement?: string | undefined
  /** The room's messages per hour of the day in the history (24 counts): its quiet hours from the start. */
  readonly rhythm?: readonly number[] | undefined
}

export interface LearnedPolicy {
  readonly version: 1
  readonly createdAt: string
  readonly rooms: Readonly<Record<string, RoomPolicy>>
  /** The ad classifier the `ad-text` rules use (absent when there was too little to train on). */
  readonly classifier?: AdClassifier | undefined
  readonly stats: { readonly events: number; readonly messages: number; readonly labelled: number }
}

interface Candidate extends RuleCondition {}

/**
 * The searched ranges (docs/learning.md): tenures of 1 hour to 14 days, floods of 3 to 15
 * messages in 10 s to 5 min, long texts of 30 to 500 characters. Every value is a candidate of
 * its own; the selection (learnRoom) keeps what the room's owner plainly enforces.
 */
const TENURE_HOURS = [1, 3, 6, 12, 24, 48, 72, 120, 168, 336] as const
const FLOOD_COUNTS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] as const
const LONG_TEXT_CHARS = [30, 50, 80, 100, 150, 200, 300, 500] as const
/** Members @-mentioned in one message (searched when the room's history has a message with three or more). */
const MENTION_COUNTS = [3, 5, 10] as const
/** Which typed texts of a burst count (said once): up to 20 or 50 characters, or all of them. */
const FLOOD_TEXT_LIMITS = [FLOOD_TEXT_CHARS, 50, ANY_TEXT] as const
/** Types with conditions of their own (`link`, `card` …) or read for their words (`text`) are not searched as `type`. */
const OWN_CONDITION_TYPES: ReadonlySet<string> = new Set(['text', 'image', 'link', 'miniprogram', 'card'])

/** The searched window nearest (by ratio) to one an announcement names. */
function nearestWindow(seconds: number): number {
  let best: number = BURST_WINDOWS_S[0]
  for (const w of BURST_WINDOWS_S) if (Math.abs(Math.log(w / seconds)) < Math.abs(Math.log(best / seconds))) best = w
  return best
}

/** Who a candidate applies to: anyone, or members (by QR code, or any) of under each searched tenure. */
function whos(): Pick<Candidate, 'who' | 'tenureH'>[] {
  return [
    { who: 'anyone' },
    ...TENURE_HOURS.map((tenureH) => ({ who: 'joined' as const, tenureH })),
    ...TENURE_HOURS.map((tenureH) => ({ who: 'qrcode-joined' as const, tenureH })),
  ]
}

/**
 * Every condition the learner tries in a room: each content condition for each who, message types
 * and file extensions the room's history holds, floods over counts × windows and long texts over
 * lengths (for anyone), the classifier's bars when there is a classifier.
 */
function candidates(
  facts: readonly MessageFacts[],
  hasQr: boolean,
  hasClassifier: boolean,
  announced: readonly AnnouncedRule[] = [],
): Candidate[] {
  const out: Candidate[] = []
  // Limits the announcement states in numbers are tried too, whatever the searched values.
  const floodCounts = new Set<number>(FLOOD_COUNTS)
  const longTexts = new Set<number>(LONG_TEXT_CHARS)
  for (const a of announced) {
    if (a.what === 'flood' && a.threshold !== undefined) floodCounts.add(a.threshold)
    if (a.what === 'long-text' && a.threshold !== undefined) longTexts.add(a.threshold)
  }
  const whats: What[] = ['link', 'address', 'miniprogram', 'card', 'image', 'contact', 'mention-all', 'cross-room', 'duplicate', 'repeat']
  if (hasQr) whats.push('qr')
  const types = new Set<string>()
  const exts = new Map<string, number>()
  const domains = new Map<string, number>()
  let mentioning = false
  for (const f of facts) {
    if (!OWN_CONDITION_TYPES.has(f.type)) types.add(f.type)
    if (f.fileExt) exts.set(f.fileExt, (exts.get(f.fileExt) ?? 0) + 1)
    if (f.domain) domains.set(f.domain, (domains.get(f.domain) ?? 0) + 1)
    if (f.mentions >= MENTION_COUNTS[0]) mentioning = true
  }
  for (const who of whos()) {
    for (const what of whats) out.push({ what, ...who })
    for (const value of types) out.push({ what: 'type', value, ...who })
    for (const [value, n] of exts) if (n >= 2) out.push({ what: 'file-ext', value, ...who })
    for (const [value, n] of domains) if (n >= 2) out.push({ what: 'domain', value, ...who })
    if (mentioning) for (const threshold of MENTION_COUNTS) out.push({ what: 'mentions', threshold, ...who })
    for (const threshold of [2, 3, 4]) out.push({ what: 'ad-words', threshold, ...who })
    for (const threshold of longTexts) out.push({ what: 'long-text', threshold, ...who })
    if (hasClassifier) for (const threshold of [0.5, 0.7, 0.9]) out.push({ what: 'ad-text', threshold, ...who })
  }
  out.push({ what: 'quiet-hours', who: 'anyone' })
  for (const windowS of BURST_WINDOWS_S)
    for (const threshold of floodCounts)
      for (const textChars of FLOOD_TEXT_LIMITS) out.push({ what: 'flood', who: 'anyone', threshold, windowS, textChars })
  return out
}

export function learnPolicy(events: readonly GroupEvent[], options: LearnOptions = {}): LearnedPolicy {
  const progress = options.onProgress ?? (() => {})
  const minRate = options.minRate ?? 0.3
  const minLabelled = options.minLabelled ?? 2

  progress('labels', 0, 1)
  const labels = extractWeakLabels(events, options)
  progress('labels', 1, 1)

  const tracker = new FeatureTracker(options)
  const facts: MessageFacts[] = []
  const announcements = new Map<string, string>()
  const topics = new Map<string, string>()
  for (const [i, e] of events.entries()) {
    const f = tracker.observe(e)
    if (f && !f.staff) facts.push(f)
    if (e.kind === 'announcement') announcements.set(e.room, e.text)
    if (e.kind === 'room' && e.topic) topics.set(e.room, e.topic)
    if (i % 5000 === 0) progress('features', i, events.length)
  }
  progress('features', events.length, events.length)

  const texts = facts.filter((f) => TEXT_TYPES.has(f.type) && f.text.trim().length > 0)
  const classifier = trainClassifier(texts, labels, options)
  progress('classifier', 1, 2)
  // Rules are chosen on scores the classifier gives texts it has not trained on (2-fold
  // cross-fitting); scoring its own training texts would make every threshold look clean.
  const scores = new Map<string, number>()
  if (classifier) {
    const fold = (f: MessageFacts) => hash(f.id) & 1
    for (const k of [0, 1]) {
      const model = trainClassifier(
        texts.filter((f) => fold(f) !== k),
        labels,
        options,
      )
      for (const f of texts) if (fold(f) === k) scores.set(f.id, model ? model.score(f.text) : classifier.score(f.text))
    }
  }
  progress('classifier', 2, 2)

  const byRoom = new Map<string, MessageFacts[]>()
  for (const f of facts) {
    const list = byRoom.get(f.room)
    if (list) list.push(f)
    else byRoom.set(f.room, [f])
  }
  const rooms: Record<string, RoomPolicy> = {}
  const hasQr = facts.some((f) => f.qr !== undefined)
  const all = [...new Set([...byRoom.keys(), ...announcements.keys()])].sort()
  for (const [i, room] of all.entries()) {
    const announcement = announcements.get(room)
    const announced = announcement ? parseAnnouncement(announcement) : { rules: [], action: 'warn' as const }
    const learned = learnRoom(
      room,
      byRoom.get(room) ?? [],
      labels,
      scores,
      candidates(byRoom.get(room) ?? [], hasQr, classifier !== undefined, announced.rules),
      { text: announcement, ...announced },
      {
        minRate,
        minLabelled,
        // Tenures nest (a newcomer is a recent member) unless the windows were set otherwise.
        nested: (options.newcomerMs ?? NEWCOMER_MS) <= (options.recentMs ?? RECENT_MS),
      },
    )
    const rhythm = tracker.rhythm(room)
    const topic = topics.get(room)
    rooms[room] = { ...learned, ...(rhythm ? { rhythm } : {}), ...(topic ? { topic } : {}) }
    progress('rules', i + 1, all.length)
  }
  if (classifier) addOffenderRules(rooms, byRoom, labels, scores, options.recentMs ?? RECENT_MS)
  return {
    version: 1,
    createdAt: new Date().toISOString(),
    rooms,
    classifier,
    stats: { events: events.length, messages: facts.length, labelled: labels.size },
  }
}

function trainClassifier(
  texts: readonly MessageFacts[],
  labels: ReadonlyMap<string, WeakLabel>,
  options: LearnOptions,
): AdClassifier | undefined {
  // A text the owner warned about for its form only (刷屏, a link, a phone number) says nothing
  // about ad copy either way: left out, rather than taught as an ad.
  const aboutForm = (f: MessageFacts) => {
    const kinds = labels.get(f.id)?.kinds ?? []
    return kinds.length > 0 && kinds.every((k) => FORM_KINDS.has(k))
  }
  const labelled: LabelledText[] = texts
    .filter((f) => !aboutForm(f))
    .map((f) => ({ text: f.text, label: (labels.get(f.id)?.weight ?? 0) >= 1 ? 'spam' : 'ham' }))
  const examples = [...labelled, ...(options.corpus ?? [])]
  const spam = examples.filter((e) => e.label === 'spam').length
  if (spam < 10 || examples.length - spam < 10) return undefined
  // Naive Bayes: a few hundred labels, many of them noisy (ads the owner let pass count as
  // chat) — counts generalise from that better than a fitted regression (docs/learning.md).
  const fit = { method: 'naive-bayes', segment: options.segment, bits: 18, fold: true } as const
  const first = AdClassifier.train(examples, fit)
  // Self-training: unlabelled texts the first model is sure of count as ads for the second.
  const relabelled = labelled.map((e) => (e.label === 'ham' && first.score(e.text) >= 0.95 ? { ...e, label: 'spam' as const } : e))
  return AdClassifier.train([...relabelled, ...(options.corpus ?? [])], fit)
}

/**
 * Second offences. A member of under three days whom one of the room's rules already caught (a
 * link, a QR code, a card, an ad) is far more likely a marketer than other members are, so their
 * next text counts as an ad where the classifier is fairly sure of it (score ≥ 0.8), whatever bar
 * the room's own ad-text rule sets (a higher prior: the same evidence means more). This is a
 * preset, not learned: in a history the owner's removal ends most marketers at their first
 * violation, so the second offences it holds are few (a handful per history) and say little. At
 * 0.5 a third of its catches on unseen rooms were innocent (docs/learning.md). It joins, last,
 * every room with a rule on what texts say (this owner minds ads there), with that rule's action, in
 * shadow mode like every rule, where the owner's answers give it its record. Its evidence is
 * what replaying the rooms' own rules over the history finds, pooled over the rooms.
 */
const OFFENDER_THRESHOLD = 0.8

function addOffenderRules(
  rooms: Record<string, RoomPolicy>,
  byRoom: ReadonlyMap<string, readonly MessageFacts[]>,
  labels: ReadonlyMap<string, WeakLabel>,
  scores: ReadonlyMap<string, number>,
  recentMs: number,
): void {
  // A rule on what a text says: a length limit says nothing about who is a marketer.
  const adRule = (p: RoomPolicy | undefined) => p?.rules.find((r) => r.what === 'ad-text' || r.what === 'ad-words')
  let matched = 0
  let labelled = 0
  for (const [room, facts] of byRoom) {
    const policy = rooms[room]
    if (!policy || !adRule(policy)) continue
    const memory = new OffenderMemory(recentMs)
    for (const observed of facts) {
      const f = memory.mark(observed)
      const score = scores.get(f.id)
      if (policy.rules.some((r) => matches(r, f, score))) memory.note(f)
      else if (f.offender && f.recent && f.type === 'text' && score !== undefined && score >= OFFENDER_THRESHOLD) {
        matched++
        labelled += labels.get(f.id)?.weight ?? 0
      }
    }
  }
  // No estimate of its own: 0.5, "unsure", which also puts it first in line for the owner's answers.
  const evidence = { matched, labelled, rate: matched ? labelled / matched : 0, precision: 0.5, announced: false, preset: true }
  for (const [room, policy] of Object.entries(rooms)) {
    const ad = adRule(policy)
    if (!ad) continue
    const base = {
      room,
      what: 'ad-text' as const,
      who: 'offender' as const,
      threshold: OFFENDER_THRESHOLD,
      action: ad.action,
      mode: 'shadow' as const,
      evidence,
    }
    const rule: LearnedRule = { id: `learned:ad-text@${OFFENDER_THRESHOLD}:offender`, ...base, sentence: sentence(base) }
    rooms[room] = { ...policy, rules: [...policy.rules, rule] }
  }
}

/** Kinds a warning can name that are about a message's form, not its words (weak-labels.ts TOPICS). */
const FORM_KINDS: ReadonlySet<string> = new Set(['flood', 'link', 'miniprogram', 'card', 'qr', 'contact-info', 'long-text', 'file'])

/**
 * Conditions that say only when a message came or how long it is. They catch a marketer's
 * greeting as readily as the ad, and an ordinary newcomer's night message with them; a removal
 * labels all of a marketer's messages, so their evidence flatters them. Such a rule joins only
 * when what it adds holds `PROXY_LABELLED` labels, from as many different members (one removed
 * marketer's five long texts are one piece of evidence, not five), and an estimated precision of
 * `PROXY_PRECISION` — unless the owner's warnings name its kind for most of those labels
 * (`PROXY_KIND`).
 */
const PROXIES: ReadonlySet<What> = new Set(['quiet-hours', 'long-text'])
const PROXY_LABELLED = 10
const PROXY_PRECISION = 0.9
/**
 * The kind a warning names (weak-labels.ts TOPICS) for a proxy condition. Where the owner's own
 * warnings name it for most of what a proxy rule adds (太长了，别发长文), the owner has said what
 * the messages were wrong for — not a removal labelling a marketer's every message — and the
 * rule is held to the bar every other condition is.
 */
const PROXY_KIND: Partial<Record<What, string>> = { 'long-text': 'long-text' }

/** Conditions that read ad copy in a text: what an announcement's 禁止广告 comes down to. */
const AD_COPY: readonly What[] = ['ad-text', 'ad-words', 'long-text']

interface Tally {
  matched: number
  labelled: number
  removed: number
  /** Matches labelled with full weight: the message the owner acted on, not the context of it. */
  direct: number
}

/**
 * Between two conditions that match the same messages: the broader who (joined by any route
 * over joined by QR code), then the tenure nearest a day — the evidence cannot tell 24 hours
 * from 12 when nobody posted in between, and a day is what announcements say most (新人24小时内).
 */
function preferredOnTie(c: Candidate, than: Candidate): boolean {
  const breadth = (x: Candidate) => (x.who === 'qrcode-joined' ? 0 : 1)
  if (breadth(c) !== breadth(than)) return breadth(c) > breadth(than)
  const fromDay = (x: Candidate) => Math.abs(Math.log((x.tenureH ?? 24) / 24))
  return fromDay(c) < fromDay(than)
}

/** The span around a message (either side) and the count of the sender's messages in it that make a burst. */
const BURST_SPAN_MS = 60_000
const BURST_SIZE = 3

/**
 * Which messages belong to a burst: the sender posted `BURST_SIZE` or more within a minute either
 * side of it (the whole history is at hand, so a burst's first message is known too). An owner
 * who warns or removes a member after a burst labels every message of it — the stickers, the
 * pasted line, the chatter — so those labels say "bursts are punished" and nothing about
 * stickers or chatter: conditions other than `flood` are judged on messages outside bursts.
 * A room that forbids a kind of message punishes it outside bursts too.
 */
function burstMembers(facts: readonly MessageFacts[]): boolean[] {
  const bySender = new Map<string, number[]>()
  for (const [fi, f] of facts.entries()) {
    const list = bySender.get(f.sender)
    if (list) list.push(fi)
    else bySender.set(f.sender, [fi])
  }
  const out = facts.map(() => false)
  for (const list of bySender.values()) {
    // facts are in time order, so each sender's list is too
    let lo = 0
    let hi = 0
    for (const fi of list) {
      const at = (facts[fi] as MessageFacts).ms
      while (lo < list.length && (facts[list[lo] as number] as MessageFacts).ms < at - BURST_SPAN_MS) lo++
      while (hi < list.length && (facts[list[hi] as number] as MessageFacts).ms <= at + BURST_SPAN_MS) hi++
      if (hi - lo >= BURST_SIZE) out[fi] = true
    }
  }
  return out
}

/** The longest pause between two messages of one burst episode. */
const EPISODE_GAP_MS = 120_000

/**
 * Each message's burst episode: the sender's messages chained by pauses of at most two minutes,
 * when the chain is a burst (`burstMembers`); other messages are episodes of their own. A flood
 * rule explains the whole episode it reaches into.
 */
function burstEpisodes(facts: readonly MessageFacts[], inBurst: readonly boolean[]): (readonly number[] | undefined)[] {
  const out: (readonly number[] | undefined)[] = facts.map(() => undefined)
  const open = new Map<string, number[]>()
  for (const [fi, f] of facts.entries()) {
    if (!inBurst[fi]) continue
    let chain = open.get(f.sender)
    const last = chain?.at(-1)
    if (!chain || last === undefined || f.ms - (facts[last] as MessageFacts).ms > EPISODE_GAP_MS) {
      chain = []
      open.set(f.sender, chain)
    }
    chain.push(fi)
    out[fi] = chain
  }
  return out
}

/** Bursts as evidence: a message's burst (by its first message), the bursts candidate `i` reaches, whether the owner acted on a burst. */
interface BurstEvidence {
  readonly of: (fi: number) => number
  readonly reached: (i: number) => Set<number>
  readonly punished: (burst: number) => boolean
}

/**
 * How likely (the upper bound) the owner must be to punish the bursts a count one lower would add,
 * as a share of the owner's action rate, for the lower count to replace a flood rule's.
 */
const FLOOD_STEP_BAR = 0.8

/**
 * The greedy list takes the cleanest flood count first, and with an owner who punishes only part
 * of the floods, the count one above the limit looks cleanest (the unpunished bursts that stopped
 * at the limit fall out with it). So each chosen flood rule steps down, one searched count at a
 * time, while the bursts the lower count adds (episodes, not messages) could be punished at the
 * owner's rate: the upper bound of their punished share at least `FLOOD_STEP_BAR` of the action
 * rate. A quick exchange that stops under the owner's limit goes unpunished every time, so a few
 * of them stop the step; a count that adds no bursts at all is no evidence and stops it too.
 *
 * The cleanest rule also counts only short lines (a text limit of 20 characters), the surest
 * stickers-and-chatter kind of flood, where the owner's floods may be of longer lines too. Then
 * the rule's text limit widens, one searched limit at a time, while the longer lines it adds are
 * acted on: `minLabelled` direct labels or more among them, the rule's acted-on share kept at
 * `BROADER_SHARE` of what it was or more, and the bursts it adds (if any) plausibly punished as
 * above. A limit that adds no message is no evidence and is passed over.
 */
function settleFloodLimits<T extends { c: Candidate; t: Tally; i: number }>(
  chosen: readonly T[],
  cands: readonly Candidate[],
  tallies: readonly Tally[],
  cover: readonly (readonly number[])[],
  bursts: BurstEvidence,
  actionRate: number,
  minLabelled: number,
): T[] {
  const { reached, punished } = bursts
  return chosen.map((x, k) => {
    if (x.c.what !== 'flood') return x
    const others = new Set(chosen.flatMap((y, j) => (j === k ? [] : (cover[y.i] ?? []).map(bursts.of))))
    let cur = x
    const find = (threshold: number | undefined, textChars: number | undefined) =>
      cands.findIndex(
        (c) =>
          c.what === 'flood' &&
          c.threshold === threshold &&
          c.windowS === cur.c.windowS &&
          c.textChars === textChars &&
          c.who === cur.c.who,
      )
    // The bursts candidate j adds to the current rule's, and whether they could be punished at the owner's rate.
    const adds = (j: number) => {
      const now = reached(cur.i)
      const added = [...reached(j)].filter((e) => !now.has(e) && !others.has(e))
      return { added, plausible: wilsonUpperBound(added.filter(punished).length, added.length) >= FLOOD_STEP_BAR * actionRate }
    }
    for (;;) {
      const step = FLOOD_COUNTS.filter((n) => n < (cur.c.threshold ?? 0)).at(-1)
      const j = step === undefined ? -1 : find(step, cur.c.textChars)
      if (j < 0) break
      const { added, plausible } = adds(j)
      if (added.length === 0 || !plausible) break
      cur = { ...x, c: cands[j] as Candidate, i: j, t: tallies[j] as Tally }
    }
    // Then longer lines.
    const rate = (t: Tally) => t.labelled / t.matched
    for (const wider of FLOOD_TEXT_LIMITS) {
      if (wider <= (cur.c.textChars ?? FLOOD_TEXT_CHARS)) continue
      const j = find(cur.c.threshold, wider)
      if (j < 0) return cur
      const t = tallies[j] as Tally
      if (t.matched === cur.t.matched) continue
      if (t.direct - cur.t.direct < minLabelled || rate(t) < BROADER_SHARE * rate(cur.t)) return cur
      const { added, plausible } = adds(j)
      if (added.length > 0 && !plausible) return cur
      cur = { ...x, c: cands[j] as Candidate, i: j, t }
    }
    return cur
  })
}

/**
 * The greedy list adds a rule for what is not yet covered, so a rule that joined early can turn
 * out to be explained by rules that joined after it: pictures of stickers the owner punished only
 * as part of a flood, the blend-in chatter of marketers removed for their ads. Each rule must
 * hold on its own share — the messages no other rule of the list matches — as every addition
 * must: enforced. The rule whose own share is labelled least leaves first, then the rest are
 * checked again, until every rule holds.
 */
function pruneExplained<T extends { i: number; c: Candidate }>(
  chosen: readonly T[],
  cover: readonly (readonly number[])[],
  weight: (fi: number) => number,
  enforced: (t: Tally, c: Candidate) => boolean,
): T[] {
  const kept = [...chosen]
  for (;;) {
    const coveredBy = new Map<number, number>()
    for (const { i } of kept) for (const fi of cover[i] ?? []) coveredBy.set(fi, (coveredBy.get(fi) ?? 0) + 1)
    let worst: { k: number; quality: number } | undefined
    for (const [k, { i, c }] of kept.entries()) {
      let matched = 0
      let labelled = 0
      let direct = 0
      for (const fi of cover[i] ?? []) {
        if (coveredBy.get(fi) !== 1) continue
        matched++
        labelled += weight(fi)
        if (weight(fi) >= 1) direct++
      }
      if (enforced({ matched, labelled, removed: 0, direct }, c)) continue
      const quality = (labelled + 1) / (matched + 2)
      if (!worst || quality < worst.quality) worst = { k, quality }
    }
    if (!worst) return kept
    kept.splice(worst.k, 1)
  }
}

/** How close a broader condition's acted-on share must come to the narrower ones' for it to replace them. */
const BROADER_SHARE = 0.8

/**
 * The greedy list takes the most precise additions first, so where an owner forbids all files it
 * may choose one rule per extension the history shows (docx, pdf, apk), and where an owner
 * forbids all links, one per domain (t.cn, bit.ly). Such a group is replaced by "any file" or
 * "any link" (same who) when that is enforced too and its acted-on share is at least
 * `BROADER_SHARE` of the group's: then the history gives no reason to think the owner's rule is
 * about those extensions, and the broader one catches the ones the history did not happen to
 * show. (The same step for tenures — a newcomer rule widened to anyone — was measured and cost
 * precision for nothing: docs/learning.md.)
 */
function broaden<T extends { c: Candidate; t: Tally; i: number }>(
  chosen: readonly T[],
  cands: readonly Candidate[],
  tallies: readonly Tally[],
  enforced: (t: Tally, c: Candidate) => boolean,
): T[] {
  const rate = (t: Tally) => (t.matched ? t.labelled / t.matched : 0)
  const find = (c: Candidate) => cands.findIndex((x) => ruleId(x) === ruleId(c))
  let out = [...chosen]
  const replace = (group: T[], broad: Candidate) => {
    const j = find(broad)
    if (j < 0 || out.some((x) => x.i === j)) return
    const t = tallies[j] as Tally
    const matched = group.reduce((k, x) => k + x.t.matched, 0)
    const labelled = group.reduce((k, x) => k + x.t.labelled, 0)
    if (!enforced(t, cands[j] as Candidate) || rate(t) < BROADER_SHARE * rate({ matched, labelled, removed: 0, direct: 0 })) return
    const first = out.indexOf(group[0] as T)
    out = out.filter((x) => !group.includes(x))
    out.splice(first, 0, { ...(group[0] as T), c: cands[j] as Candidate, t, i: j })
  }
  // Extensions → any file, domains → any link, per who.
  const broader: readonly [What, Pick<Candidate, 'what' | 'value'>][] = [
    ['file-ext', { what: 'type', value: 'file' }],
    ['domain', { what: 'link' }],
  ]
  for (const [narrow, broad] of broader) {
    const groups = new Map<string, T[]>()
    for (const x of out) {
      if (x.c.what !== narrow) continue
      const k = `${x.c.who}@${x.c.tenureH ?? ''}`
      groups.set(k, [...(groups.get(k) ?? []), x])
    }
    for (const group of groups.values()) {
      const { who, tenureH } = (group[0] as T).c
      replace(group, { ...broad, who, ...(tenureH !== undefined ? { tenureH } : {}) })
    }
  }
  return out
}

/**
 * The share of the room's action rate a condition's matches must be acted on to count as enforced
 * (at most `minRate`): the owner's rate is an average over rules, and one rule's share of it
 * varies with the few dozen matches a history holds.
 */
const ENFORCED_SHARE = 0.5

/**
 * Conditions on what a message is that no rule of the learner's names in advance — a message type
 * (red packets, transfers, locations, videos), a file extension, a link's domain, the number of
 * members @-mentioned — may be held against the owner's **pointed** background instead of the
 * whole one: where nearly all their labels (`POINTED_SHARE`) are direct, the messages an action
 * followed, not the half-weight sweep of a removed member's day. An owner who removes most of
 * the members who break any rule, hours later, labels so much of the room's ordinary chatter at
 * half weight that ten times that background is more than any rule can show; the red packets
 * this owner warned about or removed right after are still plainly singled out. (The other
 * conditions keep the whole background: for ad copy, contact details, pictures and newcomers'
 * chatter, the direct background admitted rules learned from removed marketers' chatter —
 * docs/learning.md, "Tried on 2026-12-07".)
 */
const POINTED: ReadonlySet<What> = new Set(['type', 'file-ext', 'domain', 'mentions'])
const POINTED_SHARE = 0.8

/** The estimated precision a rule the history alone gives must reach (the announcement's own rules need not). */
const LEARNED_PRECISION = 0.6

/**
 * An announced rule with ten matches or more in the history stays out when even the optimistic
 * reading (the upper bound of the share the owner acted on) puts its precision under this share
 * of the owner's action rate (under ten matches: half).
 */
const ANNOUNCED_BAR = 0.8

function learnRoom(
  room: string,
  facts: readonly MessageFacts[],
  labels: ReadonlyMap<string, WeakLabel>,
  scores: ReadonlyMap<string, number>,
  cands: readonly Candidate[],
  announced: ReturnType<typeof parseAnnouncement> & { readonly text: string | undefined },
  o: { minRate: number; minLabelled: number; nested: boolean },
): RoomPolicy {
  const announcement = announced.text
  const tallies = cands.map((): Tally => ({ matched: 0, labelled: 0, removed: 0, direct: 0 }))
  const hits = cands.map((): number[] => [])
  // For a flood candidate, also the messages that reach its count exactly (crossings): see floodLimitHolds.
  const crossings = cands.map((): Tally => ({ matched: 0, labelled: 0, removed: 0, direct: 0 }))
  const inBurst = burstMembers(facts)
  for (const [fi, f] of facts.entries()) {
    const l = labels.get(f.id)
    const score = scores.get(f.id)
    for (const [i, c] of cands.entries()) {
      if (!matches(c, f, score)) continue
      // What the owner did about a burst is evidence about bursts only (see burstMembers).
      if (c.what !== 'flood' && inBurst[fi]) continue
      hits[i]?.push(fi)
      const t = tallies[i] as Tally
      t.matched++
      if (l) {
        t.labelled += l.weight
        if (l.weight >= 1) t.direct++
        if (l.sources.includes('removal')) t.removed += l.weight
      }
      if (c.what === 'flood' && burstIn(f, c.windowS) === c.threshold) {
        const x = crossings[i] as Tally
        x.matched++
        x.labelled += l?.weight ?? 0
        if ((l?.weight ?? 0) >= 1) x.direct++
      }
    }
  }
  // What the owner does to ordinary messages: the labelled share of what members post that
  // meets no candidate's condition (the violations themselves would inflate it), outside bursts
  // (a burst's first messages meet no flood condition, yet the owner's action was about it).
  const anyHit = new Set<number>(hits.flat())
  let plain = 0
  let plainLabelled = 0
  let plainDirect = 0
  for (const [fi, f] of facts.entries()) {
    if (anyHit.has(fi) || inBurst[fi]) continue
    plain++
    plainLabelled += labels.get(f.id)?.weight ?? 0
    if ((labels.get(f.id)?.weight ?? 0) >= 1) plainDirect++
  }
  const base = plainLabelled / Math.max(1, plain)
  // …and the share of it an action followed directly (weight 1): the pointed background (POINTED).
  const directBase = plainDirect / Math.max(1, plain)
  // How often this owner acts on a clear violation: the labelled share of the well-supported
  // candidates the owner plainly enforces, weighted by their size (a median-like, robust estimate).
  let enforcedMatched = 0
  let enforcedLabelled = 0
  for (const t of tallies) {
    if (t.matched >= 10 && t.labelled / t.matched >= o.minRate) {
      enforcedMatched += t.matched
      enforcedLabelled += t.labelled
    }
  }
  const actionRate = Math.min(1, Math.max(o.minRate, enforcedMatched ? enforcedLabelled / enforcedMatched : 0.6))
  const actionRateEstimated = enforcedMatched > 0
  let ownerActions = 0
  for (const f of facts) ownerActions += labels.get(f.id)?.weight ?? 0
  const owner = { ownerActions, actionRate: actionRateEstimated ? actionRate : undefined }
  const evidence = (t: Tally, announced: boolean) => {
    const rate = t.matched ? t.labelled / t.matched : 0
    return { matched: t.matched, labelled: t.labelled, rate, precision: Math.min(1, rate / actionRate), announced }
  }
  /**
   * A warning or removal after a flood labels the whole burst, its first messages too, so a
   * count below the owner's limit looks enforced by its matches. Its crossings tell: the
   * messages that bring a burst to exactly this count. Below the limit most bursts stop there
   * unpunished (a quick exchange); from the limit on, a crossing is punished as often as the
   * owner punishes anything. A flood count holds when its crossings are enforced and labelled at
   * half the owner's action rate or more.
   */
  const floodLimitHolds = (x: Tally) => enforced(x) && x.labelled / x.matched >= 0.5 * actionRate
  /**
   * Enforced: acted on directly often enough that it cannot be the owner's background noise, at
   * a share this owner's own rate makes plausible (an owner who acts on a third of what breaks
   * the rules acts on a sixth of a rule's matches or more, not 30%), and ten times the room's
   * background (for the conditions of `POINTED`, whose labels are nearly all direct, ten times
   * the pointed background will do).
   */
  const enforced = (t: Tally, c?: Candidate) =>
    t.direct >= o.minLabelled &&
    t.labelled / t.matched >= Math.min(o.minRate, ENFORCED_SHARE * actionRate) &&
    (t.labelled / t.matched >= 10 * base ||
      (c !== undefined && POINTED.has(c.what) && t.direct >= POINTED_SHARE * t.labelled && t.direct / t.matched >= 10 * directBase))

  const isAnnounced = (c: Candidate) =>
    announced.rules.some((a) => a.what === c.what && a.value === c.value && (a.who === c.who || a.who === 'anyone'))

  // A rule list, greedily: the candidate whose not-yet-covered matches are enforced and hold the
  // most labels joins, until none adds enforced coverage (so a broad rule and a narrower one
  // for newcomers can both be kept when each catches what the other does not).
  const weight = (fi: number) => labels.get((facts[fi] as MessageFacts).id)?.weight ?? 0
  // What choosing a candidate explains: its matches, and for a flood every message of the bursts
  // it reaches into (the owner's action labelled the burst's first messages too).
  const episodes = burstEpisodes(facts, inBurst)
  // The bursts a flood candidate reaches (each by its first message), and whether the owner acted on one.
  const bursts: BurstEvidence = {
    of: (fi) => episodes[fi]?.[0] ?? fi,
    reached: (i) => new Set((hits[i] ?? []).map(bursts.of)),
    punished: (e) => (episodes[e] ?? [e]).some((fi) => weight(fi) >= 0.5),
  }
  const cover = cands.map((c, i) => {
    const own = hits[i] ?? []
    if (c.what !== 'flood') return own
    const all = new Set<number>()
    for (const fi of own) for (const x of episodes[fi] ?? [fi]) all.add(x)
    return [...all]
  })
  const banned = new Set<number>()
  let chosen: { c: Candidate; t: Tally; i: number }[] = []
  for (;;) {
    chosen = chooseGreedily()
    const kept = pruneExplained(chosen, cover, weight, enforced)
    if (kept.length === chosen.length) break
    for (const x of chosen) if (!kept.includes(x)) banned.add(x.i)
  }
  chosen = settleFloodLimits(chosen, cands, tallies, cover, bursts, actionRate, o.minLabelled)
  chosen = broaden(chosen, cands, tallies, enforced)
  function chooseGreedily(): { c: Candidate; t: Tally; i: number }[] {
    const covered = new Set<number>()
    const list: { c: Candidate; t: Tally; i: number }[] = []
    for (;;) {
      let pick: { i: number; gain: number; quality: number } | undefined
      for (const [i, c] of cands.entries()) {
        if (banned.has(i) || list.some((x) => x.i === i) || !enforced(tallies[i] as Tally, c)) continue
        let matched = 0
        let labelled = 0
        let direct = 0
        let named = 0 // labels from warnings that name this proxy's kind
        const members = new Set<string>() // whose labelled messages these are
        const kind = PROXY_KIND[c.what]
        for (const fi of cover[i] ?? []) {
          if (covered.has(fi)) continue
          matched++
          const w = weight(fi)
          labelled += w
          if (w >= 1) direct++
          if (w <= 0) continue
          const f = facts[fi] as MessageFacts
          members.add(f.sender)
          if (kind && labels.get(f.id)?.kinds.includes(kind)) named += w
        }
        if (!enforced({ matched, labelled, removed: 0, direct }, c)) continue
        if (c.what === 'flood' && !floodLimitHolds(crossings[i] as Tally)) continue
        if (
          PROXIES.has(c.what) &&
          2 * named <= labelled &&
          (labelled < PROXY_LABELLED || members.size < PROXY_LABELLED || labelled / matched < PROXY_PRECISION * actionRate)
        )
          continue
        // The most precise addition first (smoothed), then the one that catches the most.
        const quality = (labelled + 1) / (matched + 2)
        if (
          !pick ||
          quality > pick.quality ||
          (quality === pick.quality && (labelled > pick.gain || (labelled === pick.gain && preferredOnTie(c, cands[pick.i] as Candidate))))
        )
          pick = { i, gain: labelled, quality }
      }
      if (!pick) return list
      list.push({ c: cands[pick.i] as Candidate, t: tallies[pick.i] as Tally, i: pick.i })
      for (const fi of cover[pick.i] ?? []) covered.add(fi)
    }
  }
  // The announced candidate with the best evidence among those a clause allows (the clause names
  // a count but not which texts count, or a count but no window).
  const announcedCandidate = (a: AnnouncedRule): number => {
    let best = -1
    for (const [i, c] of cands.entries()) {
      if (c.what !== a.what || c.value !== a.value || c.who !== a.who || c.tenureH !== a.tenureH) continue
      if (
        a.what === 'flood' &&
        (c.threshold !== (a.threshold ?? 5) ||
          (a.windowS === undefined ? a.threshold === undefined && c.windowS !== 60 : c.windowS !== nearestWindow(a.windowS)))
      )
        continue
      if (a.what === 'long-text' && c.threshold !== a.threshold) continue
      if (a.what === 'ad-text' && c.threshold !== 0.7) continue
      const t = tallies[i] as Tally
      const b = best >= 0 ? (tallies[best] as Tally) : undefined
      if (
        !b ||
        t.labelled > b.labelled ||
        (t.labelled === b.labelled && (t.labelled + 1) / (t.matched + 2) > (b.labelled + 1) / (b.matched + 2))
      )
        best = i
    }
    return best
  }
  /**
   * Announced, but the history shows the owner leaving what this condition matches alone: even
   * the optimistic reading (the upper bound of the share acted on) is under the bar times the
   * owner's action rate. With ten matches or more the bar is ANNOUNCED_BAR; below, half (a
   * handful proves little); none proves nothing, and the rule stands. Where the history could
   * not estimate the owner's rate, the rate is what the owner showed on this condition itself:
   * the highest share acted on in any of its scopes the owner acted on directly (`minLabelled`
   * times), and at least `minRate` — an owner who seldom acts is not a busy one leaving the rule
   * alone, but one who removes every newcomer's long text and none of the members' does leave
   * those alone.
   */
  const shownRate = (c: Candidate) => {
    let rate = o.minRate
    for (const [j, x] of cands.entries()) {
      const t = tallies[j] as Tally
      if (x.what !== c.what || x.value !== c.value || x.threshold !== c.threshold || x.windowS !== c.windowS || x.textChars !== c.textChars)
        continue
      if (t.direct >= o.minLabelled) rate = Math.max(rate, Math.min(1, t.labelled / t.matched))
    }
    return rate
  }
  const contradictedBy = (c: Candidate, acted: number, all: number) =>
    all > 0 && wilsonUpperBound(acted, all) < (all >= 10 ? ANNOUNCED_BAR : 0.5) * (actionRateEstimated ? actionRate : shownRate(c))
  // A flood is judged by the bursts it reaches (a burst's messages are punished together). A
  // count the owner wrote down (半分钟内连发7条及以上视为刷屏) says more than a count read into
  // 禁止刷屏: it stands while the bursts it reaches are punished more surely than the bursts it
  // does not reach — an owner who acts on few floods still acts on these rather than on others —
  // unless it is plainly too low.
  let episodeStarts: number[] | undefined // every burst of the room, found when a stated count needs them
  const contradicted = (i: number, stated = false) => {
    const c = cands[i] as Candidate
    if (c.what !== 'flood') return contradictedBy(c, (tallies[i] as Tally).labelled, (tallies[i] as Tally).matched)
    const reached = bursts.reached(i)
    const acted = [...reached].filter(bursts.punished).length
    if (!contradictedBy(c, acted, reached.size)) return false
    if (!stated) return true
    // Too low a count (不得超过2条) reaches quick exchanges the owner always lets pass: the bursts
    // that reach exactly this count are punished surely less than those reaching one more.
    const j = cands.findIndex(
      (x) =>
        x.what === 'flood' &&
        x.who === c.who &&
        x.windowS === c.windowS &&
        x.textChars === c.textChars &&
        x.threshold === (c.threshold ?? 0) + 1,
    )
    if (j >= 0) {
      const above = bursts.reached(j)
      const exact = [...reached].filter((e) => !above.has(e))
      const aboveActed = [...above].filter(bursts.punished).length
      if (exact.length && wilsonUpperBound(exact.filter(bursts.punished).length, exact.length) < wilsonLowerBound(aboveActed, above.size))
        return true
    }
    episodeStarts ??= [...new Set(facts.flatMap((_, fi) => (episodes[fi] ? [bursts.of(fi)] : [])))]
    const rest = episodeStarts.filter((e) => !reached.has(e))
    return wilsonLowerBound(acted, reached.size) <= rest.filter(bursts.punished).length / Math.max(1, rest.length)
  }
  // A limit stated in words only (禁止刷屏, 长文请私聊) that the history gave no rule for: the
  // limit whose matches (whole bursts, for floods) the owner acted on most surely — the highest
  // lower bound of the acted-on share — if the owner acted on any.
  const surest = (what: What): number => {
    let best = -1
    let bestLow = 0
    for (const [i, c] of cands.entries()) {
      if (c.what !== what || c.who !== 'anyone') continue
      let labelled = 0
      for (const fi of cover[i] ?? []) labelled += weight(fi)
      if (labelled < o.minLabelled) continue
      const low = wilsonLowerBound(labelled, (cover[i] ?? []).length)
      if (low > bestLow) [best, bestLow] = [i, low]
    }
    return best
  }
  // A limit the announcement states in numbers (三十秒内不得超过5条, 超过300字) is the owner's
  // own word for what the history can only estimate: it replaces the learned limit for anyone,
  // unless the history contradicts it.
  for (const a of announced.rules) {
    if ((a.what !== 'flood' && a.what !== 'long-text') || a.who !== 'anyone') continue
    const learnedToo = chosen.some((x) => x.c.what === a.what && x.c.who === 'anyone')
    if (a.threshold === undefined && learnedToo) continue
    const i = a.threshold === undefined ? surest(a.what) : announcedCandidate(a)
    if (i < 0 || contradicted(i, a.threshold !== undefined)) continue
    const stated = { c: cands[i] as Candidate, t: tallies[i] as Tally, i }
    const limit =
      a.threshold === undefined && a.what === 'flood'
        ? settleFloodLimits([stated], cands, tallies, cover, bursts, actionRate, o.minLabelled)
        : [stated]
    chosen = [...chosen.filter((x) => !(x.c.what === a.what && x.c.who === 'anyone')), ...limit]
  }
  // Precision first: a rule the history alone puts at under LEARNED_PRECISION (its share acted
  // on, over the owner's action rate) would wrong too many members; one the announcement also
  // states has that evidence besides.
  chosen = chosen.filter(({ c, t }) => isAnnounced(c) || (t.matched > 0 && t.labelled / t.matched >= LEARNED_PRECISION * actionRate))
  const learnedWhats = new Set<What>(chosen.map(({ c }) => c.what))
  // A message type is a condition of its own per type (files, red packets).
  const learnedTypes = new Set(chosen.flatMap(({ c }) => (c.what === 'type' && c.value ? [c.value] : [])))
  const rules: LearnedRule[] = []
  const add = (c: Candidate, t: Tally, origin: 'history' | 'announcement') => {
    const announcedToo = origin === 'announcement' || isAnnounced(c)
    const action: 'warn' | 'remove' = t.labelled > 0 ? (t.removed / t.labelled >= 0.5 ? 'remove' : 'warn') : announced.action
    const base = { room, ...c, action, mode: 'shadow' as const, evidence: evidence(t, announcedToo) }
    rules.push({
      id: ruleId(c),
      ...base,
      sentence: sentence(base, owner),
    })
  }
  for (const { c, t } of chosen) add(c, t, 'history')
  // Cold start: what the announcement states and the history has not already given.
  for (const a of announced.rules) {
    if (a.what === 'type' ? a.value !== undefined && learnedTypes.has(a.value) : learnedWhats.has(a.what)) continue
    // 禁止广告: the history already shows how this owner reads it when it gave a rule on ad copy.
    if (a.what === 'ad-text' && AD_COPY.some((w) => learnedWhats.has(w))) continue
    // A length nobody stated nor acted on is not known.
    if (a.what === 'long-text' && a.threshold === undefined) continue
    const i = announcedCandidate(a)
    const c: Candidate =
      i >= 0
        ? (cands[i] as Candidate)
        : {
            what: a.what,
            who: a.who,
            ...(a.value !== undefined ? { value: a.value } : {}),
            ...(a.tenureH !== undefined ? { tenureH: a.tenureH } : {}),
            ...(a.what === 'ad-text' ? { threshold: 0.7 } : {}),
          }
    if (i >= 0 && contradicted(i, a.threshold !== undefined)) {
      // Stated for everyone, left alone in everyone's messages: the scope the owner does enforce
      // it in, if the history shows one (禁止发广告, acted on in newcomers' texts only).
      const j = a.who === 'anyone' ? enforcedScope(c) : -1
      if (j >= 0) add(cands[j] as Candidate, tallies[j] as Tally, 'announcement')
      continue
    }
    const t = i >= 0 ? (tallies[i] as Tally) : { matched: 0, labelled: 0, removed: 0, direct: 0 }
    if (c.what === 'ad-text' && !cands.some((x) => x.what === 'ad-text')) continue // no classifier to judge text with
    add(c, t, 'announcement')
  }
  /**
   * The narrower scope (members of under some tenure) of an announced condition that the owner
   * enforces though the condition for everyone is contradicted: enforced, not contradicted, and of
   * those the surest share acted on (the highest lower bound).
   */
  function enforcedScope(c: Candidate): number {
    let best = -1
    let bestLow = 0
    for (const [j, x] of cands.entries()) {
      if (x.what !== c.what || x.value !== c.value || x.threshold !== c.threshold || x.who === 'anyone') continue
      const t = tallies[j] as Tally
      if (!enforced(t, x) || contradicted(j)) continue
      const low = wilsonLowerBound(t.labelled, t.matched)
      if (low > bestLow) [best, bestLow] = [j, low]
    }
    return best
  }
  // A rule whose every match a broader rule with the same action also catches (flood ≥ 6 next to
  // flood ≥ 5, both warn) hands its matches to that rule, same action: it is only one more line
  // to read and to approve.
  const readable = o.nested ? rules.filter((r) => !rules.some((b) => b !== r && b.action === r.action && subsumes(b, r))) : rules
  readable.sort((a, b) => b.evidence.precision - a.evidence.precision || b.evidence.labelled - a.evidence.labelled)
  return { rules: readable, actionRate, actionRateEstimated, ownerActions, ...(announcement ? { announcement } : {}) }
}
