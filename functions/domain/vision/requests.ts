/**
 * What members can ask the guard about pictures in a group, and its answers: `识别` / `OCR`
 * (or @-mentioning the bot with either) — the text of the latest picture, personal numbers
 * masked; `评分` — a playful score of the sender's latest photo, where the group has opted in.
 *
 * WeChat puppets do not say which picture a quoted reply quotes, so "the picture" is the
 * latest one posted in the room in the last 10 minutes (the sender's own, for 评分). What was
 * read from each picture is kept that long in the FactsStore (`rememberPicture`), wherever it
 * was read — the embedded guard's MediaStage or the vision function on AWS — and the answer is
 * made from it alone (`pictureAnswer`), never from the picture.
 *
 * @example
 *   parseVisionRequest('识别') // 'ocr'
 *   await rememberPicture(facts, msg, report)
 *   await pictureAnswer(facts, askMsg, { ocr: true, selfie: false }) // '[qunguard] 图片文字：…'
 *   selfieScore({ faces: 1, faceDetails: [...], header, quality }) // { score: 78, text: '…' }
 */
import type { ActionRequest } from '../../ports/action-executor.port.ts'
import type { FactsStore, RecentPicture } from '../../ports/facts-store.port.ts'
import type { FaceDetail, PictureHeader, PictureQuality } from '../../ports/vision.port.ts'
import { type MessageEvent, toMillis } from '../events.ts'
import { parseQuote } from '../quote.ts'
import type { PictureReport } from './inspector.ts'

/** How long a picture can be asked about. */
export const PICTURE_MEMORY_MS = 10 * 60_000
/** How many of a room's latest pictures an answer looks through (the sender's own, for 评分). */
const LOOK_BACK = 5

export type VisionRequest = 'ocr' | 'selfie'

/** A request, from the message text (mentions of the bot already stripped by the caller or left in). */
export function parseVisionRequest(text: string): VisionRequest | undefined {
  const whole = text.normalize('NFKC').trim()
  // A quoted reply (「张三：[图片]」 - - - - 识别) asks in its reply.
  const t = (parseQuote(whole)?.reply ?? whole)
    .replace(/@\S+\s*/g, '')
    .trim()
    .toLowerCase()
  if (t === '识别' || t === 'ocr' || t === '识别文字' || t === '提取文字') return 'ocr'
  if (t === '评分' || t === '打分' || t === '颜值评分') return 'selfie'
  return undefined
}

/** A text message that asks 识别 or 评分. */
export function pictureRequestOf(msg: MessageEvent): VisionRequest | undefined {
  return msg.type === 'text' && msg.text ? parseVisionRequest(msg.text) : undefined
}

/** Keeps what was read from a picture (masked text, faces, size, quality) for PICTURE_MEMORY_MS. */
export async function rememberPicture(
  facts: Pick<FactsStore, 'rememberPicture'>,
  msg: Pick<MessageEvent, 'id' | 'room' | 'sender' | 'ts'>,
  report: Pick<PictureReport, 'ocr' | 'faceDetails' | 'header' | 'quality' | 'problems'>,
): Promise<void> {
  // A file that is not a picture (its header unreadable or over a limit) cannot be asked about.
  if (report.problems.some((p) => p.step === 'header')) return
  const ms = toMillis(msg.ts)
  const picture: RecentPicture = {
    id: msg.id,
    sender: msg.sender,
    ms,
    ...(report.ocr !== undefined ? { text: report.ocr } : {}),
    ...(report.faceDetails ? { faceDetails: report.faceDetails } : {}),
    ...(report.header ? { header: report.header } : {}),
    ...(report.quality ? { quality: report.quality } : {}),
  }
  await facts.rememberPicture(msg.room, picture, ms + PICTURE_MEMORY_MS)
}

/**
 * The answer to a member's `识别` or `评分`, from the room's remembered pictures; undefined when
 * the message asks for nothing or the room has not switched that request on.
 */
