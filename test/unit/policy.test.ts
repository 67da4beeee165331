import { describe, expect, it } from 'vitest'
import { parseConfig, resolveRoomConfig } from '../../functions/domain/config.ts'
import { CompiledRules, decide, findViolation, isProtected, ownerAlertText, warningText } from '../../functions/domain/policy.ts'
import { at, message } from '../helpers/factories.ts'

const roomWith = (settings: Record<string, unknown>) => {
  const cfg = resolveRoomConfig(parseConfig({ groups: { '*': settings } }), 'r1')
  return { cfg, rules: new CompiledRules(cfg.rules) }
}
const staff = { bots: ['wxid_bot'], owner: 'wxid_owner', admins: ['wxid_admin'] }
const ads = { rules: [{ id: 'no-ads', any: ['加微信', '代购'], exclude: ['团购接龙'] }] }

describe('findViolation', () => {
  it('finds a keyword despite spaces between the characters', () => {
    const { cfg, rules } = roomWith(ads)
    expect(findViolation(message({ text: '请 加 微 信 领红包' }), cfg, rules, staff)?.rule.id).toBe('no-ads')
  })

  it('leaves a message with an exclude word alone', () => {
    const { cfg, rules } = roomWith(ads)
    expect(findViolation(message({ text: '团购接龙，加微信的请私聊' }), cfg, rules, staff)).toBeUndefined()
  })

  it('never acts on the owner, an admin, the bot or a whitelisted member', () => {
    const { cfg, rules } = roomWith({ ...ads, whitelist: ['wxid_friend'], admins: ['wxid_cfgadmin'] })
    for (const sender of ['wxid_owner', 'wxid_admin', 'wxid_bot', 'wxid_friend', 'wxid_cfgadmin']) {
      expect(findViolation(message({ sender, text: '加微信' }), cfg, rules, staff)).toBeUndefined()
      expect(isProtected(sender, cfg, staff)).toBe(true)
    }
  })

  it('looks at text-bearing types only, unless a rule names its types', () => {
    const { cfg, rules } = roomWith({
      rules: [
        { id: 'ads', any: ['代购'] },
        { id: 'links', types: ['link'] },
      ],
    })
    expect(findViolation(message({ type: 'image', text: '代购' }), cfg, rules, staff)).toBeUndefined()
    expect(findViolation(message({ type: 'link', text: '周末活动', url: 'https://example.com' }), cfg, rules, staff)?.rule.id).toBe('links')
  })

  it('applies a newcomer rule only within its hours of the join', () => {
    const { cfg, rules } = roomWith({ rules: [{ id: 'new-links', types: ['link'], newcomerHours: 24 }] })
    const joinedAt = at(0)
    expect(findViolation(message({ type: 'link', ts: at(60) }), cfg, rules, { ...staff, joinedAt })?.rule.id).toBe('new-links')
    expect(findViolation(message({ type: 'link', ts: at(25 * 60) }), cfg, rules, { ...staff, joinedAt })).toBeUndefined()
    expect(findViolation(message({ type: 'link', ts: at(60) }), cfg, rules, staff)).toBeUndefined()
  })

  it('does nothing in a room whose mode is off', () => {
    const { cfg, rules } = roomWith({ ...ads, mode: 'off' })
    expect(findViolation(message({ text: '加微信' }), cfg, rules, staff)).toBeUndefined()
  })
})

describe('decide', () => {
  const msg = message({ text: '加微信', senderName: '小王' })
  const violation = (cfg: ReturnType<typeof roomWith>['cfg']) => ({ rule: cfg.rules[0]!, keywords: ['加微信'] })

  it('climbs the ladder warn, warn, remove and stays at its top', () => {
    const { cfg } = roomWith(ads)
    expect([0, 1, 2, 5].map((prior) => decide(msg, violation(cfg), cfg, prior).decisions[0]?.action)).toEqual([
      'warn',
      'warn',
      'remove',
      'remove',
    ])
  })

  it('alerts the owner instead of warning in quiet mode, saying what it would have done', () => {
    const { cfg } = roomWith({ ...ads, quiet: true })
    const v = decide(msg, violation(cfg), cfg, 0)
    expect(v.decisions[0]).toMatchObject({ action: 'alert-owner', mode: 'active' })
    expect(v.intended).toBe('warn')
    expect(ownerAlertText(msg, '亲子群', v.decisions[0]!, v.intended)).toContain('小王')
  })

  it('writes shadow decisions in shadow mode', () => {
    const { cfg } = roomWith({ ...ads, mode: 'shadow' })
    expect(decide(msg, violation(cfg), cfg, 0).decisions[0]).toMatchObject({
      action: 'warn',
      mode: 'shadow',
      rule: 'no-ads',
      event: msg.id,
    })
  })

  it('uses a rule’s own action when it does not escalate', () => {
    const { cfg } = roomWith({ rules: [{ id: 'x', any: ['代购'], action: 'recall' }] })
    expect(decide(msg, violation(cfg), cfg, 0).decisions[0]?.action).toBe('recall')
  })

  it('tells the member how many chances are left, from the numbers the ladder uses', () => {
    const { cfg } = roomWith(ads)
    const [first, second, third] = [0, 1, 2].map((prior) => decide(msg, violation(cfg), cfg, prior).position)
    expect(warningText(cfg.rules[0]!, first!)).toContain('这是第 1 次提醒，再违规 2 次将被移出群聊')
    expect(warningText(cfg.rules[0]!, second!)).toContain('这是第 2 次提醒，再违规 1 次将被移出群聊')
    expect(third).toMatchObject({ step: 'remove', untilRemoval: undefined })
  })

  it('gives its reason in Chinese and mentions quiet mode only when quiet mode was applied', () => {
    const loud = roomWith(ads).cfg
    const reason = decide(msg, violation(loud), loud, 0).decisions[0]?.reason ?? ''
    expect(reason).toBe('发送了「加微信」，违反规则「关键词规则 no-ads」；30 天内第 1 次（第 3 次移出群聊） → 警告')
    // A learned rule in shadow asks the owner; with quiet off there is no quiet-mode note.
    const learned = decide(msg, { ...violation(loud), learned: true, mode: 'shadow' }, loud, 0).decisions[0]
    expect(learned?.action).toBe('ask-owner')
    expect(learned?.reason).not.toContain('安静模式')
    expect(learned?.reason).not.toContain('quiet')
    const quiet = roomWith({ ...ads, quiet: true }).cfg
    expect(decide(msg, violation(quiet), quiet, 0).decisions[0]?.reason).toContain('安静模式')
  })
})
