/**
 * AnalyticsStore: each group's days summarised for the console's analytics (domain/analytics.ts),
 * kept once a day is over so that a view reads and segments only the days since. Per room: the
 * summaries of its days, and the last day they are complete through (`through`: every day up to
 * it is summarised, a day without events by having no summary).
 *
 * Adapters: `MemoryAnalyticsStore` (tests), `SqliteAnalyticsStore` (embedded, in the guard's
 * SQLite file), `DynamoDbAnalyticsStore` (AWS, in the table). All pass
 * test/contract/analytics-store.contract.ts.
 *
 * @example
 *   const { through, days } = await store.getDays('r1', '2026-09-01')
 *   await store.putDays('r1', [summary], { through: '2026-12-05', from: '2026-09-01' })
 */
/** One local day of a group, summarised (JSON: kept in an AnalyticsStore). */
export interface DaySummary {
  /** YYYY-MM-DD, local. */
  readonly day: string
  /** The events it summarises (messages, joins and leaves). */
  readonly events: number
  readonly messages: number
  /** Messages per local hour. */
  readonly hours: readonly number[]
  /** Who posted: messages, the latest display name, the last post (ms). */
  readonly posters: Readonly<Record<string, { readonly n: number; readonly name?: string | undefined; readonly last: number }>>
  /** Who joined and who left, with when (ms; the latest of the day). */
  readonly joins: Readonly<Record<string, number>>
  readonly leaves: Readonly<Record<string, number>>
  readonly mood: { readonly positive: number; readonly negative: number; readonly texts: number; readonly sum: number }
  /** The day's words and how often (its most used `DAY_WORDS`). */
  readonly words: Readonly<Record<string, number>>
  /** The last event's time (ms). */
  readonly last: number
}

export interface AnalyticsStore {
  /** The room's kept summaries of days from `fromDay` on (YYYY-MM-DD), in day order, and the day they are complete through. */
  getDays(room: string, fromDay: string): Promise<{ readonly through?: string | undefined; readonly days: readonly DaySummary[] }>
  /**
   * Keeps these summaries (replacing any of the same days), records that the room's days are
   * complete through `through`, and drops summaries of days before `from`.
   */
  putDays(room: string, days: readonly DaySummary[], marks: { readonly through: string; readonly from: string }): Promise<void>
  /** Forgets the room's summaries from `fromDay` on, and that they were complete (events of those days were stored late: an import). */
  forgetFrom(room: string, fromDay: string): Promise<void>
}
