import { describe, expect, it } from 'vitest'
import type { GroupEvent } from '../../functions/domain/events.ts'
import {
  extractWeakLabels,
  learnedWarnings,
  ownerVerdicts,
  reactionWindows,
  warningIntent,
} from '../../functions/domain/learning/weak-labels.ts'
import { account, at, message, roomSnapshot } from '../helpers/factories.ts'
import { linkRemovalHistory } from '../helpers/histories.ts'

const start = (): GroupEvent[] => [
  account('wxid_bot'),
  roomSnapshot({ owner: 'wxid_owner', admins: ['wxid_admin'], names: { wxid_member: '小王' } }),
]
const leave = (member: string, remover: string | undefined, minutes: number): GroupEvent => ({
  kind: 'leave',
  id: `l-${member}-${minutes}`,
  ts: at(minutes),
  room: 'r1',
  members: [member],
  remover,
})

describe('warningIntent', () => {
  it('reads rule topics and warning words, and not ordinary scolding', () => {
    expect(warningIntent('@小王 请勿发广告')).toEqual({ warning: true, kinds: ['ads'] })
    expect(warningIntent('@小王 别发小程序了')).toEqual({ warning: true, kinds: ['miniprogram'] })
    expect(warningIntent('@小王 刷屏警告一次')).toEqual({ warning: true, kinds: ['flood'] })
    expect(warningIntent('@小王 再发踢了')).toEqual({ warning: true, kinds: [] })
    for (const t of ['@小王 别吵了', '@小王 注意说话语气', '@小王 私聊吧']) expect(warningIntent(t).warning).toBe(false)
  })
})

