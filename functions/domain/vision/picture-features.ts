/**
 * A picture's report as message features for the rules: its text (OCR, personal numbers
 * masked) together with the QR codes' contents and what they are (`[微信群二维码]`), so that
 * keyword rules, the ad classifier and learned rules read a picture as they read text — an ad
 * inside a picture is an ad; whether it holds a QR code; its personal numbers (an ID-card-like
 * picture counts as an ID number); its NSFW score.
 *
 * @example
 *   pictureFeatures(report) // { imageText: '扫码进群 https://weixin.qq.com/g/… [微信群二维码]', qr: true, pii: [], nsfw: 0.01 }
 */
import type { MessageFeatures } from '../policy.ts'
import type { PictureReport } from './inspector.ts'
import type { PiiKind } from './pii.ts'
import { qrKindName } from './qr-payload.ts'

export function pictureFeatures(report: PictureReport): MessageFeatures {
  const qrText = report.qr.map((q) => `${q.text} [${qrKindName(q.kind)}]`)
  const imageText = [report.ocr, ...qrText].filter((s) => s?.trim()).join('\n')
  const pii = new Set<PiiKind>(report.pii)
  if (report.idCardLike) pii.add('id-card')
  return {
    ...(imageText ? { imageText } : {}),
    qr: report.qr.length > 0,
    pii: [...pii],
    ...(report.nsfw !== undefined ? { nsfw: report.nsfw } : {}),
  }
}
