/** ZxingQrReader on pictures made here: QR codes drawn with zxing's writer, corrupt and oversized files. */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import zlib from 'node:zlib'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { prepareZXingModule, writeBarcode } from 'zxing-wasm/writer'
import { ZxingQrReader } from '../../functions/adapters/local/zxing-qr-reader.ts'
import { QrReadError } from '../../functions/ports/qr-reader.port.ts'

let reader: ZxingQrReader

async function qrPng(text: string, scale = 8): Promise<Uint8Array> {
  const { svg, error } = await writeBarcode(text, { format: 'QRCode', scale })
  if (error) throw new Error(error)
  return new Uint8Array(await sharp(Buffer.from(svg)).flatten({ background: '#fff' }).png().toBuffer())
}

/** A tiny PNG file whose header declares `w`×`h` pixels (a decompression bomb's shape). */
function pngDeclaring(w: number, h: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const t = Buffer.from(type)
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length, 0)
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([t, data])) >>> 0, 0)
    return Buffer.concat([len, t, data, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  return new Uint8Array(
    Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.alloc(10))), chunk('IEND', Buffer.alloc(0))]),
  )
}

beforeAll(async () => {
  const wasm = fs.readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/writer/zxing_writer.wasm'))
  await prepareZXingModule({
    overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer },
    fireImmediately: true,
  })
  reader = await ZxingQrReader.create()
})

describe('Class: ZxingQrReader', () => {
  it('decodes a QR code in a PNG, and in a WebP it converts first', async () => {
    const png = await qrPng('https://weixin.qq.com/g/AbCdEf')
    expect(await reader.read(png)).toEqual(['https://weixin.qq.com/g/AbCdEf'])
    const webp = new Uint8Array(await sharp(png).webp({ lossless: true }).toBuffer())
    expect(await reader.read(webp)).toEqual(['https://weixin.qq.com/g/AbCdEf'])
  })

  it('finds a small QR code pasted into a bigger picture, and none in a plain one', async () => {
    const code = await qrPng('wxp://f2f0abc', 4)
    const poster = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#c8d2e6' } })
      .composite([{ input: Buffer.from(code), left: 500, top: 300 }])
      .jpeg()
      .toBuffer()
    expect(await reader.read(new Uint8Array(poster))).toEqual(['wxp://f2f0abc'])
    const plain = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#808080' } })
      .png()
      .toBuffer()
    expect(await reader.read(new Uint8Array(plain))).toEqual([])
  })

  it('refuses a corrupt file, a declared 50,000 × 50,000 picture and too many bytes, before decoding', async () => {
    await expect(reader.read(new TextEncoder().encode('not a picture'))).rejects.toMatchObject({ name: 'QrReadError', kind: 'bad-image' })
    const bomb = reader.read(pngDeclaring(50_000, 50_000))
    await expect(bomb).rejects.toBeInstanceOf(QrReadError)
    await expect(bomb).rejects.toMatchObject({ kind: 'too-large' })
    const small = await ZxingQrReader.create({ maxBytes: 100 })
    await expect(small.read(await qrPng('x'))).rejects.toMatchObject({ kind: 'too-large' })
  })
})
