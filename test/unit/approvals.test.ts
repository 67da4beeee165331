import { describe, expect, it } from 'vitest'
import { answerReceiptText, approvalRequestText, describeMessage, parseAnswer } from '../../functions/domain/approvals.ts'
import type { Proposal } from '../../functions/domain/guard.ts'
import { message } from '../helpers/factories.ts'

describe('parseAnswer', () => {
  it.each([
    ['Y1', { verdict: 'approve', number: 1 }],
    ['y 12', { verdict: 'approve', number: 12 }],
    ['同意3', { verdict: 'approve', number: 3 }],
    ['同意 １２', { verdict: 'approve', number: 12 }],
    ['Ｙ７', { verdict: 'approve', number: 7 }],
    ['N2', { verdict: 'reject', number: 2 }],
    ['拒绝　４', { verdict: 'reject', number: 4 }],
    ['no #5', { verdict: 'reject', number: 5 }],
  ])('reads %s', (text, answer) => {
    expect(parseAnswer(text)).toEqual(answer)
  })

  it.each(['Y', 'Y0', 'yes please', '同意', 'Y1 and N2', '好的 1', ''])('ignores %j', (text) => {
    expect(parseAnswer(text)).toBeUndefined()
  })
})

describe('approvalRequestText', () => {
  const msg = message({ type: 'image', senderName: '推广员', sender: 'wxid_promo' })
  const proposal: Proposal = {
    message: msg,
    roomTopic: '亲子群',
    request: {
      decisionId: 4,
      decision: {
        event: msg.id,
        room: 'r1',
        target: 'wxid_promo',
        action: 'remove',
        mode: 'active',
        rule: 'qr',
        score: 0.9,
        reason: '新成员发二维码',
      },
      messageId: msg.id,
      text: '',
      ownerId: 'wxid_owner',
    },
  }

  it('names the number, group and member by name, content, reason, proposal and how to answer', () => {
    const text = approvalRequestText(7, proposal, 24, 'weixin.qq.com/g/abc')
    expect(text).toContain('审批 #7')
    expect(text).toContain('群：亲子群')
    expect(text).toContain('成员：推广员')
    expect(text).not.toContain('wxid_')
    expect(text).toContain('[图片: weixin.qq.com/g/abc]')
    expect(text).toContain('原因：新成员发二维码')
    expect(text).toContain('建议：移出群聊')
    expect(text).toContain('回复 Y7 执行，N7 不处理（24 小时内有效）')
  })

  it('describes messages without text by their type, and clips long text', () => {
    expect(describeMessage(message({ type: 'card' }))).toBe('[名片]')
    expect(describeMessage(message({ text: '长'.repeat(300) }))).toHaveLength(201)
  })

  it('tells the owner what happened to an answer', () => {
    expect(answerReceiptText({ verdict: 'approve', number: 3 }, 'approved')).toContain('已同意 #3')
    expect(answerReceiptText({ verdict: 'reject', number: 3 }, 'rejected')).toContain('已拒绝 #3')
    expect(answerReceiptText({ verdict: 'approve', number: 9 }, 'unknown')).toContain('没有待处理的审批 #9')
  })
})
