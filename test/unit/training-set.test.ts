import { describe, expect, it } from 'vitest'
import type { Decision } from '../../functions/domain/events.ts'
import { CLASSIFIER_RULE_ID } from '../../functions/domain/policy.ts'
import { buildTrainingSet, modelTokens } from '../../functions/domain/training-set.ts'
import { message } from '../helpers/factories.ts'

const decision = (event: string, o: Partial<Decision> = {}): Decision => ({
  event,
  room: 'r1',
  target: 'wxid_member',
  action: 'warn',
  mode: 'active',
  rule: 'no-ads',
  score: 1,
  reason: '',
  ...o,
})

describe('modelTokens', () => {
  it('gives CJK characters with their bigrams, Latin words, and digit runs by length', () => {
    expect(modelTokens('加ＶＸ：abc123 电话13800138000')).toBe('加 vx abc #3 电 话 电话 #11')
  })
})

describe('buildTrainingSet', () => {
  it('labels what active keyword rules acted on as spam and unflagged chat as ham', () => {
    const ad = message({ text: '加微信领红包' })
    const chat = message({ text: '周六几点集合' })
    const shadow = message({ text: '可能是广告' })
    const byClassifier = message({ text: '分类器说是广告' })
    const staff = message({ text: '请大家遵守群规', sender: 'wxid_owner' })
    const rejected = message({ text: '被否决的提议' })
    const set = buildTrainingSet({
      messages: [ad, chat, shadow, byClassifier, staff, rejected, message({ type: 'image' })],
      decisions: [
        decision(ad.id),
        decision(shadow.id, { mode: 'shadow' }),
        decision(byClassifier.id, { rule: CLASSIFIER_RULE_ID }),
        decision(rejected.id, { mode: 'shadow' }),
      ],
      rejected: new Set([rejected.id]),
      staff: new Set(['wxid_owner']),
    })
    expect(set.spam).toBe(1)
    expect(set.ham).toBe(2)
    expect([...set.lines].sort()).toEqual(
      [
        `__label__spam ${modelTokens(ad.text ?? '')}`,
        `__label__ham ${modelTokens(chat.text ?? '')}`,
        `__label__ham ${modelTokens(rejected.text ?? '')}`,
      ].sort(),
    )
    // Each example names its group, so that the in-process model learns that group's layer
    // from the owner's answers there (a rejected proposal is that group's ham).
    expect(set.examples.find((e) => e.text === rejected.text)).toEqual({ text: rejected.text, label: 'ham', group: rejected.room })
  })

  it('samples ham down to a few per spam line, the same way every run', () => {
    const messages = Array.from({ length: 50 }, (_, i) => message({ id: `h${i}`, text: `闲聊 ${i} 号` }))
    const ad = message({ text: '加微信' })
    const input = { messages: [...messages, ad], decisions: [decision(ad.id)], hamPerSpam: 3 }
    const a = buildTrainingSet(input)
    expect(a.ham).toBe(3)
    expect(buildTrainingSet(input).lines).toEqual(a.lines)
  })
})
