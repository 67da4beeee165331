import { describe, expect, it } from 'vitest'
import { ocrReplyText, parseVisionRequest, selfieScore } from '../../functions/domain/vision/requests.ts'

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
