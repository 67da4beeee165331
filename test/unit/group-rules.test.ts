import { afterEach, describe, expect, it } from 'vitest'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { MemoryApprovalStore } from '../../functions/adapters/memory/memory-approval-store.ts'
import { MemoryFactsStore } from '../../functions/adapters/memory/memory-facts-store.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import type { GroupEvent } from '../../functions/domain/events.ts'
import { announcedRules, isRulesRequest } from '../../functions/domain/group-rules.ts'
import type { LearnedPolicy } from '../../functions/domain/learning/rule-learner.ts'
import { GuardSession } from '../../functions/domain/session.ts'
import { account, at, join, message, roomSnapshot } from '../helpers/factories.ts'

const stores: SqliteGuardStore[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
})

const evidence = { matched: 10, labelled: 8, rate: 0.8, precision: 1, announced: false }
/** A rulebook with one rule acting alone and one on trial in r1. */
const policy: LearnedPolicy = {
  version: 1,
  createdAt: at(0),
  rooms: {
    r1: {
      rules: [
        {
          id: 'learned:link:joined@24h',
          room: 'r1',
          what: 'link',
          who: 'joined',
          tenureH: 24,
          action: 'remove',
          mode: 'active',
          evidence,
          sentence: '入群不满 1 天的成员发链接 → 移出群聊（历史：命中 10 次）',
        },
        {
          id: 'learned:card:anyone',
          room: 'r1',
          what: 'card',
          who: 'anyone',
          action: 'warn',
          mode: 'shadow',
          evidence,
          sentence: '成员推送名片 → 警告（历史：命中 10 次）',
        },
      ],
      actionRate: 0.8,
      actionRateEstimated: true,
      ownerActions: 8,
    },
  },
  stats: { events: 0, messages: 0, labelled: 0 },
}

function session(groups: Record<string, unknown>) {
  const store = SqliteGuardStore.open(':memory:')
  stores.push(store)
  const config = parseConfig({
    groups: {
      '*': {
        rules: [
          { id: 'no-ads', any: ['加微信', '代购'] },
          { id: 'trial', any: ['兼职'], mode: 'shadow' },
        ],
        ...groups,
      },
    },
  })
  const s = new GuardSession({ store, supervision: new MemoryApprovalStore(), config, policy, facts: new MemoryFactsStore() })
  return async (e: GroupEvent, minute = 0) => s.handle(e, { at: new Date(Date.parse(at(minute))) })
}

const said = (out: Awaited<ReturnType<ReturnType<typeof session>>>) =>
  out.decisions.map((d) => `${d.decision.rule} ${d.decision.action} ${d.decision.mode}\n${d.request?.text ?? ''}`)

const RULES = [
  '「宝妈群」群规：',
  '1. 不要发「加微信」「代购」等内容（第 1 次警告，第 2 次警告，第 3 次移出群聊）',
  '2. 入群不满 1 天的成员发链接 → 移出群聊',
  '3. 在群主的其他群因违规被移出的成员，在本群同样会被移出',
].join('\n')

