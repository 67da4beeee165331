import { describe, expect, it } from 'vitest'
import {
  applyOwnerCommand,
  effectiveMode,
  newRule,
  recordAnswer,
  recordFired,
  type SupervisedRule,
} from '../../functions/domain/supervision/lifecycle.ts'
import { parseOwnerCommand } from '../../functions/domain/supervision/owner-commands.ts'
import { wilsonLowerBound, wilsonUpperBound } from '../../functions/domain/wilson.ts'

const at = '2026-03-01T12:00:00.000Z'

/** Fires the rule once and records the owner's answer. */
function answer(rule: SupervisedRule, id: number, outcome: 'approved' | 'rejected') {
  return recordAnswer(recordFired(rule, id), id, outcome, at)
}

describe('wilsonLowerBound', () => {
  it('matches the Wilson score interval', () => {
    expect(wilsonLowerBound(5, 5, 0.9)).toBeCloseTo(0.649, 3)
    expect(wilsonLowerBound(5, 6, 0.9)).toBeCloseTo(0.498, 3)
    expect(wilsonLowerBound(8, 9, 0.9)).toBeCloseTo(0.623, 3)
    expect(wilsonLowerBound(50, 100, 0.95)).toBeCloseTo(0.404, 3)
    expect(wilsonLowerBound(0, 0)).toBe(0)
    expect(wilsonUpperBound(0, 6, 0.9)).toBeCloseTo(0.311, 3)
    expect(wilsonUpperBound(0, 0)).toBe(1)
  })
})

describe('rule lifecycle', () => {
  it('promotes a shadow rule on its fifth approval in a row, and no earlier', () => {
    let rule = newRule('r1', 'no-ads', 'shadow')
    for (let i = 1; i <= 4; i++) {
      const r = answer(rule, i, 'approved')
      expect(r.change).toBeUndefined()
      rule = r.rule
    }
    const fifth = answer(rule, 5, 'approved')
    expect(fifth.change).toMatchObject({ from: 'shadow', to: 'active', by: 'record' })
    expect(fifth.rule).toMatchObject({ state: 'active', fired: 5, approved: 5 })
  })

  it('needs more approvals after a rejection (eight against one at the defaults)', () => {
    let rule = answer(newRule('r1', 'no-ads', 'shadow'), 1, 'rejected').rule
    for (let i = 2; i <= 8; i++) rule = answer(rule, i, 'approved').rule
    expect(rule.state).toBe('shadow') // 7 of 8: lower bound 0.589
    const r = answer(rule, 9, 'approved')
    expect(r.rule.state).toBe('active') // 8 of 9: 0.623
  })

  it('demotes an active rule after two rejections among its last ten decisions', () => {
    let rule = newRule('r1', 'qr', 'active')
    rule = answer(rule, 1, 'rejected').rule
    for (let i = 2; i <= 11; i++) rule = recordFired(rule, i) // ten more decisions: the rejection falls out of the window
    const late = recordAnswer(recordFired(rule, 12), 12, 'rejected', at)
    expect(late.rule.state).toBe('active')
    const again = recordAnswer(recordFired(late.rule, 13), 13, 'rejected', at)
    expect(again.change).toMatchObject({ from: 'active', to: 'shadow' })
  })

  it('lets the owner pause, resume, promote and retire, and records the changes of state', () => {
    const rule = newRule('r1', 'qr', 'shadow')
    const paused = applyOwnerCommand(rule, 'pause', at).rule
    expect(effectiveMode(paused, 'shadow')).toBe('off')
    expect(effectiveMode(applyOwnerCommand(paused, 'resume', at).rule, 'shadow')).toBe('shadow')
    const promoted = applyOwnerCommand(rule, 'promote', at)
    expect(promoted.change).toMatchObject({ from: 'shadow', to: 'active', by: 'owner' })
    const retired = applyOwnerCommand(promoted.rule, 'retire', at).rule
    expect(effectiveMode(retired, 'active')).toBe('off')
    expect(retired.changes.map((c) => c.to)).toEqual(['active', 'retired'])
    expect(effectiveMode(undefined, 'active')).toBe('active')
  })
})

describe('parseOwnerCommand', () => {
  it('reads commands in Chinese and English, and nothing else', () => {
    expect(parseOwnerCommand('规则')).toEqual({ kind: 'list' })
    expect(parseOwnerCommand(' RULES ')).toEqual({ kind: 'list' })
    expect(parseOwnerCommand('暂停 R3')).toEqual({ kind: 'rule', command: 'pause', ref: 'R3' })
    expect(parseOwnerCommand('promote learned:qr:newcomer')).toEqual({ kind: 'rule', command: 'promote', ref: 'learned:qr:newcomer' })
    expect(parseOwnerCommand('停用　Ｒ２')).toEqual({ kind: 'rule', command: 'retire', ref: 'R2' })
    expect(parseOwnerCommand('安静 开 家长 群')).toEqual({ kind: 'quiet', on: true, group: '家长 群' })
    expect(parseOwnerCommand('quiet off')).toEqual({ kind: 'quiet', on: false, group: undefined })
    expect(parseOwnerCommand('日报')).toEqual({ kind: 'report' })
    for (const t of ['你好', '暂停一下', '安静点', '规则是什么', 'Y1']) expect(parseOwnerCommand(t)).toBeUndefined()
  })
})
