import { describe, expect, it } from 'vitest'
import { redact, redactingReplacer } from '../../functions/domain/redact.ts'

describe('redact', () => {
  it('masks mobile numbers and resident ID numbers, and leaves other numbers', () => {
    expect(redact('加我 13812345678 详聊')).toBe('加我 138****5678 详聊')
    expect(redact('身份证 11010519491231002X')).toBe('身份证 1101************2X')
    expect(redact('订单号 12345 金额 300')).toBe('订单号 12345 金额 300')
  })

  it('masks numbers written in full-width digits or split by zero-width spaces', () => {
    expect(redact('加我 １３８１２３４５６７８')).toBe('加我 138****5678')
    expect(redact('身份证 110105\u200b19491231\u200b002X')).toBe('身份证 1101************2X')
  })

  it('redacts nested strings through the JSON replacer', () => {
    expect(JSON.stringify({ a: { b: ['13812345678'] } }, redactingReplacer)).toBe('{"a":{"b":["138****5678"]}}')
  })
})
