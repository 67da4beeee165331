import { describe, expect, it } from 'vitest'
import { findPii, isResidentId, luhn, piiKinds, redactPii } from '../../functions/domain/vision/pii.ts'
import { classifyQr } from '../../functions/domain/vision/qr-payload.ts'

describe('classifyQr', () => {
  it('tells WeChat groups, cards, official accounts and payment codes from other addresses', () => {
    expect(classifyQr('https://weixin.qq.com/g/AbC_123')).toMatchObject({ kind: 'wechat-group', domain: 'weixin.qq.com' })
    expect(classifyQr('https://u.wechat.com/MAbc')).toMatchObject({ kind: 'wechat-contact' })
    expect(classifyQr('http://weixin.qq.com/r/xyz')).toMatchObject({ kind: 'wechat-official' })
    expect(classifyQr('wxp://f2f07fi2zgzkt')).toMatchObject({ kind: 'wechat-pay' })
    expect(classifyQr('https://qr.alipay.com/tsx16164')).toMatchObject({ kind: 'alipay', domain: 'qr.alipay.com' })
    expect(classifyQr('https://Shop.Example.com/a?b=1')).toMatchObject({ kind: 'url', domain: 'shop.example.com' })
    expect(classifyQr('just some text')).toEqual({ text: 'just some text', kind: 'text' })
  })
})

describe('personal numbers', () => {
  it('checks resident ID numbers (check digit, birth date) and card numbers (Luhn)', () => {
    expect(isResidentId('513701199507176346')).toBe(true)
    expect(isResidentId('513701199507176345')).toBe(false) // wrong check digit
    expect(isResidentId('513701199502306341')).toBe(false) // 30 February
    expect(isResidentId('11010519491231002X')).toBe(true)
    expect(luhn('6222021234567890128')).toBe(true)
    expect(luhn('6222021234567890123')).toBe(false)
    expect(luhn('4111111111111111')).toBe(true)
  })

  it('finds ID, card, mobile and plate numbers in running text, grouped or glued', () => {
    const text = '身份证513701199507176346，卡号 4111 1111 1111 1111，电话13812345678，车牌皖A·195K9，订单号 20260301123456'
    expect(findPii(text).map((m) => [m.kind, text.slice(m.start, m.end)])).toEqual([
      ['id-card', '513701199507176346'],
      ['bank-card', '4111 1111 1111 1111'],
      ['phone', '13812345678'],
      ['plate', '皖A·195K9'],
    ])
    expect(piiKinds('加我 vx13812345678')).toEqual(['phone'])
    expect(piiKinds('今天 3 点开会，房间 1203')).toEqual([])
  })

  it('masks every personal number and never leaves one readable', () => {
    const red = redactPii('身份证 513701199507176346 电话 13812345678 车牌 粤B12345')
    expect(red).not.toMatch(/513701199507176346|13812345678|粤B12345/)
    expect(red).toBe('身份证 5137************46 电话 138****5678 车牌 粤B*****')
    expect(redactPii('没有号码')).toBe('没有号码')
  })
})
