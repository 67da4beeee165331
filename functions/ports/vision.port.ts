/**
 * Vision: what is in a picture — text (OCR), labels, faces, unsafe content.
 *
 * Adapters: `AwsVision` (Textract for text, Rekognition for the rest) and, with issue #6, local
 * models. Textract and Rekognition read Latin script only; Chinese OCR needs the local path.
 *
 * @example
 *   const { text } = await vision.ocr(bytes)
 */
export interface OcrResult {
  readonly text: string
  readonly lines: readonly { readonly text: string; readonly confidence: number }[]
}

export interface ImageFacts {
  readonly labels: readonly { readonly name: string; readonly confidence: number }[]
  readonly faces: number
  /** Highest confidence of any unsafe-content label, in [0, 1]. */
  readonly nsfw: number
  readonly unsafeLabels: readonly string[]
}

export interface Vision {
  ocr(image: Uint8Array): Promise<OcrResult>
  facts(image: Uint8Array): Promise<ImageFacts>
}

export class VisionError extends Error {
  override name = 'VisionError'
  constructor(
    message: string,
    /** throttled: try again later; bad-image: the picture cannot be read; failed: anything else. */
    readonly kind: 'throttled' | 'bad-image' | 'failed',
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
