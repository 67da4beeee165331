import { describe, expect, it } from 'vitest'
import { MemoryAnalyticsStore } from '../../functions/adapters/memory/memory-analytics-store.ts'
import { analyse, combine, roomAnalytics, summariseDays } from '../../functions/domain/analytics.ts'
import type { Decision, GroupEvent } from '../../functions/domain/events.ts'

const ts = (day: number, hour: number) => new Date(Date.UTC(2026, 2, 1 + day, hour - 8, 30)).toISOString() // hour: Beijing time
const msg = (id: string, sender: string, day: number, hour: number, text: string, senderName?: string): GroupEvent => ({
  kind: 'message',
  id,
  ts: ts(day, hour),
  room: 'r1',
  sender,
  type: 'text',
  text,
  ...(senderName ? { senderName } : {}),
})
const segment = (t: string) => t.split(/\s+/)

describe('a group’s analytics', () => {
  it('counts by weekday × local hour and by day, ranks posters and words without stop words, and follows newcomers for a week', () => {
    const events: GroupEvent[] = [
      { kind: 'join', id: 'j1', ts: ts(0, 9), room: 'r1', members: ['wxid_new', 'wxid_gone'], via: 'qrcode' },
      msg('m1', 'wxid_a', 0, 21, '公园 散步 的', '小花'),
      msg('m2', 'wxid_a', 0, 21, '公园 拍照'),
      msg('m3', 'wxid_new', 1, 8, '大家好 电话 13812345678'),
      { kind: 'leave', id: 'l1', ts: ts(2, 10), room: 'r1', members: ['wxid_gone'] },
      msg('m4', 'wxid_new', 9, 20, '公园 见'),
    ]
    const decisions: Decision[] = [
      { event: 'm3', room: 'r1', target: 'wxid_new', action: 'warn', mode: 'active', rule: 'x', score: 1, reason: '' },
      { event: 'm3', room: 'r1', target: 'wxid_new', action: 'remove', mode: 'shadow', rule: 'x', score: 1, reason: '' },
    ]
    const a = analyse(events, decisions, { segment, stop: new Set(['的']), utcOffsetMinutes: 480 })
    expect(a.messages).toBe(4)
    // 2026-03-01 is a Sunday.
    expect(a.heatmap[0]?.[21]).toBe(2)
    expect(a.heatmap[1]?.[8]).toBe(1)
    expect(a.days.map((d) => [d.day, d.messages, d.active, d.joined, d.left, d.actions])).toEqual([
      ['2026-03-01', 2, 1, 2, 0, {}],
      ['2026-03-02', 1, 1, 0, 0, { warn: 1 }],
      ['2026-03-03', 0, 0, 0, 1, {}],
      ['2026-03-10', 1, 1, 0, 0, {}],
    ])
    expect(a.topPosters).toEqual([
      { id: 'wxid_a', name: '小花', messages: 2 },
      { id: 'wxid_new', name: 'wxid_new', messages: 2 },
    ])
    expect(a.words[0]).toEqual({ word: '公园', count: 3 })
    expect(a.words.map((w) => w.word)).not.toContain('的')
    expect(a.words.map((w) => w.word).join(' ')).not.toContain('13812345678')
    expect(a.newcomers).toEqual({ joined: 2, stayed: 1, spoke: 1 })
  })
})

describe('the chat’s mood per day', () => {
  it('counts text messages read as pleased and annoyed, with the day’s mean score', () => {
    const events: GroupEvent[] = [
      msg('m1', 'wxid_a', 0, 10, '太棒了 谢谢'),
      msg('m2', 'wxid_b', 0, 11, '垃圾 气死我了'),
      msg('m3', 'wxid_c', 0, 12, '明天 九点 集合'),
      msg('m4', 'wxid_a', 1, 10, '不开心'),
    ]
    const a = analyse(events, [], { segment, stop: new Set(), utcOffsetMinutes: 480 })
    expect(a.days.map((d) => [d.day, d.mood.positive, d.mood.negative, d.mood.texts])).toEqual([
      ['2026-03-01', 1, 1, 3],
      ['2026-03-02', 0, 1, 1],
    ])
    expect(a.days[0]?.mood.score).toBeCloseTo(0, 5)
    expect(a.days[1]?.mood.score).toBeLessThan(0)
  })
})

