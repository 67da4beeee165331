/**
 * Small histories the rule learner learns a known rule from (tests must not need ../shared).
 */
import type { GroupEvent } from '../../functions/domain/events.ts'
import { account, at, message, roomSnapshot } from './factories.ts'

/**
 * Room r1: six newcomers (joined by QR code) each post a link five minutes after joining and the
 * bot account (staff) removes them; members of long standing share links and are left alone —
 * "a link from a member of under a day → remove". `midRemoved`: members who joined 25 hours
 * before also post links, and are warned. `owner`: the room's owner (default: the bot account).
 */
export function linkRemovalHistory(o: { midRemoved?: boolean; owner?: string } = {}): GroupEvent[] {
  const owner = o.owner ?? 'wxid_bot'
  const events: GroupEvent[] = [account('wxid_bot'), roomSnapshot({ owner, admins: owner === 'wxid_bot' ? [] : ['wxid_bot'] })]
  for (const m of ['wxid_mid0', 'wxid_mid1'])
    events.push({ kind: 'join', id: `j${m}`, ts: at(-25 * 60), room: 'r1', members: [m], via: 'invite' })
  let t = 0
  for (let i = 0; i < 6; i++) {
    const m = `wxid_new${i}`
    events.push({ kind: 'join', id: `j${i}`, ts: at(t), room: 'r1', members: [m], via: 'qrcode' })
    events.push(message({ id: `spam${i}`, sender: m, type: 'link', text: '领红包', url: `https://d${i}.cn/a`, ts: at(t + 5) }))
    events.push({ kind: 'leave', id: `l${i}`, ts: at(t + 15), room: 'r1', members: [m], remover: 'wxid_bot' })
    for (let k = 0; k < 4; k++)
      events.push(
        message({ sender: `wxid_old${k}`, type: 'link', text: '好文分享', url: 'https://mp.weixin.qq.com/s/x', ts: at(t + 20 + k) }),
      )
    // (at(): minutes; the six rounds span 60 hours, so these stay under three days of tenure)
    if (i < 2 || (o.midRemoved && i < 4)) {
      const mid = `wxid_mid${i % 2}`
      events.push(message({ id: `mid${i}`, sender: mid, type: 'link', text: '看看这个', url: `https://m${i}.cn/m`, ts: at(t + 25) }))
      if (o.midRemoved) events.push(message({ sender: 'wxid_bot', text: `@${mid} 禁止发链接，警告一次`, mentions: [mid], ts: at(t + 26) }))
    }
    for (let k = 0; k < 10; k++) events.push(message({ sender: `wxid_old${k % 4}`, text: `聊天 ${k}`, ts: at(t + 30 + k) }))
    t += 600
  }
  return events
}
