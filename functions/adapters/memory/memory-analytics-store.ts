/** MemoryAnalyticsStore: the AnalyticsStore in one process's memory (tests). */
import type { DaySummary } from '../../domain/analytics.ts'
import type { AnalyticsStore } from '../../ports/analytics-store.port.ts'

export class MemoryAnalyticsStore implements AnalyticsStore {
  private readonly rooms = new Map<string, { through?: string | undefined; days: Map<string, DaySummary> }>()

  private room(room: string) {
    let r = this.rooms.get(room)
    if (!r) {
      r = { days: new Map() }
      this.rooms.set(room, r)
    }
    return r
  }

  async getDays(room: string, fromDay: string): Promise<{ through?: string | undefined; days: DaySummary[] }> {
    const r = this.rooms.get(room)
    if (!r) return { days: [] }
    const days = [...r.days.values()].filter((d) => d.day >= fromDay).sort((a, b) => (a.day < b.day ? -1 : 1))
    // Copies, as a store that serialises them would hand out.
    return { through: r.through, days: structuredClone(days) }
  }

  async putDays(room: string, days: readonly DaySummary[], marks: { through: string; from: string }): Promise<void> {
    const r = this.room(room)
    for (const d of days) r.days.set(d.day, structuredClone(d))
    for (const day of r.days.keys()) if (day < marks.from) r.days.delete(day)
    r.through = marks.through
  }

  async forgetFrom(room: string, fromDay: string): Promise<void> {
    const r = this.rooms.get(room)
    if (!r) return
    for (const day of r.days.keys()) if (day >= fromDay) r.days.delete(day)
    if (r.through !== undefined && r.through >= fromDay) {
      // Complete through the day before: the earlier days are untouched.
      const before = new Date(Date.parse(`${fromDay}T00:00:00.000Z`) - 86_400_000).toISOString().slice(0, 10)
      r.through = before
    }
  }
}
