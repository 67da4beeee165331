import { describe, expect, it } from 'vitest'
import { parseSystemMessage } from '../../functions/domain/import/system-messages.ts'

describe('parseSystemMessage', () => {
  it('reads a kick by the account, with straight or curly quotes and a space inside them', () => {
    for (const t of ['你将"小王"移出了群聊', '你将“小王”移出了群聊', '你将“ 小王”移出了群聊']) {
      expect(parseSystemMessage(t)).toEqual({ kind: 'kick', members: ['小王'], byYou: true })
    }
  })

  it('reads recalls by a member and by the account, with or without a space before 撤回', () => {
    expect(parseSystemMessage('"小王"撤回了一条消息')).toEqual({ kind: 'recall', sender: '小王' })
    expect(parseSystemMessage('“小王” 撤回了一条消息')).toEqual({ kind: 'recall', sender: '小王' })
    expect(parseSystemMessage('你撤回了一条消息')).toEqual({ kind: 'recall', sender: undefined })
  })

  it('reads an invitation of several members', () => {
    expect(parseSystemMessage('"王姐"邀请"小李、豆豆"加入了群聊')).toEqual({
      kind: 'join',
      members: ['小李', '豆豆'],
      inviter: '王姐',
      via: 'invite',
    })
    expect(parseSystemMessage('你邀请“小李”加入了群聊')).toEqual({ kind: 'join', members: ['小李'], inviter: undefined, via: 'invite' })
    expect(parseSystemMessage('"王姐"邀请你加入了群聊')).toEqual({ kind: 'join', members: [undefined], inviter: '王姐', via: 'invite' })
  })

  it('reads a join by QR code with its sharer', () => {
    expect(parseSystemMessage('"推广小王"通过扫描"王姐"分享的二维码加入群聊')).toEqual({
      kind: 'join',
      members: ['推广小王'],
      inviter: '王姐',
      via: 'qrcode',
    })
    expect(parseSystemMessage('“ 推广小王”通过扫描“王姐”分享的二维码加入群聊')).toMatchObject({ members: ['推广小王'], via: 'qrcode' })
    expect(parseSystemMessage('「推广小王」通过扫描你分享的二维码加入群聊')).toMatchObject({ inviter: undefined, via: 'qrcode' })
  })

  it('ignores notices without a moderation signal', () => {
    expect(parseSystemMessage('"乐乐妈" 拍了拍 "王姐"')).toBeUndefined()
    expect(parseSystemMessage('"王姐"修改群名为“亲子群”')).toBeUndefined()
    expect(parseSystemMessage('有人说：你将"小王"移出了群聊')).toBeUndefined()
  })
})
