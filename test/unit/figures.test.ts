import { describe, expect, it } from 'vitest'
import { formatBacktest } from '../../bin/commands/backtest.ts'
import { formatRules } from '../../bin/commands/learn.ts'
import type { GroupEvent } from '../../functions/domain/events.ts'
import { backtest } from '../../functions/domain/learning/backtest.ts'
import { FIGURES_LEGEND, ruleFigures } from '../../functions/domain/learning/figures.ts'
import { learnPolicy } from '../../functions/domain/learning/rule-learner.ts'
import { account, at, message, roomSnapshot } from '../helpers/factories.ts'

/** Newcomers post links and the owner removes them; old members' links are left alone. */
function history(o: { ownerActs: boolean }): GroupEvent[] {
  const events: GroupEvent[] = [account('wxid_bot'), roomSnapshot({ owner: 'wxid_bot', admins: [], topic: '周末亲子活动群' })]
  let t = 0
  for (let i = 0; i < 12; i++) {
    const m = `wxid_new${i}`
    events.push({ kind: 'join', id: `j${i}`, ts: at(t), room: 'r1', members: [m], via: 'qrcode', names: { [m]: `新人${i}` } })
    events.push(
      message({ id: `spam${i}`, sender: m, senderName: `新人${i}`, type: 'link', text: '领红包', url: 'https://t.cn/a', ts: at(t + 5) }),
    )
    // The owner removes most of them (not all: owners let some pass).
    if (o.ownerActs && i % 4 !== 3)
      events.push({ kind: 'leave', id: `l${i}`, ts: at(t + 15), room: 'r1', members: [m], remover: 'wxid_bot' })
    for (let k = 0; k < 10; k++)
      events.push(message({ sender: `wxid_old${k % 4}`, senderName: `老成员${k % 4}`, text: `聊天 ${k}`, ts: at(t + 30 + k) }))
    t += 600
  }
  return events
}

describe('figures', () => {
  it('reads 无法估计, never 0%, when the owner acted on nothing', () => {
    const f = ruleFigures({ matched: 41, handled: 0, ownerActions: 0, actionRate: 0.6 })
    expect(f).toMatchObject({ matched: 41, handledShare: undefined, accuracy: undefined, estimatedMistakes: undefined })
  })

  it('estimates accuracy as the handled share over the owner’s action rate, at most 100%', () => {
    expect(ruleFigures({ matched: 41, handled: 25, ownerActions: 60, actionRate: 0.55 })).toMatchObject({ accuracy: 1, notHandled: 16 })
    expect(ruleFigures({ matched: 10, handled: 3, ownerActions: 60, actionRate: 0.6 })).toMatchObject({
      accuracy: 0.5,
      estimatedMistakes: 5,
    })
  })

  it('gives rules and backtest on the same history the same figures, in Chinese, with the legend', () => {
    const events = history({ ownerActs: true })
    const policy = learnPolicy(events)
    const rules = formatRules(policy)
    const report = formatBacktest(backtest(events, policy))
    const figure = /命中 (\d+) 次，群主处理 (\d+) 次（处理率 (\d+%)），估计准确率 (\d+%)/
    const fromRules = figure.exec(rules.split('\n').find((l) => l.includes('发链接')) ?? '')
    const fromBacktest = figure.exec(report.split('\n').find((l) => l.includes('发链接')) ?? '')
    expect(fromRules?.slice(1)).toEqual(fromBacktest?.slice(1))
    expect(fromRules?.slice(1)).toEqual(['12', '9', '75%', expect.stringMatching(/%$/)])
    for (const text of [rules, report]) {
      expect(text).toContain('群「周末亲子活动群」')
      expect(text).toContain(FIGURES_LEGEND[1])
      expect(text).not.toMatch(/owner|agreed|false positive|r1\b/)
    }
  })

  it('says a history without owner actions cannot be estimated, in rules and in backtest', () => {
    const learnedOn = learnPolicy(history({ ownerActs: true }))
    const quiet = history({ ownerActs: false })
    const report = formatBacktest(backtest(quiet, learnedOn))
    expect(report).toContain('历史中群主没有处理过任何消息')
    expect(report).toMatch(/处理率 无法估计）.*估计准确率 无法估计/)
    expect(report).not.toMatch(/ 0%/)
    const rules = formatRules(learnPolicy(quiet))
    expect(rules).toContain('历史中群主没有处理过任何消息')
    expect(rules).not.toMatch(/ 0%|~\d+%/)
  })
})
