/**
 * ZxingQrReader: QR codes with zxing-wasm, the wasm read from node_modules (never fetched).
 *
 * Before decoding, sharp reads only the picture's header: more than `maxPixels` (a
 * decompression bomb, or just a huge photo) or more than `maxBytes` is refused as `too-large`;
 * what sharp cannot read is `bad-image`. PNG and JPEG go to zxing as they are; other formats
 * (WebP, GIF, …) are converted to PNG by sharp first, since zxing reads only PNG/JPEG/BMP.
 *
 * @example
 *   const qr = await ZxingQrReader.create()
 *   await qr.read(fs.readFileSync('poster.jpg')) // ['https://u.wechat.com/…']
 */
import sharp from 'sharp'
import { QrReadError, type QrReader } from '../../ports/qr-reader.port.ts'
import { decodeQrCodes, prepareZxingReader } from './zxing-wasm.ts'

export interface ZxingQrReaderOptions {
  /** @default 40 million */
  readonly maxPixels?: number
  /** @default 20 MiB */
  readonly maxBytes?: number
}

export class ZxingQrReader implements QrReader {
  private constructor(private readonly options: ZxingQrReaderOptions) {}

  static async create(options: ZxingQrReaderOptions = {}): Promise<ZxingQrReader> {
    await prepareZxingReader()
    return new ZxingQrReader(options)
  }

  async read(image: Uint8Array): Promise<string[]> {
    const maxBytes = this.options.maxBytes ?? 20 * 2 ** 20
    if (image.byteLength > maxBytes)
      throw new QrReadError(`picture of ${image.byteLength} bytes is over the ${maxBytes}-byte limit`, 'too-large')
    const maxPixels = this.options.maxPixels ?? 40_000_000
    let format: string | undefined
    try {
      const meta = await sharp(image, { limitInputPixels: false }).metadata()
      if ((meta.width ?? 0) * (meta.height ?? 0) > maxPixels)
        throw new QrReadError(`picture of ${meta.width}×${meta.height} pixels is over the ${maxPixels}-pixel limit`, 'too-large')
      format = meta.format
    } catch (e) {
      if (e instanceof QrReadError) throw e
      throw new QrReadError(`not a readable picture: ${(e as Error).message}`, 'bad-image', { cause: e })
    }
    let bytes = image
    if (format !== 'png' && format !== 'jpeg') {
      try {
        bytes = new Uint8Array(await sharp(image, { limitInputPixels: maxPixels }).png().toBuffer())
      } catch (e) {
        throw new QrReadError(`cannot convert the ${format ?? 'unknown'} picture: ${(e as Error).message}`, 'bad-image', { cause: e })
      }
    }
    return decodeQrCodes(bytes)
  }
}
