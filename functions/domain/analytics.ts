/**
 * A group's analytics for the owner's console (docs/console.md#analytics): activity by weekday ×
 * hour (the owners' local time), messages, active members and newcomers per day, how many
 * newcomers stayed and spoke after their first week, the top posters, the most used words
 * (segmented, stop words removed), the chat's mood per day (domain/sentiment.ts: a lexicon, rough
 * — see docs/console.md#sentiment) and what the guard did per day.
 *
 * Built in two steps, so that a busy group's 90 days are not read and segmented at every view:
 * each local day's events are summarised once (`summariseDays`: counts, the day's posters, joins,
 * leaves and word counts), and the summaries are combined with the decisions (`combine`).
 * `roomAnalytics` keeps the summaries of days that are over in an AnalyticsStore and reads and
 * summarises only the days since; `analyse` does both steps over events at hand (reports).
 *
 * @example
 *   const a = analyse(events, decisions, { segment: jiebaWords(), stop: new Set(['的']), utcOffsetMinutes: 480 })
 *   a.heatmap[1][21] // messages on Mondays between 21:00 and 22:00
 */
import type { AnalyticsStore, DaySummary } from '../ports/analytics-store.port.ts'
import type { GuardStore } from '../ports/guard-store.port.ts'
import type { Decision, GroupEvent } from './events.ts'
import { toMillis } from './events.ts'
import { maskPii } from './privacy.ts'
import { sentiment } from './sentiment.ts'

export type { DaySummary }

export interface AnalyticsOptions {
  /** Words of a text (Chinese segmentation). */
  readonly segment: (text: string) => readonly string[]
  /** Words left out of the word counts. */
  readonly stop: ReadonlySet<string>
  /** The owners' offset from UTC (supervision.utcOffsetMinutes). */
  readonly utcOffsetMinutes: number
  /** How many top posters and words. @default 10 and 100 */
  readonly topPosters?: number
  readonly topWords?: number
}

export interface DayRow {
  /** YYYY-MM-DD, local. */
  readonly day: string
  readonly messages: number
  /** Members who posted that day. */
  readonly active: number
  readonly joined: number
  readonly left: number
  /** The guard's active decisions that day, by action (warn, remove, recall …). */
  readonly actions: Readonly<Record<string, number>>
  /** Text messages that day read as pleased and as annoyed (the sentiment lexicon), and their mean score (-1 … 1). */
  readonly mood: { readonly positive: number; readonly negative: number; readonly texts: number; readonly score: number }
}

export interface Analytics {
  readonly messages: number
  /** [weekday 0 = Sunday][hour]: messages. */
  readonly heatmap: readonly (readonly number[])[]
  readonly days: readonly DayRow[]
  /** Members who joined at least a week before the last event: still there a week later, and who posted after their first week. */
  readonly newcomers: { readonly joined: number; readonly stayed: number; readonly spoke: number }
  readonly topPosters: readonly { readonly id: string; readonly name: string; readonly messages: number }[]
  readonly words: readonly { readonly word: string; readonly count: number }[]
}

const WEEK_MS = 7 * 24 * 3_600_000
const DAY_MS = 24 * 3_600_000
/**
 * Words kept per day summary: the group's top words over 90 days come from the days' top lists,
 * so a word can be missed only where it is outside the top 2,000 of every day it is used — a
 * few uses a day at most — and the summary stays small whatever the day's traffic.
 */
export const DAY_WORDS = 2000

/** A word worth counting: two characters or more, not a stop word, no digit (numbers — personal ones among them — stay out), not only punctuation. */
function countable(word: string, stop: ReadonlySet<string>): boolean {
  return word.length >= 2 && !stop.has(word) && !/\p{N}/u.test(word) && !/^[\p{P}\p{S}\s]+$/u.test(word) && !word.includes('*')
}

/** Local days as numbers (days since 1970-01-01 in the owners' time) and their names. */
const dayNumber = (ms: number, offsetMs: number) => Math.floor((ms + offsetMs) / DAY_MS)
const dayName = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10)
const dayOfName = (name: string) => Date.parse(`${name}T00:00:00.000Z`) / DAY_MS
const dayStart = (name: string, offsetMs: number) => dayOfName(name) * DAY_MS - offsetMs

/** The owners' local day (YYYY-MM-DD) of a time. */
export const localDay = (ts: string, utcOffsetMinutes: number): string => dayName(dayNumber(toMillis(ts), utcOffsetMinutes * 60_000))

