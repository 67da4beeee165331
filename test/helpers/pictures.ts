/**
 * Pictures made on the spot for tests and benchmarks: QR codes (zxing-wasm's writer, its wasm
 * read from node_modules), text rendered with a CJK font (sharp/Pango), placed over a photo at
 * an angle, and broken files (truncated, corrupt, a header declaring a huge size).
 *
 * Chinese text needs a CJK font on the machine (Debian: fonts-wqy-microhei, which .ci/run
 * installs); `cjkFont()` says whether there is one.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import sharp from 'sharp'
import { prepareZXingModule, writeBarcode } from 'zxing-wasm/writer'

const FONTS = [
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
  '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
]

/** A CJK font file, or undefined when the machine has none. */
export function cjkFont(): string | undefined {
  return FONTS.find((f) => fs.existsSync(f))
}

let writer: Promise<unknown> | undefined

/** A PNG of a QR code holding `text`, with a quiet zone, `size` pixels wide. */
export async function qrPicture(text: string, size = 300): Promise<Buffer> {
  writer ??= (async () => {
    const wasm = fs.readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/writer/zxing_writer.wasm'))
    return prepareZXingModule({
      overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer },
      fireImmediately: true,
    })
  })()
  await writer
  const r = await writeBarcode(text, { format: 'QRCode', scale: 8 })
  if (r.error || !r.svg) throw new Error(`zxing could not write a QR code: ${r.error}`)
  const code = await sharp(Buffer.from(r.svg))
    .resize(size - 40, size - 40, { kernel: 'nearest' })
    .png()
    .toBuffer()
  return sharp({ create: { width: size, height: size, channels: 3, background: '#ffffff' } })
    .composite([{ input: code, left: 20, top: 20 }])
    .png()
    .toBuffer()
}

export interface TextPictureOptions {
  /** Font size in points. @default 28 */
  readonly size?: number
  /** Degrees, clockwise. @default 0 */
  readonly angle?: number
  /** A photo to lay the text over (on a light box, as posters and screenshots do). */
  readonly background?: Buffer | undefined
  /** Text colour. @default black */
  readonly color?: string
}

const escapeMarkup = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** Lines of text rendered in a CJK font, optionally rotated and laid over a photo. */
export async function textPicture(lines: readonly string[], o: TextPictureOptions = {}): Promise<Buffer> {
  const font = cjkFont()
  if (!font) throw new Error('no CJK font on this machine (apt-get install fonts-wqy-microhei)')
  const markup = lines.map((l) => `<span foreground="${o.color ?? 'black'}">${escapeMarkup(l)}</span>`).join('\n')
  const text = await sharp({
    text: { text: markup, fontfile: font, font: `WenQuanYi Micro Hei ${o.size ?? 28}`, rgba: true, dpi: 96, spacing: 12 },
  })
    .png()
    .toBuffer()
  const meta = await sharp(text).metadata()
  const w = (meta.width ?? 0) + 60
  const h = (meta.height ?? 0) + 60
  let card = await sharp({
    create: { width: w, height: h, channels: 4, background: { r: 255, g: 255, b: 255, alpha: o.background ? 0.85 : 1 } },
  })
    .composite([{ input: text, left: 30, top: 30 }])
    .png()
    .toBuffer()
  if (o.angle)
    card = await sharp(card)
      .rotate(o.angle, { background: { r: 0, g: 0, b: 0, alpha: 0 } })
      .png()
      .toBuffer()
  if (!o.background) return sharp(card).flatten({ background: '#ffffff' }).png().toBuffer()
  const c = await sharp(card).metadata()
  const photo = await sharp(o.background)
    .resize({ width: (c.width ?? 0) + 120, height: (c.height ?? 0) + 160, fit: 'cover' })
    .png()
    .toBuffer()
  return sharp(photo)
    .composite([{ input: card, left: 60, top: 80 }])
    .jpeg({ quality: 85 })
    .toBuffer()
}

/** A PNG whose header declares `width`×`height` pixels, in a few hundred bytes (a decompression bomb's shape). */
export async function hugeDeclaredPng(width = 60_000, height = 60_000): Promise<Buffer> {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ffffff' } })
    .png()
    .toBuffer()
  const out = Buffer.from(png)
  out.writeUInt32BE(width, 16) // IHDR width
  out.writeUInt32BE(height, 20) // IHDR height
  return out
}

/** The first part of a real picture: a truncated download. */
export const truncated = (picture: Buffer, keep = 0.4): Buffer => picture.subarray(0, Math.floor(picture.length * keep))

/** Bytes that are no picture at all. */
export const notAPicture = (): Buffer => Buffer.from('this is not an image, just text pretending to be one\n'.repeat(20))
