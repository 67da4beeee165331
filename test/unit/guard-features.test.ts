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
