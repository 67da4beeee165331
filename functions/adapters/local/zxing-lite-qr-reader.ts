/**
 * ZxingLiteQrReader: QR codes with zxing-wasm and no native code — for a Lambda bundle, where
 * sharp (what `ZxingQrReader` uses for headers and format conversion) is not available. The
 * picture's size is read from its header by `image-size` (pure JavaScript) and the byte and
 * pixel limits are checked before zxing decodes anything; zxing reads PNG, JPEG, GIF and BMP
 * itself. The wasm file is read from the path given (a bundle ships it next to itself) or from
 * node_modules.
 *
 * @example
 *   const qr = await ZxingLiteQrReader.create({ wasmPath: new URL('./zxing_reader.wasm', import.meta.url) })
 *   await qr.read(bytes) // ['https://weixin.qq.com/g/…']
 */
import { imageSize } from 'image-size'
import { QrReadError, type QrReader } from '../../ports/qr-reader.port.ts'
import { decodeQrCodes, prepareZxingReader } from './zxing-wasm.ts'

export interface ZxingLiteQrReaderOptions {
  /** Where zxing_reader.wasm is. @default the one in node_modules */
  readonly wasmPath?: string | URL | undefined
  /** @default 40 million */
  readonly maxPixels?: number
  /** @default 20 MiB */
  readonly maxBytes?: number
}

const READABLE = new Set(['png', 'jpg', 'gif', 'bmp'])

export class ZxingLiteQrReader implements QrReader {
  private constructor(private readonly options: ZxingLiteQrReaderOptions) {}

  static async create(options: ZxingLiteQrReaderOptions = {}): Promise<ZxingLiteQrReader> {
    await prepareZxingReader(options.wasmPath)
    return new ZxingLiteQrReader(options)
  }

  async read(image: Uint8Array): Promise<string[]> {
    const maxBytes = this.options.maxBytes ?? 20 * 2 ** 20
    if (image.byteLength > maxBytes)
      throw new QrReadError(`picture of ${image.byteLength} bytes is over the ${maxBytes}-byte limit`, 'too-large')
    let size: { width?: number; height?: number; type?: string }
    try {
      size = imageSize(image)
    } catch (e) {
      throw new QrReadError(`not a readable picture: ${(e as Error).message}`, 'bad-image', { cause: e })
    }
    const maxPixels = this.options.maxPixels ?? 40_000_000
    if ((size.width ?? 0) * (size.height ?? 0) > maxPixels)
      throw new QrReadError(`picture of ${size.width}×${size.height} pixels is over the ${maxPixels}-pixel limit`, 'too-large')
    if (!READABLE.has(size.type ?? ''))
      throw new QrReadError(`cannot read QR codes in a ${size.type ?? 'unknown'} picture here`, 'bad-image')
    return decodeQrCodes(image)
  }
}
