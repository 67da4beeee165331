/**
 * The live guard's learned rules remember members' bursts, catches and campaigns behind the
 * FactsStore port: they judge a stream exactly as the learner's in-memory PolicyRunner does, and a
 * guard restarted on the same SQLite file carries on where the first one stopped.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { SqliteFactsStore } from '../../functions/adapters/local/sqlite-facts-store.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { MemoryFactsStore } from '../../functions/adapters/memory/memory-facts-store.ts'
import type { AdClassifier } from '../../functions/domain/ad-classifier.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import type { GroupEvent } from '../../functions/domain/events.ts'
import { Guard } from '../../functions/domain/guard.ts'
import { PolicyRunner } from '../../functions/domain/learning/policy-runner.ts'
import type { LearnedPolicy } from '../../functions/domain/learning/rule-learner.ts'
import type { LearnedRule } from '../../functions/domain/learning/rules.ts'
import { StoredPolicyRunner } from '../../functions/domain/learning/stored-policy-runner.ts'
import type { FactsStore } from '../../functions/ports/facts-store.port.ts'
import { account, at, join, message, roomSnapshot } from '../helpers/factories.ts'

const rule = (what: LearnedRule['what'], who: LearnedRule['who'], extra: Partial<LearnedRule> = {}): LearnedRule => ({
  id: `learned:${what}:${who}`,
  room: 'r1',
  what,
  who,
  action: 'remove',
  mode: 'shadow',
  evidence: { matched: 10, labelled: 8, rate: 0.8, precision: 1, announced: false },
  sentence: `${what} ${who}`,
  ...extra,
})
// A stand-in classifier: "优惠" texts score 0.6.
const classifier = { score: (t: string) => (t.includes('优惠') ? 0.6 : 0.1) } as unknown as AdClassifier
const policy: LearnedPolicy = {
  version: 1,
  createdAt: '2026-12-01T00:00:00Z',
  rooms: {
    r1: {
      rules: [
        rule('link', 'newcomer'),
        rule('ad-text', 'offender', { threshold: 0.5 }),
        rule('cross-room', 'anyone'),
        rule('flood', 'anyone', { threshold: 3, windowS: 30 }),
      ],
      actionRate: 0.6,
    },
  },
  classifier,
  stats: { events: 0, messages: 0, labelled: 0 },
}

const s = (seconds: number) => at(seconds / 60)
const stream: GroupEvent[] = [
  account('wxid_bot'),
  roomSnapshot({ room: 'r1' }),
  roomSnapshot({ room: 'r2', topic: '二群' }),
  join({ room: 'r1', members: ['wxid_x'], ts: s(0) }),
  message({ id: 'x-link', sender: 'wxid_x', type: 'link', text: '领红包', url: 'https://t.cn/a', ts: s(10) }), // a newcomer's link
  message({ id: 'x-hi', sender: 'wxid_x', text: '你好', ts: s(100) }),
  message({ id: 'a-r2', room: 'r2', sender: 'wxid_a', text: '本店新品到货，欢迎选购，电话联系', ts: s(200) }),
  // — a restart here, in the second run —
  message({ id: 'x-ad', sender: 'wxid_x', text: '优惠多多 欢迎咨询', ts: s(300) }), // caught before: an ad at 0.6
  message({ id: 'b-r1', sender: 'wxid_b', text: '本店新品到货!欢迎选购 电话联系', ts: s(400) }), // the r2 copy: a campaign
  message({ id: 'f1', sender: 'wxid_f', text: '哈', ts: s(500) }),
  message({ id: 'f2', sender: 'wxid_f', text: '哈哈', ts: s(505) }),
  message({ id: 'f3', sender: 'wxid_f', text: '哈哈哈', ts: s(510) }), // the third in 30 s: a flood
  message({ id: 'f4', sender: 'wxid_f', text: '嗯', ts: s(600) }),
  message({ id: 'owner', sender: 'wxid_owner', type: 'link', text: '群公告', url: 'https://t.cn/o', ts: s(700) }), // staff
]
const RESTART_AT = stream.findIndex((e) => e.id === 'x-ad')

async function judged(guard: Guard, events: readonly GroupEvent[]): Promise<[string, string][]> {
  const out: [string, string][] = []
  for (const e of events) {
    const r = await guard.handleEvent(e)
    if (r.status !== 'stored') throw new Error(`${e.id}: ${r.status}`)
    for (const d of r.decisions) out.push([d.decision.event, d.decision.rule])
  }
  return out
}

const guardOn = (store: SqliteGuardStore, facts: FactsStore) => new Guard({ store, config: parseConfig({}), learned: { policy, facts } })

describe('learned rules with their memory behind the FactsStore port', () => {
  const expected: [string, string][] = [
    ['x-link', 'learned:link:newcomer'],
    ['x-ad', 'learned:ad-text:offender'],
    ['b-r1', 'learned:cross-room:anyone'],
    ['f3', 'learned:flood:anyone'],
  ]

  it('judge a stream as the learner’s in-memory PolicyRunner does', async () => {
    const runner = new PolicyRunner(policy)
    const byRunner = stream.flatMap((e) => runner.observe(e).map((d): [string, string] => [d.event, d.rule]))
    expect(byRunner).toEqual(expected)
    const guard = guardOn(SqliteGuardStore.open(':memory:'), new MemoryFactsStore())
    expect(await judged(guard, stream)).toEqual(expected)
  })

  it('carry on across a restart on the same SQLite file', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qg-facts-')), 'qunguard.db')
    let store = SqliteGuardStore.open(file)
    let facts = SqliteFactsStore.open(file)
    const first = await judged(guardOn(store, facts), stream.slice(0, RESTART_AT))
    await store.close()
    await facts.close()
    store = SqliteGuardStore.open(file)
    facts = SqliteFactsStore.open(file)
    const second = await judged(guardOn(store, facts), stream.slice(RESTART_AT))
    expect([...first, ...second]).toEqual(expected)
    await store.close()
    await facts.close()
  })

  it('hold quiet hours from the rulebook’s rhythm, and count the room’s messages on', async () => {
    const rhythm = Array.from({ length: 24 }, (_, h) => (h >= 2 && h <= 5 ? 0 : 40))
    const quiet: LearnedPolicy = {
      ...policy,
      rooms: { r1: { rules: [rule('quiet-hours', 'anyone', { action: 'warn' })], actionRate: 0.6, rhythm } },
    }
    const facts = new MemoryFactsStore()
    const guard = new Guard({ store: SqliteGuardStore.open(':memory:'), config: parseConfig({}), learned: { policy: quiet, facts } })
    const night = message({ id: 'night', sender: 'wxid_x', text: '在吗', ts: '2026-03-02T03:00:00+00:00' })
    const day = message({ id: 'day', sender: 'wxid_x', text: '在吗', ts: '2026-03-02T10:00:00+00:00' })
    expect(await judged(guard, [account('wxid_bot'), roomSnapshot({ room: 'r1' }), night, day])).toEqual([
      ['night', 'learned:quiet-hours:anyone'],
    ])
    expect((await facts.getRhythm('r1'))?.reduce((a, b) => a + b, 0)).toBe(20 * 40 + 2)
  })

  it('tell a pasted text from the member’s own record, and look campaigns up only where a campaign rule could meet the message, among the copies of members it is about', async () => {
    const facts = new MemoryFactsStore()
    let finds = 0
    let adds = 0
    const find = facts.findSightings.bind(facts)
    const add = facts.addSighting.bind(facts)
    facts.findSightings = (...a) => {
      finds++
      return find(...a)
    }
    facts.addSighting = (...a) => {
      adds++
      return add(...a)
    }
    const paste = '今晚八点开黑的来，缺一个辅助，快快快'
    const pasted = [0, 5, 10].map((sec, i) => message({ id: `p${i}`, sender: 'wxid_p', text: paste, ts: s(1000 + sec) }))
    const events: GroupEvent[] = [account('wxid_bot'), roomSnapshot({ room: 'r1' }), roomSnapshot({ room: 'r2', topic: '二群' }), ...pasted]
    // Floods of 3 in 30 s, long texts counted only when pasted again: the third paste.
    const floods: LearnedPolicy = {
      ...policy,
      rooms: { r1: { rules: [rule('flood', 'anyone', { threshold: 3, windowS: 30, textChars: 20 })], actionRate: 0.6 } },
    }
    const runner = new PolicyRunner(floods)
    expect(events.flatMap((e) => runner.observe(e).map((d) => d.event))).toEqual(['p2'])
    const guard = new Guard({ store: SqliteGuardStore.open(':memory:'), config: parseConfig({}), learned: { policy: floods, facts } })
    expect(await judged(guard, events)).toEqual([['p2', 'learned:flood:anyone']])
    // No rule reads campaigns: nothing looked up, nothing written but the member's own record.
    expect([finds, adds]).toEqual([0, 0])
    expect((await facts.getActivity('r1', 'wxid_p'))?.texts?.map((t) => t.id)).toEqual(['p0', 'p1', 'p2'])

    // A campaign rule for newcomers counts newcomers' copies: a settled member's text is neither
    // looked up nor written; a newcomer's in a room with no rules is written, not looked up; a
    // newcomer's copy in the rule's room is looked up, and finds it.
    const campaigns: LearnedPolicy = {
      ...policy,
      rooms: { r2: { rules: [rule('cross-room', 'newcomer')], actionRate: 0.6 } },
    }
    const counted = () => {
      const f = new MemoryFactsStore()
      const n = { finds: 0, adds: 0 }
      f.findSightings = (...a) => {
        n.finds++
        return MemoryFactsStore.prototype.findSightings.apply(f, a)
      }
      f.addSighting = (...a) => {
        n.adds++
        return MemoryFactsStore.prototype.addSighting.apply(f, a)
      }
      return { facts: f, n }
    }
    const copy = '本店新品到货，欢迎选购，电话联系'
    const start: GroupEvent[] = [account('wxid_bot'), roomSnapshot({ room: 'r1' }), roomSnapshot({ room: 'r2', topic: '二群' })]
    const settledFirst: GroupEvent[] = [
      ...start,
      message({ id: 'old-r1', sender: 'wxid_a', text: copy, ts: s(0) }),
      join({ room: 'r2', members: ['wxid_n'], ts: s(20) }),
      message({ id: 'new-r2', room: 'r2', sender: 'wxid_n', text: copy, ts: s(30) }),
    ]
    const newcomersBoth: GroupEvent[] = [
      ...start,
      message({ id: 'old-r1', sender: 'wxid_a', text: copy, ts: s(0) }),
      join({ room: 'r1', members: ['wxid_m'], ts: s(2) }),
      message({ id: 'new-r1', sender: 'wxid_m', text: copy, ts: s(5) }),
      message({ id: 'old-r2', room: 'r2', sender: 'wxid_b', text: '大家好，今天天气不错啊朋友们', ts: s(10) }),
      join({ room: 'r2', members: ['wxid_n'], ts: s(20) }),
      message({ id: 'new-r2', room: 'r2', sender: 'wxid_n', text: copy, ts: s(30) }),
    ]
    for (const [events, caught, finds, adds] of [
      [settledFirst, [], 1, 1],
      [newcomersBoth, ['new-r2'], 1, 2],
    ] as const) {
      const runner2 = new PolicyRunner(campaigns)
      expect(events.flatMap((e) => runner2.observe(e).map((d) => d.event))).toEqual(caught)
      const { facts: facts2, n } = counted()
      const guard2 = new Guard({
        store: SqliteGuardStore.open(':memory:'),
        config: parseConfig({}),
        learned: { policy: campaigns, facts: facts2 },
      })
      expect(await judged(guard2, events)).toEqual(caught.map((id) => [id, 'learned:cross-room:newcomer']))
      expect([n.finds, n.adds]).toEqual([finds, adds])
    }
  })

  it('do not count a redelivered message as its own repeat', async () => {
    const repeats: LearnedPolicy = { ...policy, rooms: { r1: { rules: [rule('repeat', 'anyone')], actionRate: 0.6 } } }
    const runner = new StoredPolicyRunner(repeats, new MemoryFactsStore())
    const m = message({ id: 'once', sender: 'wxid_p', text: '今晚八点开黑的来，缺一个辅助', ts: s(0) })
    expect(await runner.match(m, { staff: false })).toBeUndefined()
    expect(await runner.match(m, { staff: false })).toBeUndefined()
    const again = message({ id: 'twice', sender: 'wxid_p', text: '今晚八点开黑的来，缺一个辅助！', ts: s(60) })
    expect((await runner.match(again, { staff: false }))?.rule.id).toBe('learned:repeat:anyone')
  })
})
