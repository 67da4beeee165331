/**
 * Vision: what is in a picture, one capability at a time, so each can come from where it is
 * best (local models or AWS):
 *
 *   ImageGate     — the picture's header only: format and size, refused before any decoding
 *                   when over the byte or pixel limit (decompression bombs) or unreadable
 *   TextReader    — OCR, Chinese and English
 *   ImageAnalyzer — faces, unsafe content (NSFW), labels
 *   QrReader      — every QR code (qr-reader.port.ts)
 *
 * Adapters: local — `SharpImageGate`, `PaddleOcr` (PaddleOCR models on onnxruntime, from npm),
 * `TfjsImageAnalyzer` (face-api and nsfwjs models on the tfjs wasm backend, from npm),
 * `ZxingQrReader`; AWS — `AwsVision` (Textract for text, Rekognition for the rest; Latin script
 * only, see docs/vision.md for Chinese).
 *
 * @example
 *   const { text } = await reader.ocr(bytes)
 */
export interface OcrResult {
  readonly text: string
  readonly lines: readonly { readonly text: string; readonly confidence: number }[]
}

export interface FaceDetail {
  /** Position and size as fractions of the picture's width and height. */
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number }
  readonly confidence: number
  /** How much the face smiles, in [0, 1], when the analyzer can tell. */
  readonly smile?: number | undefined
}

export interface ImageFacts {
  readonly labels: readonly { readonly name: string; readonly confidence: number }[]
  readonly faces: number
  readonly faceDetails?: readonly FaceDetail[] | undefined
  /** Highest confidence of any unsafe-content label, in [0, 1]. */
  readonly nsfw: number
  readonly unsafeLabels: readonly string[]
  /** The largest face's exposure and sharpness, when the analyzer measures them (Rekognition). */
  readonly quality?: PictureQuality | undefined
}

export interface PictureHeader {
  readonly format: string
  readonly width: number
  readonly height: number
  readonly bytes: number
}

/** What a camera can measure about a photo, for the selfie score. */
export interface PictureQuality {
  /** Mean brightness in [0, 1]. */
  readonly brightness: number
  /** Contrast (standard deviation of brightness) in [0, 1], where measured. */
  readonly contrast?: number | undefined
  /** An estimate of sharpness (larger is sharper; ~1–5 for phone photos). */
  readonly sharpness: number
}

export interface ImageGate {
  /** Reads the header; throws VisionError `too-large` or `bad-image`. */
  check(image: Uint8Array): Promise<PictureHeader>
  /** Brightness, contrast and sharpness (decodes the picture; call after `check`). */
  quality?(image: Uint8Array): Promise<PictureQuality>
}

export interface TextReader {
  ocr(image: Uint8Array): Promise<OcrResult>
}

export interface ImageAnalyzer {
  facts(image: Uint8Array): Promise<ImageFacts>
}

/** Both, from one service (AWS). */
export interface Vision extends TextReader, ImageAnalyzer {}

export class VisionError extends Error {
  override name = 'VisionError'
  constructor(
    message: string,
    /**
     * throttled: try again later; bad-image: the picture cannot be read; too-large: over a limit;
     * timeout: took too long; failed: anything else.
     */
    readonly kind: 'throttled' | 'bad-image' | 'too-large' | 'timeout' | 'failed',
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