describe('days summarised once (the console’s analytics of a busy group)', () => {
  const o = { segment, stop: new Set<string>(), utcOffsetMinutes: 480 }
  // Four weeks of a group: a message every two hours, a join on day 2, a warning on day 3.
  const events: GroupEvent[] = [
    { kind: 'join' as const, id: 'j1', ts: ts(2, 9), room: 'r1', members: ['wxid_new'], via: 'qrcode' as const },
    ...Array.from({ length: 28 * 12 }, (_, i) =>
      msg(`m${i}`, i % 3 ? 'wxid_a' : 'wxid_new', Math.floor(i / 12), (i % 12) * 2, i % 5 ? '公园 散步' : '太棒了 谢谢'),
    ),
  ].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts))
  const decisions = [
    {
      id: 1,
      event: 'm40',
      room: 'r1',
      target: 'wxid_a',
      action: 'warn' as const,
      mode: 'active' as const,
      rule: 'x',
      score: 1,
      reason: '',
      ts: ts(3, 8),
    },
  ]

  it('combines day summaries into the same figures as one pass over the events', () => {
    const split = events.findIndex((e) => e.ts >= ts(10, 0))
    const parts = [...summariseDays(events.slice(0, split), o), ...summariseDays(events.slice(split), o)]
    expect(combine(parts, decisions, o)).toEqual(analyse(events, decisions, o))
  })

  it('keeps the days that are over, then reads only the days since; an import’s days are read again', async () => {
    const reads: (string | undefined)[] = []
    const store = {
      listEvents: async (q?: { since?: string; room?: string }) => {
        reads.push(q?.since)
        return events.filter((e) => q?.since === undefined || Date.parse(e.ts) >= Date.parse(q.since))
      },
      listDecisions: async () => decisions,
    }
    const days = new MemoryAnalyticsStore()
    const now = Date.parse(ts(27, 12))
    const first = await roomAnalytics('r1', { store, days }, o, { now, days: 30 })
    expect(first).toEqual(await roomAnalytics('r1', { store }, o, { now, days: 30 }))
    expect(first.messages).toBe(events.length - 1)
    // Kept through the day before yesterday (yesterday may still see late events).
    const kept = await days.getDays('r1', '2026-01-01')
    expect(kept.through).toBe('2026-03-26')
    expect(kept.days.at(-1)?.day).toBe('2026-03-26')
    reads.length = 0
    const again = await roomAnalytics('r1', { store, days }, o, { now, days: 30 })
    expect(again).toEqual(first)
    expect(reads).toEqual([new Date(Date.parse('2026-03-27T00:00:00+08:00')).toISOString()])
    // An import added to day 5: forgotten from there, read again from there.
    await days.forgetFrom('r1', '2026-03-06')
    reads.length = 0
    expect(await roomAnalytics('r1', { store, days }, o, { now, days: 30 })).toEqual(first)
    expect(reads).toEqual([new Date(Date.parse('2026-03-06T00:00:00+08:00')).toISOString()])
  })
})

describe('days summarised a day at a time', () => {
  it('gives the same figures, pausing once per day', async () => {
    const o = { segment, stop: new Set<string>(), utcOffsetMinutes: 480 }
    const events = Array.from({ length: 5 * 6 }, (_, i) => msg(`m${i}`, 'wxid_a', Math.floor(i / 6), 8 + (i % 6) * 3, '公园 散步'))
    const store = { listEvents: async () => events, listDecisions: async () => [] }
    let pauses = 0
    const pause = async () => {
      pauses++
    }
    const now = Date.parse(ts(6, 12))
    const paced = await roomAnalytics('r1', { store }, o, { now, days: 30, pause })
    expect(paced).toEqual(await roomAnalytics('r1', { store }, o, { now, days: 30 }))
    expect(pauses).toBe(5)
  })
})
