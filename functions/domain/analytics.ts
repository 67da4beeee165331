/**
 * A group's analytics for the owner's console (docs/console.md#analytics): one pass over its
 * stored events and decisions — activity by weekday × hour (the owners' local time), messages,
 * active members and newcomers per day, how many newcomers stayed and spoke after their first
 * week, the top posters, the most used words (segmented, stop words removed), the chat's mood per
 * day (domain/sentiment.ts: a lexicon, rough — see docs/console.md#sentiment) and what the guard
 * did per day.
 *
 * @example
 *   const a = analyse(events, decisions, { segment: jiebaWords(), stop: new Set(['的']), utcOffsetMinutes: 480 })
 *   a.heatmap[1][21] // messages on Mondays between 21:00 and 22:00
 */
import type { Decision, GroupEvent } from './events.ts'
import { toMillis } from './events.ts'
import { maskPii } from './privacy.ts'
import { sentiment } from './sentiment.ts'

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

export function analyse(events: readonly GroupEvent[], decisions: readonly Decision[], o: AnalyticsOptions): Analytics {
  const local = (ts: string) => new Date(toMillis(ts) + o.utcOffsetMinutes * 60_000)
  const heatmap = Array.from({ length: 7 }, () => new Array<number>(24).fill(0))
  type Row = { messages: number; active: Set<string>; joined: number; left: number; actions: Record<string, number> }
  const days = new Map<string, Row & { mood: { positive: number; negative: number; texts: number; sum: number } }>()
  const day = (d: string) => {
    let row = days.get(d)
    if (!row) {
      row = { messages: 0, active: new Set(), joined: 0, left: 0, actions: {}, mood: { positive: 0, negative: 0, texts: 0, sum: 0 } }
      days.set(d, row)
    }
    return row
  }
  const posters = new Map<string, { name: string; messages: number }>()
  const words = new Map<string, number>()
  const joins = new Map<string, number>() // member → when they joined (the latest join)
  const leaves = new Map<string, number>()
  const lastPost = new Map<string, number>()
  const when = new Map<string, string>() // event id → ts, for the decisions
  let messages = 0
  let last = 0
  for (const e of events) {
    const at = toMillis(e.ts)
    last = Math.max(last, at)
    const t = local(e.ts)
    const d = t.toISOString().slice(0, 10)
    if (e.kind === 'message') {
      messages++
      const slot = heatmap[t.getUTCDay()]
      if (slot) slot[t.getUTCHours()] = (slot[t.getUTCHours()] ?? 0) + 1
      const row = day(d)
      row.messages++
      row.active.add(e.sender)
      const p = posters.get(e.sender) ?? { name: e.senderName ?? e.sender, messages: 0 }
      p.messages++
      if (e.senderName) p.name = e.senderName
      posters.set(e.sender, p)
      lastPost.set(e.sender, Math.max(lastPost.get(e.sender) ?? 0, at))
      when.set(e.id, e.ts)
      if (e.type === 'text' && e.text) {
        const mood = sentiment(e.text)
        row.mood.texts++
        row.mood.sum += mood.score
        if (mood.label === 'positive') row.mood.positive++
        else if (mood.label === 'negative') row.mood.negative++
        for (const w of o.segment(maskPii(e.text))) {
          const word = w.trim()
          if (word.length < 2 || o.stop.has(word) || /^[\d\p{P}\p{S}]+$/u.test(word) || word.includes('*')) continue
          words.set(word, (words.get(word) ?? 0) + 1)
        }
      }
    } else if (e.kind === 'join') {
      when.set(e.id, e.ts)
      day(d).joined += e.members.length
      for (const m of e.members) joins.set(m, at)
    } else if (e.kind === 'leave') {
      day(d).left += e.members.length
      for (const m of e.members) leaves.set(m, at)
    }
  }
  for (const x of decisions) {
    if (x.mode !== 'active' || x.action === 'reply') continue
    const ts = when.get(x.event)
    if (!ts) continue
    const row = day(local(ts).toISOString().slice(0, 10))
    row.actions[x.action] = (row.actions[x.action] ?? 0) + 1
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
  const top = <T>(m: Map<string, T>, n: number, by: (v: T) => number) =>
    [...m].sort((a, b) => by(b[1]) - by(a[1]) || a[0].localeCompare(b[0])).slice(0, n)
  return {
    messages,
    heatmap,
    days: [...days]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([d, r]) => ({
        day: d,
        messages: r.messages,
        active: r.active.size,
        joined: r.joined,
        left: r.left,
        actions: r.actions,
        mood: {
          positive: r.mood.positive,
          negative: r.mood.negative,
          texts: r.mood.texts,
          score: r.mood.texts ? r.mood.sum / r.mood.texts : 0,
        },
      })),
    newcomers: { joined, stayed, spoke },
    topPosters: top(posters, o.topPosters ?? 10, (p) => p.messages).map(([id, p]) => ({ id, name: maskPii(p.name), messages: p.messages })),
    words: top(words, o.topWords ?? 100, (n) => n).map(([word, count]) => ({ word, count })),
  }
}