export async function pictureAnswer(
  facts: Pick<FactsStore, 'recentPictures'>,
  msg: MessageEvent,
  allowed: { readonly ocr: boolean; readonly selfie: boolean },
): Promise<string | undefined> {
  const request = pictureRequestOf(msg)
  if (!request || (request === 'ocr' && !allowed.ocr) || (request === 'selfie' && !allowed.selfie)) return undefined
  const pictures = await facts.recentPictures(msg.room, toMillis(msg.ts) - PICTURE_MEMORY_MS, LOOK_BACK)
  if (request === 'ocr') {
    const latest = pictures.at(-1)
    if (!latest) return ocrReplyText(undefined)
    // A picture whose text could not be read (OCR off or failed) has none to give.
    return ocrReplyText(latest.text ?? '')
  }
  const own = pictures.filter((p) => p.sender === msg.sender).at(-1)
  if (!own) return '[qunguard] 先发一张自己的照片，再发「评分」。'
  return selfieScore(own).text
}

/** A reply in the group to a member's request (识别, 评分), as an action. */
export function pictureReplyRequest(msg: MessageEvent, text: string): ActionRequest {
  return {
    decisionId: -1,
    decision: {
      event: msg.id,
      room: msg.room,
      target: msg.sender,
      action: 'reply',
      mode: 'active',
      rule: 'pictures',
      score: 1,
      reason: text,
    },
    messageId: msg.id,
    text,
  }
}

/** The reply to 识别: the text read, or why there is none. */
export function ocrReplyText(text: string | undefined): string {
  if (text === undefined) return '[qunguard] 最近 10 分钟没有可识别的图片。'
  if (!text.trim()) return '[qunguard] 图片里没有识别到文字。'
  const clipped = text.length > 1000 ? `${text.slice(0, 1000)}…` : text
  return `[qunguard] 图片文字：\n${clipped}`
}

export interface SelfieInput {
  readonly faces?: number | undefined
  readonly faceDetails?: readonly FaceDetail[] | undefined
  readonly header?: PictureHeader | undefined
  readonly quality?: PictureQuality | undefined
}

/**
 * A score out of 100 from what a camera can measure — how large and centred the face is,
 * sharpness, exposure, resolution — and the smile. It says nothing about looks, and says so.
 */
export function selfieScore(input: SelfieInput): { score: number | undefined; text: string } {
  const face = [...(input.faceDetails ?? [])].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0]
  if (!face) return { score: undefined, text: '[qunguard] 没有找到人脸，换一张正脸照片试试？' }
  const area = face.box.width * face.box.height
  const centre = Math.hypot(face.box.x + face.box.width / 2 - 0.5, face.box.y + face.box.height / 2 - 0.45)
  const q = input.quality
  const parts = {
    framing: 20 * Math.max(0, 1 - Math.abs(Math.log((area || 0.0001) / 0.18)) / 2.5) * Math.max(0, 1 - centre * 1.5),
    smile: 20 * (face.smile ?? 0.3),
    sharpness: q ? 20 * Math.min(1, q.sharpness / 3) : 10,
    exposure: q ? 20 * Math.max(0, 1 - Math.abs(q.brightness - 0.5) * 2.2) : 10,
    resolution: input.header ? 10 * Math.min(1, (input.header.width * input.header.height) / 1_000_000) : 5,
    detector: 10 * face.confidence,
  }
  const score = Math.round(
    Math.min(
      100,
      Math.max(
        0,
        Object.values(parts).reduce((a, b) => a + b, 0),
      ),
    ),
  )
  const best = Object.entries(parts).sort((a, b) => b[1] - a[1])[0]?.[0]
  const praise: Record<string, string> = {
    framing: '构图不错',
    smile: '笑容很有感染力',
    sharpness: '照片很清晰',
    exposure: '光线刚刚好',
    resolution: '画质很高',
    detector: '正脸很清楚',
  }
  return {
    score,
    text: `[qunguard] 照片评分 ${score}/100，${praise[best ?? 'detector']}！（仅供娱乐：按人脸大小与位置、笑容、清晰度、曝光和分辨率估算，不评价长相）`,
  }
}