const top = <T>(m: Map<string, T>, n: number, by: (v: T) => number) =>
  [...m].sort((a, b) => by(b[1]) - by(a[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, n)

/** The events' local days, each summarised (in day order; days without a message, join or leave are left out). */
export function summariseDays(events: readonly GroupEvent[], o: AnalyticsOptions): DaySummary[] {
  const offsetMs = o.utcOffsetMinutes * 60_000
  type Building = {
    events: number
    messages: number
    hours: number[]
    posters: Map<string, { n: number; name?: string | undefined; last: number }>
    joins: Map<string, number>
    leaves: Map<string, number>
    mood: { positive: number; negative: number; texts: number; sum: number }
    words: Map<string, number>
    last: number
  }
  const days = new Map<number, Building>()
  // Whether a word counts, decided once per distinct word (a chat's vocabulary is far smaller than its words).
  const judged = new Map<string, string | undefined>()
  for (const e of events) {
    if (e.kind !== 'message' && e.kind !== 'join' && e.kind !== 'leave') continue
    const at = toMillis(e.ts)
    const d = dayNumber(at, offsetMs)
    let row = days.get(d)
    if (!row) {
      row = {
        events: 0,
        messages: 0,
        hours: new Array<number>(24).fill(0),
        posters: new Map(),
        joins: new Map(),
        leaves: new Map(),
        mood: { positive: 0, negative: 0, texts: 0, sum: 0 },
        words: new Map(),
        last: 0,
      }
      days.set(d, row)
    }
    row.events++
    if (at > row.last) row.last = at
    if (e.kind === 'join') for (const m of e.members) row.joins.set(m, at)
    else if (e.kind === 'leave') for (const m of e.members) row.leaves.set(m, at)
    else {
      row.messages++
      const hour = Math.floor((at + offsetMs - d * DAY_MS) / 3_600_000)
      row.hours[hour] = (row.hours[hour] ?? 0) + 1
      const p = row.posters.get(e.sender)
      if (p) {
        p.n++
        if (e.senderName) p.name = e.senderName
        if (at > p.last) p.last = at
      } else row.posters.set(e.sender, { n: 1, name: e.senderName, last: at })
      if (e.type === 'text' && e.text) {
        const mood = sentiment(e.text)
        row.mood.texts++
        row.mood.sum += mood.score
        if (mood.label === 'positive') row.mood.positive++
        else if (mood.label === 'negative') row.mood.negative++
        for (const w of o.segment(e.text)) {
          let word = judged.get(w)
          if (!judged.has(w)) {
            const trimmed = w.trim()
            word = countable(trimmed, o.stop) ? trimmed : undefined
            judged.set(w, word)
          }
          if (word !== undefined) row.words.set(word, (row.words.get(word) ?? 0) + 1)
        }
      }
    }
  }
  return [...days]
    .sort(([a], [b]) => a - b)
    .map(([d, r]) => ({
      day: dayName(d),
      events: r.events,
      messages: r.messages,
      hours: r.hours,
      posters: Object.fromEntries(r.posters),
      joins: Object.fromEntries(r.joins),
      leaves: Object.fromEntries(r.leaves),
      mood: r.mood,
      words: Object.fromEntries(top(r.words, DAY_WORDS, (n) => n)),
      last: r.last,
    }))
}

/** The analytics of summarised days, with the guard's active decisions counted on the day of their message. */
export function combine(
  summaries: readonly DaySummary[],
  decisions: readonly (Decision & { readonly ts?: string | undefined })[],
  o: AnalyticsOptions,
  /** Where a decision carries no time: its message's, when known. */
  eventTimes: ReadonlyMap<string, number> = new Map(),
): Analytics {
  const offsetMs = o.utcOffsetMinutes * 60_000
  const heatmap = Array.from({ length: 7 }, () => new Array<number>(24).fill(0))
  const posters = new Map<string, { name: string; messages: number }>()
  const words = new Map<string, number>()
  const joins = new Map<string, number>() // member → when they joined (the latest join)
  const leaves = new Map<string, number>()
  const lastPost = new Map<string, number>()
  const actions = new Map<string, Record<string, number>>()
  const covered = new Set(summaries.map((s) => s.day))
  for (const x of decisions) {
    if (x.mode !== 'active' || x.action === 'reply') continue
    const at = x.ts !== undefined ? toMillis(x.ts) : eventTimes.get(x.event)
    if (at === undefined) continue
    const day = dayName(dayNumber(at, offsetMs))
    if (!covered.has(day)) continue
    const row = actions.get(day) ?? {}
    row[x.action] = (row[x.action] ?? 0) + 1
    actions.set(day, row)
  }
  let messages = 0
  let last = 0
  const days: DayRow[] = []
  for (const s of [...summaries].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))) {
    messages += s.messages
    if (s.last > last) last = s.last
    // 1970-01-01 was a Thursday (weekday 4).
    const weekday = (((dayOfName(s.day) + 4) % 7) + 7) % 7
    const slot = heatmap[weekday] as number[]
    for (const [h, n] of s.hours.entries()) slot[h] = (slot[h] ?? 0) + n
    for (const [id, p] of Object.entries(s.posters)) {
      const had = posters.get(id)
      if (had) {
        had.messages += p.n
        if (p.name) had.name = p.name
      } else posters.set(id, { name: p.name ?? id, messages: p.n })
      if (p.last > (lastPost.get(id) ?? 0)) lastPost.set(id, p.last)
    }
    for (const [m, at] of Object.entries(s.joins)) joins.set(m, at)
    for (const [m, at] of Object.entries(s.leaves)) leaves.set(m, at)
    for (const [w, n] of Object.entries(s.words)) words.set(w, (words.get(w) ?? 0) + n)
    days.push({
      day: s.day,
      messages: s.messages,
      active: Object.keys(s.posters).length,
      joined: Object.values(s.joins).length,
      left: Object.values(s.leaves).length,
      actions: actions.get(s.day) ?? {},
      mood: {
        positive: s.mood.positive,
        negative: s.mood.negative,
        texts: s.mood.texts,
        score: s.mood.texts ? s.mood.sum / s.mood.texts : 0,
      },
    })
  }
  let joined = 0
  let stayed = 0
  let spoke = 0
  for (const [m, at] of joins) {
    if (last - at < WEEK_MS) continue // too recent to tell
    joined++
    const left = leaves.get(m)
    if (left === undefined || left < at || left - at >= WEEK_MS) stayed++
    if ((lastPost.get(m) ?? 0) - at >= WEEK_MS) spoke++
  }
  return {
    messages,
    heatmap,
    days,
    newcomers: { joined, stayed, spoke },
    topPosters: top(posters, o.topPosters ?? 10, (p) => p.messages).map(([id, p]) => ({ id, name: maskPii(p.name), messages: p.messages })),
    words: top(words, o.topWords ?? 100, (n) => n).map(([word, count]) => ({ word, count })),
  }
}

