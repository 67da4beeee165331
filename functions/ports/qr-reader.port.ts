/**
 * QrReader: every QR code in a picture, decoded.
 *
 * Adapter: `ZxingQrReader` (zxing-wasm, its wasm loaded from node_modules; sharp for formats
 * zxing cannot read and for the pixel limit checked before any decoding).
 *
 * @example
 *   const texts = await qr.read(bytes) // ['https://weixin.qq.com/g/…']
 */
export interface QrReader {
  read(image: Uint8Array): Promise<string[]>
}

export class QrReadError extends Error {
  override name = 'QrReadError'
  constructor(
    message: string,
    /** bad-image: corrupt, truncated or unsupported; too-large: over the size or pixel limit. */
    readonly kind: 'bad-image' | 'too-large',
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
