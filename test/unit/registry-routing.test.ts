import { describe, expect, it } from 'vitest'
import { assessBots, botForAction, strandedActionText } from '../../functions/domain/registry.ts'
import type { BotRecord } from '../../functions/ports/bot-registry.port.ts'

const now = new Date('2026-03-01T12:00:00Z')
const rec = (bot: string, o: Partial<BotRecord> = {}): BotRecord => ({ bot, lastBeat: '2026-03-01T11:59:30Z', rooms: ['r1'], ...o })
const none = { remove: false, recall: false, invite: false }
const all = { remove: true, recall: true, invite: true }
const live = (records: BotRecord[]) => assessBots(records, now, 60).live
const act = (action: string, o: { room?: string; ownerId?: string; invite?: boolean } = {}) => ({
  decision: { room: o.room ?? 'r1', action },
  ...(o.ownerId ? { ownerId: o.ownerId } : {}),
  ...(o.invite ? { invite: true } : {}),
})

describe('which live bot carries an action out', () => {
  it('the owner’s own account for a removal, then one that says it can, then one that did not say, never a dead one', () => {
    const bots = [
      rec('wxid_web', { can: none, lastBeat: '2026-03-01T11:59:59Z' }),
      rec('wxid_pad', { can: all }),
      rec('wxid_owner', { can: none }),
    ]
    expect(botForAction(act('remove', { ownerId: 'wxid_owner' }), live(bots))).toBe('wxid_owner')
    expect(botForAction(act('remove'), live(bots))).toBe('wxid_pad')
    expect(botForAction(act('recall'), live([rec('wxid_web', { can: none }), rec('wxid_quiet')]))).toBe('wxid_quiet')
    // Warnings need no capability: the most recently heard bot in the room.
    expect(botForAction(act('warn'), live(bots))).toBe('wxid_web')
    expect(botForAction(act('alert-owner', { invite: true }), live(bots))).toBe('wxid_pad')
    expect(botForAction(act('warn', { room: 'r9' }), live(bots))).toBeUndefined()
    expect(botForAction(act('alert-owner', { room: 'private' }), live(bots))).toBeDefined()
    expect(botForAction(act('remove'), live([rec('wxid_dead', { can: all, lastBeat: '2026-03-01T11:50:00Z' })]))).toBeUndefined()
  })
})

describe('strandedActionText', () => {
  it('names the group and member and says what to do by hand', () => {
    const text = strandedActionText({ topic: '亲子群', member: '小王', action: 'remove', reason: '本群禁止广告' })
    expect(text).toContain('「亲子群」里现在没有在线的守卫账号')
    expect(text).toContain('对 小王 移出群聊')
    expect(text).toContain('请手动处理')
    expect(strandedActionText({ topic: '亲子群', member: '小王', action: 'warn', reason: '', warning: '@小王 本群禁止广告' })).toContain(
      '在群里提醒：@小王 本群禁止广告',
    )
  })
})
