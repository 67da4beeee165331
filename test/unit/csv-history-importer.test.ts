import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { exportTime, type ImportRow, importCsvHistory } from '../../functions/adapters/local/csv-history-importer.ts'
import type { GroupEvent } from '../../functions/domain/events.ts'
import { tempDir } from '../helpers/temp-dirs.ts'

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url))

async function collect(rows: AsyncIterable<ImportRow>) {
  const events: GroupEvent[] = []
  const errors: { line: number; error: string }[] = []
  const skipped: { line: number; reason: string }[] = []
  for await (const r of rows) {
    if (r.event) events.push(r.event)
    else skipped.push({ line: r.line, reason: r.reason ?? '' })
    if (r.error) errors.push({ line: r.line, error: r.error })
  }
  return { events, errors, skipped, byId: new Map(events.map((e) => [e.id, e])) }
}

describe('exportTime', () => {
  it('reads epoch seconds and China-time strings as +08:00', () => {
    expect(exportTime('1740830400')).toBe('2025-03-01T20:00:00+08:00')
    expect(exportTime('2025-03-01 20:00:00')).toBe('2025-03-01T20:00:00+08:00')
    expect(exportTime('yesterday')).toBeUndefined()
  })
})

describe('importCsvHistory (WeChatMsg)', () => {
  it('turns messages and system messages into docs/format.md events', async () => {
    const { events, byId, errors } = await collect(importCsvHistory('wechatmsg-csv', fixture('wechatmsg.csv'), { room: '7@chatroom' }))
    expect(events[0]).toMatchObject({ kind: 'room', room: '7@chatroom' })
    expect(events.find((e) => e.kind === 'account')).toMatchObject({ self: 'wxid_owner' })
    expect(byId.get('wechatmsg:104')).toMatchObject({
      kind: 'message',
      sender: 'wxid_promo',
      type: 'text',
      text: expect.stringContaining('加微信'),
    })
    expect([105, 106, 107, 108].map((n) => (byId.get(`wechatmsg:${n}`) as { type?: string }).type)).toEqual([
      'image',
      'link',
      'miniprogram',
      'card',
    ])
    expect(byId.get('wechatmsg:109')).toMatchObject({ kind: 'recall', sender: 'wxid_promo' })
    expect(byId.get('wechatmsg:112')).toMatchObject({ kind: 'recall', sender: 'wxid_owner' })
    expect(errors).toEqual([{ line: 14, error: 'unreadable Type "not-a-number"' }])
  })

  it('turns a QR-code join into a join event with via qrcode, naming the member by id', async () => {
    const { byId } = await collect(importCsvHistory('wechatmsg-csv', fixture('wechatmsg.csv'), { room: '7@chatroom' }))
    expect(byId.get('wechatmsg:103')).toMatchObject({ kind: 'join', members: ['wxid_promo'], inviter: 'wxid_owner', via: 'qrcode' })
  })

  it('turns a kick by the account into a leave with the account as remover', async () => {
    const { byId } = await collect(importCsvHistory('wechatmsg-csv', fixture('wechatmsg.csv'), { room: '7@chatroom' }))
    expect(byId.get('wechatmsg:110')).toMatchObject({ kind: 'leave', members: ['wxid_promo'], remover: 'wxid_owner' })
  })

  it('keeps unknown names as name:<display name> in invitations', async () => {
    const { byId } = await collect(importCsvHistory('wechatmsg-csv', fixture('wechatmsg.csv'), { room: '7@chatroom' }))
    expect(byId.get('wechatmsg:111')).toMatchObject({
      kind: 'join',
      members: ['name:小李', 'name:豆豆'],
      via: 'invite',
      names: { 'name:小李': '小李' },
    })
  })

  it('counts notices without a signal and names the room after TalkerId without --room', async () => {
    const { events, byId, skipped } = await collect(importCsvHistory('wechatmsg-csv', fixture('wechatmsg.csv')))
    expect(byId.has('wechatmsg:114')).toBe(false)
    expect(skipped).toContainEqual({ line: 15, reason: 'system notice without a moderation signal (拍一拍)' })
    expect(events[0]).toMatchObject({ kind: 'room', room: 'wechatmsg-talker-7' })
  })

  it('reads join, kick, leave and recall notices written with spaces or curly quotes, and accounts for every row', async () => {
    const { events, byId, skipped, errors } = await collect(
      importCsvHistory('wechatmsg-csv', fixture('wechatmsg-notices.csv'), { room: '9@chatroom' }),
    )
    expect(byId.get('wechatmsg:202')).toMatchObject({ kind: 'join', members: ['wxid_aqiang'], inviter: 'wxid_xiaoli', via: 'qrcode' })
    expect(byId.get('wechatmsg:203')).toMatchObject({ kind: 'join', members: ['name:阿珍'], inviter: 'wxid_xiaoli', via: 'qrcode' })
    expect(byId.get('wechatmsg:205')).toMatchObject({ kind: 'join', members: ['name:豆豆'], inviter: 'wxid_xiaoli', via: 'invite' })
    expect(byId.get('wechatmsg:206')).toMatchObject({ kind: 'leave', members: ['wxid_aqiang'], remover: 'wxid_xiaoli' })
    expect(byId.get('wechatmsg:207')).toEqual(expect.objectContaining({ kind: 'leave', members: ['name:豆豆'] }))
    expect(byId.get('wechatmsg:207')).not.toHaveProperty('remover')
    expect(byId.get('wechatmsg:208')).toMatchObject({ kind: 'recall', sender: 'name:阿珍' })
    expect(skipped).toEqual([
      { line: 10, reason: 'system notice without a moderation signal (拍一拍)' },
      { line: 11, reason: 'system notice without a moderation signal (非好友提示)' },
      { line: 12, reason: 'system notice not understood' },
    ])
    expect(errors).toEqual([{ line: 12, error: 'system notice not understood: "群里来了一位神秘嘉宾"' }])
    // 11 rows: 8 events, 3 accounted for; plus the room snapshot the importer adds.
    expect(events.length).toBe(8 + 1)
  })
})

