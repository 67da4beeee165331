/**
 * The AnalyticsStore contract (groups' days summarised for the console), run against every
 * adapter: memory, SQLite and — on DynamoDB Local — DynamoDB.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import type { DaySummary } from '../../functions/domain/analytics.ts'
import type { AnalyticsStore } from '../../functions/ports/analytics-store.port.ts'

export const daySummary = (day: string, messages = 1): DaySummary => ({
  day,
  events: messages,
  messages,
  hours: Array.from({ length: 24 }, (_, h) => (h === 21 ? messages : 0)),
  posters: { wxid_a: { n: messages, name: '小花', last: Date.parse(`${day}T13:00:00.000Z`) } },
  joins: { wxid_new: Date.parse(`${day}T01:00:00.000Z`) },
  leaves: {},
  mood: { positive: 1, negative: 0, texts: messages, sum: 0.5 },
  words: { 公园: 3, 散步: 1 },
  last: Date.parse(`${day}T13:00:00.000Z`),
})

export function analyticsStoreContract(name: string, makeStore: () => Promise<AnalyticsStore>): void {
  describe(`AnalyticsStore contract: ${name}`, () => {
    let store: AnalyticsStore
    beforeEach(async () => {
      store = await makeStore()
    })

    it('keeps a room’s summarised days whole, in day order, from a day on, with the day they are complete through', async () => {
      expect(await store.getDays('r1', '2026-01-01')).toEqual({ days: [] })
      const days = [daySummary('2026-03-02', 5), daySummary('2026-03-01', 2), daySummary('2026-03-04', 1)]
      await store.putDays('r1', days, { through: '2026-03-04', from: '2026-02-01' })
      await store.putDays('r2', [daySummary('2026-03-01', 9)], { through: '2026-03-01', from: '2026-02-01' })
      const got = await store.getDays('r1', '2026-03-02')
      expect(got.through).toBe('2026-03-04')
      expect(got.days).toEqual([daySummary('2026-03-02', 5), daySummary('2026-03-04', 1)])
      expect((await store.getDays('r2', '2026-01-01')).days.map((d) => d.messages)).toEqual([9])
    })

    it('replaces a day put again, drops the days before `from`, and moves the mark', async () => {
      await store.putDays('r1', [daySummary('2026-03-01'), daySummary('2026-03-02')], { through: '2026-03-02', from: '2026-02-01' })
      await store.putDays('r1', [daySummary('2026-03-02', 7), daySummary('2026-03-03')], { through: '2026-03-03', from: '2026-03-02' })
      expect(await store.getDays('r1', '2026-01-01')).toEqual({
        through: '2026-03-03',
        days: [daySummary('2026-03-02', 7), daySummary('2026-03-03')],
      })
    })

    it('forgets the days from a day on, and that they were complete', async () => {
      const days = ['2026-03-01', '2026-03-02', '2026-03-03'].map((d) => daySummary(d))
      await store.putDays('r1', days, { through: '2026-03-05', from: '2026-02-01' })
      await store.forgetFrom('r1', '2026-03-02')
      expect(await store.getDays('r1', '2026-01-01')).toEqual({ through: '2026-03-01', days: [daySummary('2026-03-01')] })
      // A day after the mark: the mark stays.
      await store.forgetFrom('r1', '2026-03-09')
      expect((await store.getDays('r1', '2026-01-01')).through).toBe('2026-03-01')
      await store.forgetFrom('r9', '2026-03-01') // a room with nothing kept
      expect(await store.getDays('r9', '2026-01-01')).toEqual({ days: [] })
    })

    it('keeps a busy day: 2,000 posters and 2,000 words', async () => {
      const busy: DaySummary = {
        ...daySummary('2026-03-01', 20_000),
        posters: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`wxid_member_${i}`, { n: 10, name: `成员${i}号`, last: i }])),
        words: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`词语${i}`, 2000 - i])),
      }
      await store.putDays('r1', [busy], { through: '2026-03-01', from: '2026-02-01' })
      expect((await store.getDays('r1', '2026-03-01')).days).toEqual([busy])
    })
  })
}
