/**
 * The local vision adapters on pictures made here: QR codes, rendered Chinese text (needs a CJK
 * font: skipped without one locally, required under CI=true), broken and oversized files.
 */
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { PaddleOcr } from '../../functions/adapters/local/paddle-ocr.ts'
import { SharpImageGate } from '../../functions/adapters/local/sharp-image-gate.ts'
import { objectLabels, TfjsImageAnalyzer } from '../../functions/adapters/local/tfjs-image-analyzer.ts'
import { ZxingQrReader } from '../../functions/adapters/local/zxing-qr-reader.ts'
import { PictureInspector } from '../../functions/domain/vision/inspector.ts'
import { pictureFeatures } from '../../functions/domain/vision/picture-features.ts'
import { VisionError } from '../../functions/ports/vision.port.ts'
import { cjkFont, hugeDeclaredPng, notAPicture, qrPicture, textPicture, truncated } from '../helpers/pictures.ts'

const font = cjkFont()
if (!font && process.env.CI) throw new Error('a CJK font is needed in CI (apt-get install fonts-wqy-microhei)')

describe('SharpImageGate', () => {
  const gate = new SharpImageGate({ maxBytes: 1_000_000, maxPixels: 10_000_000 })

  it('reads the header of a real picture', async () => {
    expect(await gate.check(await qrPicture('hello', 200))).toMatchObject({ format: 'png', width: 200, height: 200 })
  })

  it('refuses a picture declaring 3.6 billion pixels before decoding it, and files over the byte limit', async () => {
    await expect(gate.check(await hugeDeclaredPng())).rejects.toMatchObject({
      kind: 'too-large',
      message: expect.stringContaining('60000×60000'),
    })
    await expect(gate.check(new Uint8Array(2_000_000))).rejects.toMatchObject({ kind: 'too-large' })
  })

  it('calls what is no picture, or nothing, a bad image', async () => {
    await expect(gate.check(notAPicture())).rejects.toBeInstanceOf(VisionError)
    await expect(gate.check(notAPicture())).rejects.toMatchObject({ kind: 'bad-image' })
    await expect(gate.check(new Uint8Array())).rejects.toMatchObject({ kind: 'bad-image' })
  })
})

