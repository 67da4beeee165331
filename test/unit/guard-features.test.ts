/** The Guard with what vision and the classifier found: picture text and spam scores. */
import { describe, expect, it } from 'vitest'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import { Guard, type HandleResult } from '../../functions/domain/guard.ts'
import { CLASSIFIER_RULE_ID } from '../../functions/domain/policy.ts'
import { account, message, roomSnapshot } from '../helpers/factories.ts'

async function guard(options: Partial<ConstructorParameters<typeof Guard>[0]> = {}) {
  const g = new Guard({
    store: SqliteGuardStore.open(':memory:'),
    config: parseConfig({ groups: { '*': { rules: [{ id: 'no-ads', any: ['加微信'] }] } } }),
    ...options,
  })
  await g.handleEvent(account('wxid_bot'))
  await g.handleEvent(roomSnapshot({ topic: '亲子群' }))
  return g
}
const decisions = (r: HandleResult) => (r.status === 'stored' ? r.decisions : [])

describe('Guard with message features', () => {
  it('applies keyword rules to the text read from a picture', async () => {
    const g = await guard()
    const picture = message({ type: 'image', media: 'media/r1/a.jpg' })
    expect(decisions(await g.handleEvent(picture))).toEqual([])
    const withText = message({ type: 'image', media: 'media/r1/b.jpg' })
    const [d] = decisions(await g.handleEvent(withText, { imageText: '扫码加微信 送好礼' }))
    expect(d?.decision).toMatchObject({ action: 'warn', mode: 'active', rule: 'no-ads' })
  })

  it('turns a high spam score into a shadow proposal for the owner, never an action', async () => {
    const g = await guard({ classifierRule: { threshold: 0.9, action: 'warn' } })
    const ad = message({ text: '全网最低价 私聊我', senderName: '推广员' })
    const [d] = decisions(await g.handleEvent(ad, { spamScore: 0.97 }))
    expect(d?.decision).toMatchObject({ action: 'warn', mode: 'shadow', rule: CLASSIFIER_RULE_ID, score: 0.97 })
    expect(d?.request).toBeUndefined()
    expect(d?.proposal).toMatchObject({
      roomTopic: '亲子群',
      message: { id: ad.id },
      request: { decisionId: d?.id, ownerId: 'wxid_owner', decision: { action: 'warn', mode: 'active' } },
    })
    expect(d?.proposal?.request.text).toContain('疑似广告')
  })

  it('ignores scores below the threshold, and scores at all without a classifier rule', async () => {
    expect(
      decisions(
        await (await guard({ classifierRule: { threshold: 0.9, action: 'warn' } })).handleEvent(message({ text: 'hi' }), {
          spamScore: 0.5,
        }),
      ),
    ).toEqual([])
    expect(decisions(await (await guard()).handleEvent(message({ text: 'hi' }), { spamScore: 0.99 }))).toEqual([])
  })

  it('lets keyword rules win over the classifier', async () => {
    const g = await guard({ classifierRule: { threshold: 0.5, action: 'remove' } })
    const [d] = decisions(await g.handleEvent(message({ text: '加微信' }), { spamScore: 0.99 }))
    expect(d?.decision).toMatchObject({ rule: 'no-ads', mode: 'active' })
  })

  it('gives back, for a stored message, exactly the requests and proposals it made the first time', async () => {
    const g = await guard({ classifierRule: { threshold: 0.9, action: 'warn' } })
    const ad = message({ text: '加微信' })
    const maybe = message({ text: '私聊有惊喜' })
    const first = [...decisions(await g.handleEvent(ad)), ...decisions(await g.handleEvent(maybe, { spamScore: 0.95 }))]
    expect(first.map((d) => [Boolean(d.request), Boolean(d.proposal)])).toEqual([
      [true, false],
      [false, true],
    ])
    expect(await g.handleEvent(ad)).toMatchObject({ status: 'duplicate' })
    const again = [...(await g.storedDecisions(ad)), ...(await g.storedDecisions(maybe))]
    expect(again).toEqual(first)
  })
})