describe('importCsvHistory (mentions)', () => {
  it('names the members a message @-mentions, from the names the export carries', async () => {
    const { byId } = await collect(importCsvHistory('wechatmsg-csv', fixture('wechatmsg-mentions.csv'), { room: '9@chatroom' }))
    const mentions = (n: number) => (byId.get(`wechatmsg:${n}`) as { mentions?: string[] }).mentions
    expect(byId.get('wechatmsg:301')).toMatchObject({ sender: 'wxid_owner', text: '@小明 请勿发广告', mentions: ['wxid_xiaoming'] })
    expect(mentions(305)).toEqual(['wxid_xiaoming'])
    expect(mentions(306)).toEqual(['wxid_xmmama', 'wxid_lucy'])
    expect(byId.get('wechatmsg:307')).toMatchObject({ mentionAll: true })
    expect(mentions(307)).toBeUndefined()
    expect(mentions(308)).toBeUndefined()
    expect(mentions(310)).toEqual(['name:阿珍'])
    expect(mentions(311)).toBeUndefined()
  })

  it('resolves PyWxDump mentions through users.json', async () => {
    const dir = tempDir('qunguard-csv-')
    fs.writeFileSync(path.join(dir, 'users.json'), JSON.stringify({ wxid_xm: { nickname: '小明', remark: '' } }))
    fs.writeFileSync(
      path.join(dir, 'chat.csv'),
      'id,MsgSvrID,type_name,is_sender,talker,room_name,msg,src,CreateTime\n1,1,文本,1,wxid_owner,1@chatroom,@小明\u2005请勿发广告,,2025-03-01 20:00:00\n',
    )
    const { events } = await collect(importCsvHistory('pywxdump-csv', path.join(dir, 'chat.csv')))
    expect(events.find((e) => e.kind === 'message')).toMatchObject({ mentions: ['wxid_xm'] })
  })
})

describe('importCsvHistory (text encodings)', () => {
  it.each(['wechatmsg-gbk.csv', 'wechatmsg-utf16le.csv', 'wechatmsg-utf16be-bom.csv', 'wechatmsg-utf8-bom.csv'])(
    'reads %s as it reads the UTF-8 export, system rows included',
    async (file) => {
      const utf8 = await collect(importCsvHistory('wechatmsg-csv', fixture('wechatmsg.csv'), { room: '7@chatroom' }))
      const other = await collect(importCsvHistory('wechatmsg-csv', fixture(file), { room: '7@chatroom' }))
      expect(other.events).toEqual(utf8.events)
      expect(other.skipped).toEqual(utf8.skipped)
      expect(other.byId.get('wechatmsg:103')).toMatchObject({ kind: 'join', via: 'qrcode' })
    },
  )

  it('refuses a file that is text in no encoding it knows, naming it', async () => {
    const file = path.join(tempDir('qunguard-csv-'), 'garbage.csv')
    fs.writeFileSync(file, Buffer.concat([Buffer.from('localId,Type\n1,'), Buffer.from([0xff, 0x80, 0xff, 0x0a])]))
    await expect(collect(importCsvHistory('wechatmsg-csv', file))).rejects.toThrow(/garbage\.csv/)
  })
})

describe('importCsvHistory (PyWxDump)', () => {
  it('imports group rows, links with their address, and resolves names through users.json', async () => {
    const { byId, errors } = await collect(importCsvHistory('pywxdump-csv', fixture('pywxdump/chat.csv')))
    expect(byId.get('pywxdump:9002')).toMatchObject({ kind: 'join', members: ['wxid_promo'], inviter: 'wxid_lelema', via: 'qrcode' })
    expect(byId.get('pywxdump:9004')).toMatchObject({ type: 'link', text: '点击领取888元新人红包', url: 'https://promo.example.com/r' })
    expect(byId.get('pywxdump:9005')).toMatchObject({ type: 'miniprogram' })
    expect(byId.get('pywxdump:9008')).toMatchObject({ kind: 'leave', members: ['wxid_promo'], remover: 'wxid_owner' })
    expect(errors.map((e) => e.line)).toEqual([12, 14])
    expect(errors[0]?.error).toContain('not a group chat')
  })

  it('reports a malformed CSV row with its line and goes on', async () => {
    const dir = tempDir('qunguard-csv-')
    const file = path.join(dir, 'bad.csv')
    fs.writeFileSync(
      file,
      'id,MsgSvrID,type_name,is_sender,talker,room_name,msg,src,CreateTime\n1,1,文本,0,u,r@chatroom,"unclosed,,2025-03-01 20:00:00\n',
    )
    const { errors } = await collect(importCsvHistory('pywxdump-csv', file))
    expect(errors.length).toBeGreaterThan(0)
  })

  it('fails up front, naming the file, when it does not exist', async () => {
    await expect(collect(importCsvHistory('pywxdump-csv', '/nonexistent/chat.csv'))).rejects.toThrow('/nonexistent/chat.csv')
  })
})