describe('PictureInspector with the local adapters', () => {
  let inspector: PictureInspector
  beforeAll(async () => {
    const ocr = new PaddleOcr()
    await ocr.warm()
    inspector = new PictureInspector({ gate: new SharpImageGate(), qr: await ZxingQrReader.create(), text: ocr, timeoutMs: 30_000 })
  }, 60_000)

  it('decodes a WeChat group QR code and says what it is', async () => {
    const r = await inspector.inspect(await qrPicture('https://weixin.qq.com/g/AbCdEf123'), { ocr: false })
    expect(r.qr).toEqual([{ text: 'https://weixin.qq.com/g/AbCdEf123', kind: 'wechat-group', domain: 'weixin.qq.com' }])
    expect(pictureFeatures(r)).toMatchObject({ qr: true, imageText: expect.stringContaining('[微信群二维码]') })
    expect(r.problems).toEqual([])
  })

  it.skipIf(!font)(
    'reads Chinese ad text over a photo at an angle, and masks the phone number it finds',
    async () => {
      const background = await qrPicture('background', 400)
      const picture = await textPicture(['新店开业 全场五折', '电话 13812345678'], { angle: 6, background })
      const r = await inspector.inspect(picture)
      expect(r.ocr?.replace(/\s/g, '')).toContain('新店开业全场五折')
      expect(r.ocr).toContain('138****5678')
      expect(r.ocr).not.toContain('13812345678')
      expect(r.pii).toEqual(['phone'])
    },
    30_000,
  )

  it.skipIf(!font)(
    'sees an ID card in a picture and never lets its number out',
    async () => {
      const card = await textPicture(['中华人民共和国 居民身份证', '姓名 张三', '公民身份号码 513701199507176346'], { size: 26 })
      const r = await inspector.inspect(card)
      expect(r.idCardLike).toBe(true)
      expect(r.pii).toContain('id-card')
      expect(JSON.stringify(r)).not.toContain('513701199507176346')
      expect(pictureFeatures(r).pii).toContain('id-card')
    },
    30_000,
  )

  it.skipIf(!font)(
    'reads lines photographed at an angle along their slope, in reading order',
    async () => {
      for (const angle of [15, -30]) {
        const tilted = await textPicture(['新店开业 全场五折', '加微信 abc1234'], { size: 28, angle })
        const lines = (await inspector.inspect(tilted, { qr: false })).ocr?.split('\n').map((l) => l.replace(/\s/g, ''))
        expect(lines).toEqual(['新店开业全场五折', '加微信abc1234'])
      }
    },
    30_000,
  )

  it.skipIf(!font)(
    'reads small print on a whole phone screenshot (18-pixel text on 1080×2340)',
    async () => {
      const lines = ['昨天 晚上8:15', '李四：加我微信 abc12345 详聊', '电话 13812345678']
      const shot = await sharp({ create: { width: 1080, height: 2340, channels: 3, background: '#ededed' } })
        .composite([{ input: await textPicture(lines, { size: 18 }), left: 60, top: 900 }])
        .png()
        .toBuffer()
      expect((await new PaddleOcr().ocr(shot)).text.replace(/\s/g, '')).toBe(lines.join('').replace(/\s/g, ''))
    },
    30_000,
  )

  it.skipIf(!font)(
    'reads runs of equal digits in full, even in small print (a crowded line is read again wider)',
    async () => {
      const ocr = new PaddleOcr()
      for (const size of [20, 28])
        for (const text of ['电话 13888886666', '身份证 110101199003077777'])
          expect((await ocr.ocr(await textPicture([text], { size }))).text.replace(/\s/g, '')).toBe(text.replace(/\s/g, ''))
    },
    30_000,
  )

  it('reports a corrupt, truncated or oversized picture as a problem, without throwing', async () => {
    const broken = await inspector.inspect(notAPicture())
    expect(broken).toMatchObject({ qr: [], pii: [], problems: [{ step: 'header', kind: 'bad-image' }] })
    const bomb = await inspector.inspect(await hugeDeclaredPng())
    expect(bomb.problems).toEqual([expect.objectContaining({ step: 'header', kind: 'too-large' })])
    const cut = await inspector.inspect(truncated(await qrPicture('https://example.com/x', 600), 0.3))
    expect(cut.qr).toEqual([])
    expect(cut.problems.length).toBeGreaterThan(0)
  }, 30_000)

  it('gives up on a step that takes too long', async () => {
    const slow = new PictureInspector({ text: { ocr: () => new Promise(() => {}) }, timeoutMs: 50 })
    const r = await slow.inspect(new Uint8Array([1]))
    expect(r.problems).toEqual([{ step: 'ocr', kind: 'timeout', message: 'ocr took longer than 50 ms' }])
  })
})

describe('TfjsImageAnalyzer', () => {
  it('finds no face and nothing unsafe in a QR code, and reads sharpness for the selfie score', async () => {
    const analyzer = new TfjsImageAnalyzer()
    const picture = await qrPicture('https://example.com', 300)
    const facts = await analyzer.facts(picture)
    expect(facts.faces).toBe(0)
    expect(facts.nsfw).toBeLessThan(0.5)
    const quality = await new SharpImageGate().quality(picture)
    expect(quality.brightness).toBeGreaterThan(0.3)
    expect(quality.sharpness).toBeGreaterThan(0)
    await expect(analyzer.facts(notAPicture())).rejects.toMatchObject({ kind: 'bad-image' })
  }, 60_000)

  it('labels COCO objects only when asked, and sees none in an empty grey picture', async () => {
    const grey = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#777777' } })
      .png()
      .toBuffer()
    const plain = await new TfjsImageAnalyzer().facts(grey)
    const withObjects = await new TfjsImageAnalyzer({ objects: true }).facts(grey)
    const coco = (labels: readonly { name: string }[]) => labels.filter((l) => !NSFW_CLASSES.includes(l.name))
    expect(coco(plain.labels)).toEqual([])
    expect(coco(withObjects.labels)).toEqual([])
    await expect(new TfjsImageAnalyzer({ objects: true }).facts(notAPicture())).rejects.toMatchObject({ kind: 'bad-image' })
  }, 60_000)

  it('turns CenterNet detections into labels: known classes, over the bar, once each, best first', () => {
    const rows = [
      [0, 0, 10, 10, 0.52, 0],
      [0, 0, 10, 10, 0.35, 29],
      [5, 5, 20, 20, 0.7, 2],
      [5, 5, 20, 20, 0.45, 2],
      [5, 5, 20, 20, 0.9, 80],
    ]
    expect(objectLabels(rows, 0.4)).toEqual([
      { name: 'car', confidence: 0.7 },
      { name: 'person', confidence: 0.52 },
    ])
  })
})

const NSFW_CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy']
