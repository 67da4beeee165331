import { afterEach, describe, expect, it } from 'vitest'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { MemoryApprovalStore } from '../../functions/adapters/memory/memory-approval-store.ts'
import { MemoryFactsStore } from '../../functions/adapters/memory/memory-facts-store.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import type { GroupEvent } from '../../functions/domain/events.ts'
import { parseReport } from '../../functions/domain/reports.ts'
import { GuardSession } from '../../functions/domain/session.ts'
import { account, at, message, roomSnapshot } from '../helpers/factories.ts'

describe('parseReport', () => {
  it('reads 举报 with an @-mention, or under a quote (the quoted member by name); not a long message that mentions it', () => {
    expect(parseReport(message({ sender: 'wxid_a', text: '@小王 举报', mentions: ['wxid_w'] }))).toEqual({ ids: ['wxid_w'], names: [] })
    expect(parseReport(message({ text: '「小王：加微信 领红包」\n- - - - - - - - - - - - - - -\n举报' }))).toEqual({
      ids: [],
      names: ['小王'],
      quoted: '加微信 领红包',
    })
    expect(parseReport(message({ text: '举报' }))).toBeUndefined() // nobody named
    expect(
      parseReport(message({ text: '@小王 你上次说的那个举报电话是多少来着，我想打过去问问情况', mentions: ['wxid_w'] })),
    ).toBeUndefined()
    expect(parseReport(message({ sender: 'wxid_w', text: '@小王 举报', mentions: ['wxid_w'] }))).toBeUndefined() // oneself
  })
})

describe('member reports in the guard', () => {
  const stores: SqliteGuardStore[] = []
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close()
  })

  function setup(reports: Record<string, unknown> = {}) {
    const store = SqliteGuardStore.open(':memory:')
    stores.push(store)
    const config = parseConfig({ groups: { '*': { reports, blacklist: { action: 'off' } } } })
    const s = new GuardSession({ store, supervision: new MemoryApprovalStore(), config, facts: new MemoryFactsStore() })
    let minute = 0
    const run = async (e: GroupEvent) => s.handle(e, { at: new Date(Date.parse(at(++minute))) })
    const report = async (sender: string, o: { text?: string; mentions?: string[] } = {}) => {
      const out = await run(message({ sender, text: o.text ?? '@推广王 举报', mentions: o.mentions ?? ['wxid_bad'], ts: at(minute) }))
      return {
        lines: out.decisions.map((d) => `${d.decision.target} ${d.decision.rule} ${d.decision.action} ${d.decision.mode}`),
        told: out.effects.flatMap((e) => (e.kind === 'say' ? [`${e.to}: ${e.text}`] : [])),
      }
    }
    return { run, report }
  }
  const members = ['wxid_owner', 'wxid_admin', 'wxid_bad', 'wxid_a', 'wxid_b', 'wxid_c', 'wxid_d']
  const snapshot = roomSnapshot({ topic: '宝妈群', members, names: { wxid_bad: '推广王' } })

  it('asks the owner once when three members have reported the same member, telling nobody who reported', async () => {
    const t = setup()
    for (const e of [account(), snapshot]) await t.run(e)
    expect((await t.report('wxid_a')).lines).toEqual([])
    expect((await t.report('wxid_a')).lines).toEqual([]) // the same reporter again counts once
    expect((await t.report('wxid_b')).lines).toEqual([])
    const third = await t.report('wxid_c')
    expect(third.lines).toEqual(['wxid_bad report ask-owner shadow'])
    expect(third.told).toEqual([
      expect.stringMatching(/^wxid_owner: \[qunguard\] 审批 #1\n群：宝妈群\n成员：推广王\n事件：被 3 位成员举报\n/),
    ])
    expect(third.told[0]).not.toMatch(/wxid_a|wxid_b|wxid_c/)
    expect((await t.report('wxid_d')).lines).toEqual([]) // asked already
  })

  it('weighs trusted reporters and staff more, reads a quoted report, and never acts on staff', async () => {
    const t = setup({ trusted: ['wxid_a'], threshold: 3 })
    for (const e of [account(), snapshot]) await t.run(e)
    expect((await t.report('wxid_a')).lines).toEqual([]) // weighs 2
    const quoted = await t.report('wxid_b', { text: '「推广王：加微信领红包」\n- - - - - - -\n举报', mentions: [] })
    expect(quoted.lines).toEqual(['wxid_bad report ask-owner shadow'])
    expect(quoted.told[0]).toContain('事件：被 2 位成员举报，被举报的内容：「加微信领红包」')
    expect((await t.report('wxid_a', { mentions: ['wxid_admin'] })).lines).toEqual([])
    expect((await t.report('wxid_b', { mentions: ['wxid_admin'] })).lines).toEqual([])
    expect((await t.report('wxid_c', { mentions: ['wxid_admin'] })).lines).toEqual([])
  })

  it('does nothing where reports are off', async () => {
    const t = setup({ enabled: false })
    for (const e of [account(), snapshot]) await t.run(e)
    for (const who of ['wxid_a', 'wxid_b', 'wxid_c']) expect((await t.report(who)).lines).toEqual([])
  })
})