/** The analytics of the events at hand (a report over a history). */
export function analyse(events: readonly GroupEvent[], decisions: readonly Decision[], o: AnalyticsOptions): Analytics {
  const times = new Map<string, number>()
  for (const e of events) if (e.kind === 'message' || e.kind === 'join') times.set(e.id, toMillis(e.ts))
  return combine(summariseDays(events, o), decisions, o, times)
}

/**
 * How long after a local day ends its summary is kept as final: events reach the store a little
 * late (a bot host's inbox after a restart, a queue's retries); one arriving later than this for
 * a day already summarised is not in that day's figures until the summaries are built again
 * (`AnalyticsStore.forgetFrom`, which `replay --store` calls for the days it adds).
 */
export const DAY_SETTLES_MS = DAY_MS

/**
 * A group's analytics over its last `days` days (whole local days) from its stored events: the
 * days that are over and settled from their kept summaries, the rest read and summarised now —
 * and the newly settled days kept for next time (older ones dropped). Without an AnalyticsStore
 * every day is read and summarised.
 */
export async function roomAnalytics(
  room: string,
  deps: {
    readonly store: Pick<GuardStore, 'listEvents' | 'listDecisions'>
    readonly days?: AnalyticsStore | undefined
  },
  o: AnalyticsOptions,
  options: {
    readonly now: number
    readonly days: number
    /**
     * Awaited between one day's summary and the next, so that a process doing other work (the
     * guard, with its console) is not held for the whole of a busy group's days at once — e.g.
     * `() => new Promise((r) => setImmediate(r))`. @default none: the days summarised in one go
     */
    readonly pause?: (() => Promise<void>) | undefined
  },
): Promise<Analytics> {
  const offsetMs = o.utcOffsetMinutes * 60_000
  const firstDay = dayName(dayNumber(options.now - options.days * DAY_MS, offsetMs))
  // The last day whose end is DAY_SETTLES_MS behind us.
  const settled = dayName(dayNumber(options.now - DAY_SETTLES_MS, offsetMs) - 1)
  const kept = deps.days ? await deps.days.getDays(room, firstDay) : { days: [] }
  const through = kept.through !== undefined && kept.through >= firstDay ? kept.through : undefined
  const readFrom = through === undefined ? dayStart(firstDay, offsetMs) : dayStart(through, offsetMs) + DAY_MS
  const events = await deps.store.listEvents({ room, since: new Date(readFrom).toISOString() })
  const fresh = (await summariseByDay(events, o, options.pause)).filter(
    (s) => s.day >= firstDay && (through === undefined || s.day > through),
  )
  if (deps.days && settled >= firstDay && (through === undefined || settled > through))
    await deps.days.putDays(
      room,
      fresh.filter((s) => s.day <= settled),
      { through: settled, from: firstDay },
    )
  // Kept days only up to the mark (every day after it was read again above).
  const summaries = [...(through === undefined ? [] : kept.days.filter((s) => s.day >= firstDay && s.day <= through)), ...fresh]
  return combine(summaries, await deps.store.listDecisions({ room }), o)
}

/** summariseDays one local day at a time, pausing between days when asked to. */
async function summariseByDay(
  events: readonly GroupEvent[],
  o: AnalyticsOptions,
  pause: (() => Promise<void>) | undefined,
): Promise<DaySummary[]> {
  if (!pause) return summariseDays(events, o)
  const offsetMs = o.utcOffsetMinutes * 60_000
  const day = (e: GroupEvent | undefined) => (e ? dayNumber(toMillis(e.ts), offsetMs) : undefined)
  const out: DaySummary[] = []
  let start = 0
  for (let i = 1; i <= events.length; i++) {
    if (i < events.length && day(events[i]) === day(events[start])) continue
    out.push(...summariseDays(events.slice(start, i), o))
    start = i
    await pause()
  }
  return out.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))
}
