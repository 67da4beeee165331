/**
 * AwsVision: Vision on Amazon Textract (DetectDocumentText, for OCR) and Amazon Rekognition
 * (DetectLabels, DetectFaces, DetectModerationLabels). Both read Latin script only: Chinese text
 * in pictures needs PaddleOCR — embedded, and on AWS the vision function's container image
 * (`-c vision=local`, the default; docs/vision.md).
 *
 * @example
 *   const vision = new AwsVision({ textract: new TextractClient({}), rekognition: new RekognitionClient({}) })
 */
import {
  DetectFacesCommand,
  DetectLabelsCommand,
  DetectModerationLabelsCommand,
  type FaceDetail,
  type RekognitionClient,
} from '@aws-sdk/client-rekognition'
import { DetectDocumentTextCommand, type TextractClient } from '@aws-sdk/client-textract'
import { type ImageFacts, type OcrResult, type PictureQuality, type Vision, VisionError } from '../../ports/vision.port.ts'

export interface AwsVisionOptions {
  readonly textract: TextractClient
  readonly rekognition: RekognitionClient
  /** Labels below this confidence (0–100) are dropped. @default 70 */
  readonly minConfidence?: number
}

const THROTTLED = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'LimitExceededException'])
const BAD_IMAGE = new Set([
  'InvalidImageFormatException',
  'ImageTooLargeException',
  'UnsupportedDocumentException',
  'BadDocumentException',
  'DocumentTooLargeException',
  'InvalidParameterException',
])

function translate(what: string, e: unknown): VisionError {
  const name = (e as { name?: string }).name ?? ''
  const kind = THROTTLED.has(name) ? 'throttled' : BAD_IMAGE.has(name) ? 'bad-image' : 'failed'
  return new VisionError(`${what} failed: ${name} ${(e as Error).message ?? ''}`.trim(), kind, { cause: e })
}

export class AwsVision implements Vision {
  private readonly minConfidence: number

  constructor(private readonly options: AwsVisionOptions) {
    this.minConfidence = options.minConfidence ?? 70
  }

  async ocr(image: Uint8Array): Promise<OcrResult> {
    try {
      const r = await this.options.textract.send(new DetectDocumentTextCommand({ Document: { Bytes: image } }))
      const lines = (r.Blocks ?? [])
        .filter((b) => b.BlockType === 'LINE' && b.Text)
        .map((b) => ({ text: b.Text ?? '', confidence: (b.Confidence ?? 0) / 100 }))
      return { text: lines.map((l) => l.text).join('\n'), lines }
    } catch (e) {
      throw translate('Textract DetectDocumentText', e)
    }
  }

  async facts(image: Uint8Array): Promise<ImageFacts> {
    const { rekognition } = this.options
    const Image = { Bytes: image }
    try {
      const [labels, faces, moderation] = await Promise.all([
        rekognition.send(new DetectLabelsCommand({ Image, MinConfidence: this.minConfidence, MaxLabels: 20 })),
        rekognition.send(new DetectFacesCommand({ Image, Attributes: ['DEFAULT'] })),
        rekognition.send(new DetectModerationLabelsCommand({ Image, MinConfidence: this.minConfidence })),
      ])
      const unsafe = moderation.ModerationLabels ?? []
      return {
        labels: (labels.Labels ?? []).map((l) => ({ name: l.Name ?? '', confidence: (l.Confidence ?? 0) / 100 })),
        faces: faces.FaceDetails?.length ?? 0,
        faceDetails: (faces.FaceDetails ?? []).map((f) => ({
          box: {
            x: f.BoundingBox?.Left ?? 0,
            y: f.BoundingBox?.Top ?? 0,
            width: f.BoundingBox?.Width ?? 0,
            height: f.BoundingBox?.Height ?? 0,
          },
          confidence: (f.Confidence ?? 0) / 100,
          smile: f.Smile ? (f.Smile.Value ? 1 : 0) * ((f.Smile.Confidence ?? 0) / 100) : undefined,
        })),
        nsfw: Math.max(0, ...unsafe.map((m) => (m.Confidence ?? 0) / 100)),
        unsafeLabels: unsafe.map((m) => m.Name ?? '').filter(Boolean),
        ...faceQuality(faces.FaceDetails ?? []),
      }
    } catch (e) {
      throw translate('Rekognition', e)
    }
  }
}

/**
 * The largest face's Quality (Rekognition: brightness and sharpness, 0–100) on the scale the
 * selfie score reads: brightness in [0, 1]; sharpness ×3/100, so that Rekognition's sharpest is
 * the score's full marks (a phone photo measured by sharp reads ~1–5).
 */
function faceQuality(faces: readonly FaceDetail[]): { quality?: PictureQuality } {
  const area = (f: FaceDetail) => (f.BoundingBox?.Width ?? 0) * (f.BoundingBox?.Height ?? 0)
  const q = [...faces].sort((a, b) => area(b) - area(a))[0]?.Quality
  if (q?.Brightness === undefined || q.Sharpness === undefined) return {}
  return { quality: { brightness: q.Brightness / 100, sharpness: (q.Sharpness / 100) * 3 } }
}
