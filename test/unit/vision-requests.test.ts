import { describe, expect, it } from 'vitest'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { MemoryApprovalStore } from '../../functions/adapters/memory/memory-approval-store.ts'
import { MemoryFactsStore } from '../../functions/adapters/memory/memory-facts-store.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import type { MessageEvent } from '../../functions/domain/events.ts'
import { GuardSession, type PictureRead } from '../../functions/domain/session.ts'
import { ocrReplyText, parseVisionRequest, selfieScore } from '../../functions/domain/vision/requests.ts'
import { account, at, message, roomSnapshot } from '../helpers/factories.ts'

describe('vision requests', () => {
  it('reads 识别 / OCR / 评分, also after an @-mention or in a quoted reply', () => {
    expect(parseVisionRequest('识别')).toBe('ocr')
    expect(parseVisionRequest('@群守卫 OCR')).toBe('ocr')
    expect(parseVisionRequest('「张三：[图片]」\n- - - - - - - - - - - - - - -\n识别')).toBe('ocr')
    expect(parseVisionRequest('评分')).toBe('selfie')
    expect(parseVisionRequest('这个怎么识别')).toBeUndefined()
  })

  it('answers 识别 with the text, or says why there is none', () => {
    expect(ocrReplyText('限时优惠')).toContain('限时优惠')
    expect(ocrReplyText('')).toContain('没有识别到文字')
    expect(ocrReplyText(undefined)).toContain('没有可识别的图片')
  })

  it('scores a sharp, well-lit, centred, smiling face higher than a small, dark, blurred one, and says it is a game', () => {
    const header = { format: 'jpeg', width: 1080, height: 1440, bytes: 300_000 }
    const good = selfieScore({
      faceDetails: [{ box: { x: 0.3, y: 0.2, width: 0.4, height: 0.45 }, confidence: 0.98, smile: 0.95 }],
      header,
      quality: { brightness: 0.52, contrast: 0.4, sharpness: 3.5 },
    })
    const poor = selfieScore({
      faceDetails: [{ box: { x: 0.02, y: 0.02, width: 0.05, height: 0.06 }, confidence: 0.6, smile: 0 }],
      header: { ...header, width: 320, height: 240 },
      quality: { brightness: 0.1, contrast: 0.1, sharpness: 0.3 },
    })
    expect(good.score).toBeGreaterThan(80)
    expect(poor.score).toBeLessThan(40)
    expect(good.text).toContain('仅供娱乐')
    expect(selfieScore({ faces: 0, faceDetails: [] })).toMatchObject({ score: undefined, text: expect.stringContaining('没有找到人脸') })
  })
})

describe('识别 / 评分 through the GuardSession (what the vision function and MediaStage remember)', () => {
  const face = { box: { x: 0.3, y: 0.2, width: 0.4, height: 0.45 }, confidence: 0.99, smile: 0.8 }
  const read = (o: Partial<PictureRead> = {}): PictureRead => ({ problems: [], ...o })

  async function session(pictures: Record<string, unknown> = {}) {
    const store = SqliteGuardStore.open(':memory:')
    const config = parseConfig({ groups: { '*': { rules: [{ id: 'no-ads', any: ['加微信'] }], pictures } } })
    const s = new GuardSession({ store, supervision: new MemoryApprovalStore(), config, facts: new MemoryFactsStore() })
    for (const e of [account(), roomSnapshot()]) await s.handle(e, { at: new Date(0) })
    const send = async (e: MessageEvent, picture?: PictureRead) => (await s.handle(e, { at: new Date(e.ts), picture })).reply
    return { send }
  }

  it('answers 识别 with the latest picture’s text (masked), from what was remembered, in the group', async () => {
    const { send } = await session()
    expect(await send(message({ id: 'q0', ts: at(1), text: '识别' }))).toMatchObject({ text: ocrReplyText(undefined) })
    await send(message({ id: 'p1', ts: at(2), type: 'image', text: undefined }), read({ ocr: '会员卡 电话 138****5678' }))
    const reply = await send(message({ id: 'q1', ts: at(3), sender: 'wxid_b', text: '识别' }))
    expect(reply).toMatchObject({ decision: { action: 'reply', room: 'r1', target: 'wxid_b', event: 'q1' }, messageId: 'q1' })
    expect(reply?.text).toBe('[qunguard] 图片文字：\n会员卡 电话 138****5678')
    // Ten minutes on, the picture can no longer be asked about.
    expect((await send(message({ id: 'q2', ts: at(13), text: '识别' })))?.text).toBe(ocrReplyText(undefined))
  })

  it('does not answer a request that breaks a rule, nor one the group has switched off', async () => {
    const { send } = await session({ ocrOnRequest: false })
    await send(message({ id: 'p1', ts: at(1), type: 'image', text: undefined }), read({ ocr: '文字' }))
    expect(await send(message({ id: 'q1', ts: at(2), text: '识别' }))).toBeUndefined()
    expect(await send(message({ id: 'q2', ts: at(2), text: '评分' }))).toBeUndefined()
    const on = await session()
    expect(await on.send(message({ id: 'q3', ts: at(2), text: '识别 加微信' }))).toBeUndefined()
  })

  it('scores the sender’s own latest photo for 评分 where the group opted in', async () => {
    const { send } = await session({ selfieScore: true })
    await send(message({ id: 'p1', ts: at(1), sender: 'wxid_b', type: 'image', text: undefined }), read({ faceDetails: [face] }))
    expect((await send(message({ id: 'q1', ts: at(2), text: '评分' })))?.text).toContain('先发一张自己的照片')
    await send(
      message({ id: 'p2', ts: at(3), type: 'image', text: undefined }),
      read({ faceDetails: [face], quality: { brightness: 0.5, contrast: 0.2, sharpness: 3 } }),
    )
    expect((await send(message({ id: 'q2', ts: at(4), text: '评分' })))?.text).toMatch(/^\[qunguard\] 照片评分 \d+\/100/)
  })
})