describe('Guard with pictures, voice and personal numbers', () => {
  it('recalls a message with an ID number, and stores, shows and alerts only the masked text', async () => {
    const store = SqliteGuardStore.open(':memory:')
    const g = await guard({ store })
    const msg = message({ text: '我的身份证 513701199507176346 帮我看看', senderName: '张三' })
    const [d] = decisions(await g.handleEvent(msg))
    expect(d?.decision).toMatchObject({ action: 'recall', mode: 'active', rule: 'privacy' })
    expect(d?.decision.reason).toContain('身份证号')
    expect(JSON.stringify(d)).not.toContain('513701199507176346')
    expect(JSON.stringify(await store.getEvent(msg.id))).not.toContain('513701199507176346')
    expect(JSON.stringify(await store.getEvent(msg.id))).toContain('5137************46')
  })

  it('acts on an ID-card picture (vision found one), and leaves phone numbers to the rules unless configured', async () => {
    const g = await guard()
    const [d] = decisions(await g.handleEvent(message({ type: 'image' }), { pii: ['id-card'], imageText: '居民身份证' }))
    expect(d?.decision).toMatchObject({ action: 'recall', rule: 'privacy' })
    expect(decisions(await g.handleEvent(message({ text: '有事打我电话 13812345678' })))).toEqual([])
    const alerting = await guard({
      config: parseConfig({ groups: { '*': { privacy: { action: 'alert-owner', kinds: ['phone'] } } } }),
    })
    const [p] = decisions(await alerting.handleEvent(message({ text: '有事打我电话 13812345678' })))
    expect(p?.decision).toMatchObject({ action: 'alert-owner', rule: 'privacy' })
    expect(p?.request?.text).not.toContain('13812345678')
  })

  it('recalls a picture the NSFW model flags, and applies keyword rules to a QR code’s contents and to what a voice message said', async () => {
    const g = await guard({ config: parseConfig({ groups: { '*': { rules: [{ id: 'no-groups', any: ['微信群二维码', '加微信'] }] } } }) })
    const [n] = decisions(await g.handleEvent(message({ type: 'image' }), { nsfw: 0.93 }))
    expect(n?.decision).toMatchObject({ action: 'recall', rule: 'nsfw', score: 0.93 })
    const [q] = decisions(
      await g.handleEvent(message({ type: 'image' }), { imageText: 'https://weixin.qq.com/g/x [微信群二维码]', qr: true }),
    )
    expect(q?.decision).toMatchObject({ rule: 'no-groups' })
    const [v] = decisions(await g.handleEvent(message({ type: 'voice' }), { voiceText: '大家加微信领红包' }))
    expect(v?.decision).toMatchObject({ rule: 'no-groups' })
  })

  it('reports an event id reused for different content as a conflict, not a duplicate', async () => {
    const g = await guard()
    const leave = { id: 'x1', kind: 'leave' as const, room: 'r1@chatroom', members: ['wxid_a'], ts: '2026-03-01T19:00:00+08:00' }
    expect(await g.handleEvent(leave)).toMatchObject({ status: 'stored' })
    const ad = message({ id: 'x1', text: '加微信' })
    expect(await g.handleEvent(ad)).toMatchObject({ status: 'conflict', stored: { kind: 'leave' } })
    expect(await g.handleEvent(leave)).toMatchObject({ status: 'duplicate' })
  })

  it('counts a message with a masked personal number, sent again unchanged, as a duplicate', async () => {
    const g = await guard()
    const m = message({ id: 'x2', text: '我的身份证 110101199003078515' })
    expect((await g.handleEvent(m)).status).toBe('stored')
    expect(await g.handleEvent(m)).toMatchObject({ status: 'duplicate' })
  })
})
