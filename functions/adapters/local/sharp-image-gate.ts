/**
 * SharpImageGate: a picture's header read with sharp (nothing decoded), and the limits checked
 * before anything else touches it — bytes, pixels (a decompression bomb declares a huge size in
 * a small file), formats the guard reads.
 *
 * @example
 *   const header = await new SharpImageGate().check(bytes) // { format: 'jpeg', width, height, bytes }
 */
import sharp from 'sharp'
import { type ImageGate, type PictureHeader, type PictureQuality, VisionError } from '../../ports/vision.port.ts'

export interface SharpImageGateOptions {
  /** @default 20 MiB */
  readonly maxBytes?: number
  /** @default 40 million */
  readonly maxPixels?: number
}

const FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif', 'avif', 'bmp'])

export class SharpImageGate implements ImageGate {
  readonly maxBytes: number
  readonly maxPixels: number

  constructor(options: SharpImageGateOptions = {}) {
    this.maxBytes = options.maxBytes ?? 20 * 2 ** 20
    this.maxPixels = options.maxPixels ?? 40_000_000
  }

  async check(image: Uint8Array): Promise<PictureHeader> {
    if (image.byteLength > this.maxBytes)
      throw new VisionError(`picture of ${image.byteLength} bytes is over the ${this.maxBytes}-byte limit`, 'too-large')
    if (image.byteLength === 0) throw new VisionError('empty file', 'bad-image')
    let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>
    try {
      meta = await sharp(image, { limitInputPixels: false }).metadata()
    } catch (e) {
      throw new VisionError(`not a readable picture: ${(e as Error).message}`, 'bad-image', { cause: e })
    }
    const width = meta.width ?? 0
    const height = meta.height ?? 0
    if (!meta.format || !FORMATS.has(meta.format))
      throw new VisionError(`unsupported picture format ${meta.format ?? 'unknown'}`, 'bad-image')
    if (width * height > this.maxPixels)
      throw new VisionError(`picture of ${width}×${height} pixels is over the ${this.maxPixels}-pixel limit`, 'too-large')
    if (width === 0 || height === 0) throw new VisionError('picture has no size', 'bad-image')
    return { format: meta.format, width, height, bytes: image.byteLength }
  }

  async quality(image: Uint8Array): Promise<PictureQuality> {
    try {
      const s = await sharp(image, { limitInputPixels: this.maxPixels })
        .rotate()
        .resize({ width: 800, height: 800, fit: 'inside', withoutEnlargement: true })
        .greyscale()
        .stats()
      const grey = s.channels[0]
      return { brightness: (grey?.mean ?? 0) / 255, contrast: (grey?.stdev ?? 0) / 128, sharpness: s.sharpness }
    } catch (e) {
      throw new VisionError(`cannot decode the picture: ${(e as Error).message}`, 'bad-image', { cause: e })
    }
  }
}