describe('extractWeakLabels', () => {
  it('labels what a member posted before the owner removed them', () => {
    const ad = message({ sender: 'wxid_promo', text: '加微信领红包', ts: at(1) })
    const labels = extractWeakLabels([...start(), ad, leave('wxid_promo', 'wxid_owner', 9)])
    expect(labels.get(ad.id)).toEqual({ weight: 1, sources: ['removal'], kinds: [] })
  })

  it("weighs the message a removal followed (and its burst) fully, the member's earlier ones of the day by half", () => {
    const hello = message({ sender: 'wxid_promo', text: '大家好', ts: at(-300) })
    const ad = message({ sender: 'wxid_promo', text: '加微信领红包', ts: at(1) })
    const again = message({ sender: 'wxid_promo', text: '加微信领红包！', ts: at(1.5) })
    const labels = extractWeakLabels([...start(), hello, ad, again, leave('wxid_promo', 'wxid_owner', 90)])
    expect([hello, ad, again].map((m) => labels.get(m.id)?.weight)).toEqual([0.5, 1, 1])
  })

  it('labels nothing for a silent member removed for housekeeping, or a member who left by themselves', () => {
    const old = message({ sender: 'wxid_lurker', text: '大家好', ts: at(-3 * 24 * 60) })
    const chat = message({ sender: 'wxid_member', text: '再见啦', ts: at(1) })
    const labels = extractWeakLabels([...start(), old, chat, leave('wxid_lurker', 'wxid_owner', 10), leave('wxid_member', undefined, 11)])
    expect(labels.size).toBe(0)
  })

  it('labels the latest message of a member an admin warns, with the kind the warning names', () => {
    const earlier = message({ sender: 'wxid_member', text: '早上好', ts: at(0) })
    const link = message({ sender: 'wxid_member', type: 'link', text: '点击领取', url: 'https://t.cn/x', ts: at(30) })
    const warn = message({ sender: 'wxid_admin', text: '@小王 链接请撤回', mentions: ['wxid_member'], ts: at(38) })
    const labels = extractWeakLabels([...start(), earlier, link, warn])
    expect(labels.get(link.id)).toEqual({ weight: 1, sources: ['warning'], kinds: ['link'] })
    expect(labels.has(earlier.id)).toBe(false)
  })

  it('labels the message of the kind a warning names, though the member chatted on since', () => {
    const link = message({ sender: 'wxid_member', type: 'link', text: '点击领取', url: 'https://t.cn/x', ts: at(0) })
    const chat = message({ sender: 'wxid_member', text: '大家晚上好', ts: at(20) })
    const long = message({ sender: 'wxid_member', text: '这是一段很长很长的文字'.repeat(5), ts: at(30) })
    const after = message({ sender: 'wxid_member', text: '哈哈', ts: at(40) })
    const warnLink = message({ sender: 'wxid_admin', text: '@小王 链接请撤回', mentions: ['wxid_member'], ts: at(45) })
    const warnLong = message({ sender: 'wxid_admin', text: '@小王 太长了，别发长文', mentions: ['wxid_member'], ts: at(50) })
    const labels = extractWeakLabels([...start(), link, chat, long, after, warnLink, warnLong])
    expect([link, chat, long, after].map((m) => labels.get(m.id)?.kinds)).toEqual([['link'], undefined, ['long-text'], undefined])
    // 刷屏: the burst, not the chat after it.
    const burst = [0, 1, 2, 3].map((k) => message({ sender: 'wxid_member', text: `刷 ${k}`, ts: at(100 + k / 10) }))
    const later = message({ sender: 'wxid_member', text: '吃饭了吗', ts: at(160) })
    const warnFlood = message({ sender: 'wxid_admin', text: '@小王 别刷屏', mentions: ['wxid_member'], ts: at(170) })
    const flood = extractWeakLabels([...start(), ...burst, later, warnFlood])
    expect([...burst, later].map((m) => flood.has(m.id))).toEqual([true, true, true, true, false])
  })

  it('resolves a warning by display name when the export kept no mention ids', () => {
    const ad = message({ sender: 'wxid_member', text: '代购正品', ts: at(0) })
    const warn = message({ sender: 'wxid_owner', text: '@小王 群内禁止广告', ts: at(5) })
    expect(extractWeakLabels([...start(), ad, warn]).get(ad.id)?.kinds).toEqual(['ads'])
  })

  it('reads a member named without an @ (老王 文件请撤回), the longer of two names, and no name inside a word', () => {
    const names = { wxid_member: '小王', wxid_b: '王大雪15', wxid_c: '大雪' }
    const file = message({ sender: 'wxid_member', type: 'file', text: '资料.zip', ts: at(0) })
    const card = message({ sender: 'wxid_b', type: 'card', text: '推荐 某某', ts: at(1) })
    const chat = message({ sender: 'wxid_c', text: '下雪了', ts: at(2) })
    const warnFile = message({ sender: 'wxid_owner', text: '小王 文件请撤回，再犯直接请出', ts: at(10) })
    const warnCard = message({ sender: 'wxid_owner', text: '王大雪15，群内不许推名片', ts: at(11) })
    const weather = message({ sender: 'wxid_owner', text: '今天大雪，别发文件了', ts: at(12) })
    const labels = extractWeakLabels([roomSnapshot({ names }), file, card, chat, warnFile, warnCard, weather])
    expect(labels.get(file.id)?.kinds).toEqual(['file'])
    expect(labels.get(card.id)?.kinds).toEqual(['card'])
    expect(labels.has(chat.id)).toBe(false)
  })

  it('reads a quoted reply as a warning about the quoted message, though the member chatted on since', () => {
    const ad = message({ sender: 'wxid_member', text: '加微信领红包，名额有限', ts: at(0) })
    const chat = message({ sender: 'wxid_member', text: '大家晚上好', ts: at(3) })
    const link = message({ sender: 'wxid_member', type: 'link', text: '好文', url: 'https://t.cn/x', ts: at(6) })
    const after = message({ sender: 'wxid_member', text: '哈哈', ts: at(7) })
    const quoteAd = message({
      sender: 'wxid_owner',
      text: '「小王：加微信领红包，名额有...」\n- - - - - - - - - - - - - - -\n这种广告别发',
      ts: at(10),
    })
    const quoteLink = message({ sender: 'wxid_admin', text: '「小王：[链接]」\n- - - - - - - - - - - - - - -\n请撤回', ts: at(11) })
    const labels = extractWeakLabels([...start(), ad, chat, link, after, quoteAd, quoteLink])
    expect(labels.get(ad.id)?.sources).toEqual(['warning'])
    expect(labels.get(link.id)?.sources).toEqual(['warning'])
    expect([chat, after].map((m) => labels.has(m.id))).toEqual([false, false])
  })

  it("learns an owner's own words said in quoted replies from what follows them", () => {
    const events = start()
    const cards: string[] = []
    for (let i = 0; i < 6; i++) {
      const m = `wxid_q${i}`
      const t = i * 120
      const card = message({ sender: m, senderName: `阿${'甲乙丙丁戊己'[i]}`, type: 'card', text: '名片', ts: at(t) })
      cards.push(card.id)
      events.push(
        card,
        message({ sender: 'wxid_owner', text: `「阿${'甲乙丙丁戊己'[i]}：[名片]」\n- - - - - - - - - - - - - - -\n收收`, ts: at(t + 3) }),
      )
      if (i < 3) events.push({ kind: 'recall', id: `rc${i}`, ts: at(t + 5), room: 'r1', sender: m, messageId: card.id })
    }
    expect(warningIntent('收收').warning).toBe(false)
    expect(learnedWarnings(events).size).toBe(6)
    const labels = extractWeakLabels(events)
    expect(cards.every((id) => labels.get(id)?.sources.includes('warning'))).toBe(true)
  })

  it('reads a warning that names what was done but nobody (刚刚传文件的，请撤回) as about whoever last posted it', () => {
    const file = message({ sender: 'wxid_member', type: 'file', text: '资料.zip', ts: at(0) })
    const chat = message({ sender: 'wxid_other', text: '收到', ts: at(3) })
    const warn = message({ sender: 'wxid_owner', text: '刚刚传文件的，请撤回', ts: at(8) })
    const vague = message({ sender: 'wxid_owner', text: '刚才发广告的自觉点', ts: at(9) })
    const labels = extractWeakLabels([...start(), file, chat, warn, vague])
    expect(labels.get(file.id)?.kinds).toEqual(['file'])
    // 广告 says nothing checkable about one message: nobody is guessed.
    expect(labels.has(chat.id)).toBe(false)
  })

  it('ignores scolding, warnings of staff, and actions too late to be about the message', () => {
    const chat = message({ sender: 'wxid_member', text: '你们太吵了', ts: at(0) })
    const scold = message({ sender: 'wxid_owner', text: '@小王 别吵了', mentions: ['wxid_member'], ts: at(2) })
    const late = message({ sender: 'wxid_owner', text: '@小王 请勿发广告', mentions: ['wxid_member'], ts: at(5 * 60) })
    const adminTalk = message({ sender: 'wxid_admin', text: '发个公告链接', ts: at(6) })
    const toAdmin = message({ sender: 'wxid_owner', text: '@管理 链接请撤回', mentions: ['wxid_admin'], ts: at(7) })
    expect(extractWeakLabels([...start(), chat, scold, adminTalk, toAdmin, late]).size).toBe(0)
  })

  it('counts a quick self-recall as weak evidence', () => {
    const m = message({ sender: 'wxid_promo', text: '加我', ts: at(0) })
    const recall: GroupEvent = { kind: 'recall', id: 'rc1', ts: at(1), room: 'r1', sender: 'wxid_promo' }
    expect(extractWeakLabels([...start(), m, recall]).get(m.id)).toEqual({ weight: 0.5, sources: ['recall'], kinds: [] })
  })

  it('treats configured staff the history does not show as staff', () => {
    const ad = message({ sender: 'wxid_helper', text: '团购链接', ts: at(0) })
    const warn = message({ sender: 'wxid_helper', text: '@小王 请勿发广告', mentions: ['wxid_member'], ts: at(3) })
    const mine = message({ sender: 'wxid_member', text: '代购', ts: at(2) })
    const labels = extractWeakLabels([...start(), ad, mine, warn, leave('wxid_member', 'wxid_helper', 5)], {
      extraStaff: () => ['wxid_helper'],
    })
    expect([...labels.keys()]).toEqual([mine.id])
    expect([...(labels.get(mine.id)?.sources ?? [])].sort()).toEqual(['removal', 'warning'])
  })

  it('reaches back up to two days for an owner who comes by every other evening', () => {
    const events = start()
    const ads: string[] = []
    for (let i = 0; i < 6; i++) {
      const m = `wxid_m${i}`
      const ad = message({ sender: m, text: `代购 ${i}`, ts: at(i * 3 * 1440) })
      ads.push(ad.id)
      events.push(ad, message({ sender: 'wxid_owner', text: `@${m} 请勿发广告`, mentions: [m], ts: at(i * 3 * 1440 + 30 * 60) }))
    }
    expect(reactionWindows(events).get('r1')).toBe(48 * 3_600_000)
    const labels = extractWeakLabels(events)
    expect(ads.every((id) => labels.get(id)?.sources.includes('warning'))).toBe(true)
  })

  it("learns how late this room's staff warn: an owner who warns five hours after each ad still labels it", () => {
    const events = start()
    const ads: string[] = []
    for (let i = 0; i < 6; i++) {
      const m = `wxid_m${i}`
      const ad = message({ sender: m, text: `代购 ${i}`, ts: at(i * 1440) })
      ads.push(ad.id)
      events.push(ad, message({ sender: 'wxid_owner', text: `@${m} 请勿发广告`, mentions: [m], ts: at(i * 1440 + 5 * 60) }))
    }
    expect(reactionWindows(events).get('r1')).toBe(10 * 3_600_000)
    const labels = extractWeakLabels(events)
    expect(ads.every((id) => labels.get(id)?.sources.includes('warning'))).toBe(true)
    // With the old fixed two hours, none would be.
    expect(extractWeakLabels(events, { warningWindowMs: 2 * 3_600_000 }).size).toBe(0)
  })

  it("learns an owner's own way of warning from what follows it: phrasings in no lexicon still yield warning labels", () => {
    const events = start()
    const cards: string[] = []
    const friendly: string[] = []
    for (let i = 0; i < 8; i++) {
      const m = `wxid_m${i}`
      const t = i * 120
      const card = message({ sender: m, type: 'card', text: '名片', ts: at(t) })
      cards.push(card.id)
      const said = message({ sender: 'wxid_owner', text: `@${m} 咪再搞啦，last chance`, mentions: [m], ts: at(t + 3) })
      events.push(card, said)
      // Three of them take it down at once: that is what makes the phrase a warning.
      if (i < 3) events.push({ kind: 'recall', id: `rc${i}`, ts: at(t + 5), room: 'r1', sender: m, messageId: card.id })
      // Friendly mentions of members who chatted: nothing follows them.
      const chat = message({ sender: `wxid_f${i}`, text: '今天我生日', ts: at(t + 30) })
      friendly.push(chat.id)
      events.push(chat, message({ sender: 'wxid_owner', text: `@wxid_f${i} 生日快乐呀🎂`, mentions: [`wxid_f${i}`], ts: at(t + 31) }))
    }
    expect(warningIntent('@小王 咪再搞啦，last chance').warning).toBe(false)
    expect(learnedWarnings(events).size).toBe(8)
    const labels = extractWeakLabels(events)
    expect(cards.every((id) => labels.get(id)?.sources.includes('warning'))).toBe(true)
    expect(friendly.some((id) => labels.has(id))).toBe(false)
  })

  it('reads a phrasing the owner uses right after links as a warning, though nothing follows it; one used after chat not', () => {
    const events = start()
    const links: string[] = []
    for (let i = 0; i < 8; i++) {
      const m = `wxid_m${i}`
      const t = i * 120
      const link = message({ sender: m, type: 'link', text: '看看', url: `https://s${i}.cn/x`, ts: at(t) })
      links.push(link.id)
      events.push(link, message({ sender: 'wxid_owner', text: `@${m} 咪再搞啦，last chance`, mentions: [m], ts: at(t + 3) }))
      for (let k = 0; k < 6; k++) events.push(message({ sender: `wxid_f${k}`, text: `聊天 ${k}`, ts: at(t + 30 + k) }))
      events.push(message({ sender: 'wxid_owner', text: `@wxid_f${i % 6} 哈哈你说得对`, mentions: [`wxid_f${i % 6}`], ts: at(t + 40) }))
    }
    const read = learnedWarnings(events)
    const said = events.filter((e) => e.kind === 'message' && e.sender === 'wxid_owner')
    expect(
      said
        .filter((e) => read.has(e.id))
        .map((e) => (e.kind === 'message' ? e.text : ''))
        .every((t) => t?.includes('last chance')),
    ).toBe(true)
    expect(read.size).toBe(8)
    const labels = extractWeakLabels(events)
    expect(links.every((id) => labels.get(id)?.sources.includes('warning'))).toBe(true)
  })

  it('learns what a phrasing follows: bursts answered in words of its own are 刷屏, and thanks after links are no warning', () => {
    const events = start()
    const bursts: string[][] = []
    const links: string[] = []
    for (let i = 0; i < 5; i++) {
      const t = i * 180
      // The room's ordinary talk: one message at a time.
      for (let k = 0; k < 12; k++) events.push(message({ sender: `wxid_c${k}`, text: `聊天 ${i} ${k}`, ts: at(t + k * 3) }))
      const m = `wxid_m${i}`
      const burst = [0, 1, 2, 3, 4, 5].map((k) => message({ sender: m, text: `快看 ${k}`, ts: at(t + 60 + k / 6) }))
      bursts.push(burst.map((b) => b.id))
      events.push(...burst, message({ sender: 'wxid_owner', text: `@${m} 消停会儿吧`, mentions: [m], ts: at(t + 62) }))
      const s = `wxid_s${i}`
      const link = message({ sender: s, type: 'link', text: '好文', url: `https://s${i}.cn/x`, ts: at(t + 100) })
      links.push(link.id)
      events.push(link, message({ sender: 'wxid_owner', text: `@${s} 谢谢分享`, mentions: [s], ts: at(t + 101) }))
    }
    expect(warningIntent('@小王 消停会儿吧').warning).toBe(false)
    const read = learnedWarnings(events)
    expect([...read.values()]).toEqual(Array(5).fill(['flood']))
    const labels = extractWeakLabels(events)
    expect(bursts.flat().every((id) => labels.get(id)?.kinds.includes('flood'))).toBe(true)
    expect(links.some((id) => labels.has(id))).toBe(false)
  })

  it('reads a phrasing the owner uses right after videos as a warning about videos, in words no lexicon holds', () => {
    const events = start()
    const videos: string[] = []
    for (let i = 0; i < 6; i++) {
      const t = i * 180
      for (let k = 0; k < 12; k++) events.push(message({ sender: `wxid_c${k}`, text: `聊天 ${i} ${k}`, ts: at(t + k * 3) }))
      const m = `wxid_m${i}`
      const video = message({ sender: m, type: 'video', ts: at(t + 60) })
      videos.push(video.id)
      // The member chats on; nobody recalls anything or is removed.
      events.push(video, message({ sender: 'wxid_owner', text: `@${m} 视频别在群里发`, mentions: [m], ts: at(t + 62) }))
      events.push(message({ sender: m, text: `哦 ${i}`, ts: at(t + 63) }))
    }
    expect(warningIntent('@小王 视频别在群里发').warning).toBe(false)
    expect([...learnedWarnings(events).values()]).toEqual(Array(6).fill(['type:video']))
    const labels = extractWeakLabels(events)
    // The video, not the line said after it.
    expect(videos.every((id) => labels.get(id)?.sources.includes('warning'))).toBe(true)
  })

  it('needs only two alike mentions where what they follow is rare enough: two bursts of eight in a talkative room', () => {
    const events = start()
    const bursts: string[] = []
    for (let i = 0; i < 2; i++) {
      const t = i * 600
      for (let k = 0; k < 40; k++) events.push(message({ sender: `wxid_c${k % 8}`, text: `聊天 ${i} ${k}`, ts: at(t + k * 5) }))
      const m = `wxid_m${i}`
      const burst = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => message({ sender: m, text: `快看 ${k}`, ts: at(t + 300 + k / 8) }))
      bursts.push(...burst.map((b) => b.id))
      events.push(...burst, message({ sender: 'wxid_owner', text: `@${m} 再说一遍，消停会儿吧`, mentions: [m], ts: at(t + 302) }))
    }
    // A third said once after a single line is no phrasing of the room's.
    events.push(message({ sender: 'wxid_c1', text: '今天好热', ts: at(1300) }))
    events.push(message({ sender: 'wxid_owner', text: '@wxid_c1 是啊', mentions: ['wxid_c1'], ts: at(1301) }))
    expect([...learnedWarnings(events).values()]).toEqual([['flood'], ['flood']])
    const labels = extractWeakLabels(events)
    expect(bursts.every((id) => labels.get(id)?.kinds.includes('flood'))).toBe(true)
  })

  it('reads one phrasing used for several rules by what each member posted: the link, the card, though they chatted on', () => {
    const events = start()
    const posted: [string, string][] = []
    for (let i = 0; i < 12; i++) {
      const t = i * 180
      for (let k = 0; k < 20; k++) events.push(message({ sender: `wxid_c${k}`, text: `聊天 ${i} ${k}`, ts: at(t + k * 2) }))
      const m = `wxid_m${i}`
      const kind = i % 2 ? 'card' : 'link'
      const post = message({
        sender: m,
        type: kind,
        text: '看看',
        ...(kind === 'link' ? { url: `https://s${i}.cn/x` } : {}),
        ts: at(t + 40),
      })
      posted.push([post.id, kind])
      events.push(post)
      // Some chat on before the owner gets to it.
      if (i % 3 === 2) events.push(message({ sender: m, text: '大家好呀', ts: at(t + 45) }))
      events.push(message({ sender: 'wxid_owner', text: `@${m} 收收`, mentions: [m], ts: at(t + 50) }))
    }
    const labels = extractWeakLabels(events)
    for (const [id, kind] of posted) expect(labels.get(id)?.kinds).toEqual([kind])
  })
})

describe('owners’ answers as labels', () => {
  it('a later answer wins; Y labels a message outright, N clears what the owner’s actions seemed to say', () => {
    const verdicts = ownerVerdicts([
      { status: 'rejected', request: { messageId: 'a' } },
      { status: 'approved', request: { messageId: 'a' } },
      { status: 'rejected', request: { messageId: 'b' } },
      { status: 'expired', request: { messageId: 'c' } },
    ])
    expect([...verdicts]).toEqual([
      ['a', 'violation'],
      ['b', 'fine'],
    ])
    const events = linkRemovalHistory()
    const before = extractWeakLabels(events)
    expect(before.get('spam0')?.sources).toContain('removal')
    const chat = events.find((e) => e.kind === 'message' && e.text === '聊天 0')?.id ?? ''
    expect(before.has(chat)).toBe(false)
    const after = extractWeakLabels(events, {
      answers: new Map([
        ['spam0', 'fine'],
        [chat, 'violation'],
        ['not-in-this-history', 'violation'],
      ]),
    })
    expect(after.has('spam0')).toBe(false)
    expect(after.get(chat)).toEqual({ weight: 1, sources: ['answer'], kinds: [] })
    expect(after.has('not-in-this-history')).toBe(false)
  })
})
