import { describe, expect, it } from 'vitest'
import { parseSystemMessage, systemText } from '../../functions/domain/import/system-messages.ts'

describe('parseSystemMessage', () => {
  it('reads a kick by the account, with straight or curly quotes and a space inside them', () => {
    for (const t of ['你将"小王"移出了群聊', '你将“小王”移出了群聊', '你将“ 小王”移出了群聊']) {
      expect(parseSystemMessage(t)).toEqual({ kind: 'kick', members: ['小王'], remover: undefined })
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

  it('reads a QR-code join written with a space after the quote or with curly quotes', () => {
    const qr = { kind: 'join', members: ['阿强'], inviter: '小李', via: 'qrcode' }
    expect(parseSystemMessage('"阿强" 通过扫描"小李"分享的二维码加入群聊')).toEqual(qr)
    expect(parseSystemMessage('“阿强”通过扫描“小李”分享的二维码加入群聊')).toEqual(qr)
    expect(parseSystemMessage('“阿强” 通过扫描 “小李” 分享的二维码加入群聊')).toEqual(qr)
    expect(parseSystemMessage('"阿强"\u2005通过扫描\u3000"小李"分享的二维码加入群聊')).toEqual(qr)
    expect(parseSystemMessage('你通过扫描二维码加入群聊，群聊参与人还有：小李')).toEqual({
      kind: 'join',
      members: [undefined],
      inviter: null,
      via: 'qrcode',
    })
  })

  it('reads invitations, kicks and leaves written with spaces, by others and of the account', () => {
    expect(parseSystemMessage('"小李" 邀请 "豆豆" 加入了群聊')).toEqual({ kind: 'join', members: ['豆豆'], inviter: '小李', via: 'invite' })
    expect(parseSystemMessage('"王姐"邀请你和"小李"加入了群聊')).toMatchObject({ members: [undefined, '小李'], inviter: '王姐' })
    expect(parseSystemMessage('"豆豆"加入了群聊')).toEqual({ kind: 'join', members: ['豆豆'], inviter: null, via: 'unknown' })
    expect(parseSystemMessage('"小李" 将 "阿强" 移出了群聊')).toEqual({ kind: 'kick', members: ['阿强'], remover: '小李' })
    expect(parseSystemMessage('你被"小李"移出群聊')).toEqual({ kind: 'kick', members: [undefined], remover: '小李' })
    expect(parseSystemMessage('“豆豆” 退出了群聊')).toEqual({ kind: 'leave', members: ['豆豆'] })
  })

  it('names notices without a moderation signal, and understands nothing else', () => {
    expect(parseSystemMessage('"乐乐妈" 拍了拍 "王姐"')).toEqual({ kind: 'notice', what: '拍一拍' })
    expect(parseSystemMessage('"王姐"修改群名为“亲子群”')).toEqual({ kind: 'notice', what: '改群名' })
    expect(parseSystemMessage('"阿珍"与群里其他人都不是朋友关系，请注意隐私安全')).toEqual({ kind: 'notice', what: '非好友提示' })
    expect(parseSystemMessage('有人说：你将"小王"移出了群聊')).toBeUndefined()
    expect(parseSystemMessage('群里来了一位神秘嘉宾')).toBeUndefined()
  })

  it('reads the sentence out of an XML system message', () => {
    expect(
      systemText('<sysmsg type="revokemsg"><revokemsg><replacemsg><![CDATA["阿珍" 撤回了一条消息]]></replacemsg></revokemsg></sysmsg>'),
    ).toBe('"阿珍" 撤回了一条消息')
    expect(systemText('"阿珍" 撤回了一条消息')).toBe('"阿珍" 撤回了一条消息')
  })
})