describe('the group’s rules for its members', () => {
  it('welcomes members who join, by name, with the rules enforced there (not those on trial) — opt-in', async () => {
    const run = session({ welcome: { enabled: true } })
    for (const e of [account(), roomSnapshot({ room: 'r1', topic: '宝妈群' })]) await run(e)
    const out = await run(join({ room: 'r1', members: ['wxid_a', 'wxid_b'], names: { wxid_a: '小花', wxid_b: '大熊' } }))
    expect(said(out)).toEqual([`welcome reply active\n@小花 @大熊 欢迎加入「宝妈群」！\n${RULES}\n请大家共同遵守，谢谢！`])
    // Nothing for the owner to approve, nothing in the rules' records.
    expect(out.effects).toEqual([])
    const off = session({})
    for (const e of [account(), roomSnapshot({ room: 'r1', topic: '宝妈群' })]) await off(e)
    expect(said(await off(join({ room: 'r1', members: ['wxid_c'] })))).toEqual([])
  })

  it('answers 群规 in the group, unless switched off or the group is in shadow mode; a custom greeting leads the welcome', async () => {
    const run = session({ welcome: { enabled: true, text: '进群请先改备注～' } })
    for (const e of [account(), roomSnapshot({ room: 'r1', topic: '宝妈群' })]) await run(e)
    expect(
      said(await run(message({ room: 'r1', sender: 'wxid_member', text: ' 群规？' }))).map((t) => t.split('\n').slice(1).join('\n')),
    ).toEqual([RULES])
    expect(said(await run(join({ room: 'r1', members: ['wxid_d'], names: { wxid_d: '小D' } })))[0]).toMatch(
      /^welcome reply active\n@小D 进群请先改备注～\n「宝妈群」群规：/,
    )
    expect(said(await run(message({ room: 'r1', text: '群规在哪里看' })))).toEqual([])
    const quiet = session({ rulesOnRequest: false })
    for (const e of [account(), roomSnapshot({ room: 'r1', topic: '宝妈群' })]) await quiet(e)
    expect(said(await quiet(message({ room: 'r1', text: '群规' })))).toEqual([])
    const shadow = session({ mode: 'shadow' })
    for (const e of [account(), roomSnapshot({ room: 'r1', topic: '宝妈群' })]) await shadow(e)
    expect(said(await shadow(message({ room: 'r1', text: '群规' })))).toEqual([])
  })

  it('quotes the rules the group announcement writes first, in its own words, as last set', async () => {
    const run = session({})
    for (const e of [account(), roomSnapshot({ room: 'r1', topic: '宝妈群' })]) await run(e)
    const announce = (text: string, minute: number) =>
      run({ kind: 'announcement', id: `a${minute}`, ts: at(minute), room: 'r1', sender: 'wxid_owner', text })
    await announce('欢迎大家！\n1. 禁止发广告\n2. 不要刷屏', 1)
    await announce('入群须知：①禁止分享外部链接 ②二维码一律不许发；③进群请改备注。违者移出群聊', 2)
    const lines = said(await run(message({ room: 'r1', text: '群规', ts: at(3) })))[0]?.split('\n') ?? []
    expect(lines.slice(1, 6)).toEqual([
      '「宝妈群」群规：',
      '1. 禁止分享外部链接',
      '2. 二维码一律不许发',
      '3. 违者移出群聊',
      '4. 不要发「加微信」「代购」等内容（第 1 次警告，第 2 次警告，第 3 次移出群聊）',
    ])
  })

  it('reads an announcement’s rules whatever its numbering, and leaves greetings out', () => {
    expect(
      announcedRules('群规：1、发广告者一律踢出；2、不要发砍价、助力小程序；3、除群主外不许@所有人。违规者警告一次，再犯移出。'),
    ).toEqual(['发广告者一律踢出', '不要发砍价、助力小程序', '除群主外不许@所有人', '违规者警告一次，再犯移出'])
    expect(announcedRules('- 请文明交流；- 新成员入群未满两天，禁止发网页链接和名片；- 严禁发送二维码图片')).toEqual([
      '新成员入群未满两天，禁止发网页链接和名片',
      '严禁发送二维码图片',
    ])
    expect(announcedRules('（1）不许刷屏\n（2）勿发红包')).toEqual(['不许刷屏', '勿发红包'])
    expect(announcedRules('欢迎新朋友，大家多交流')).toEqual([])
    expect(announcedRules(undefined)).toEqual([])
  })

  it('knows a request for the rules when it sees one', () => {
    for (const t of ['群规', '群规？', '群规则', '本群规则', ' 群规! ']) expect(isRulesRequest(t)).toBe(true)
    for (const t of ['群规是什么', '看群规', '', undefined]) expect(isRulesRequest(t)).toBe(false)
  })
})
