/**
 * zxing-wasm's QR reader, shared by both QR adapters: its wasm read from disk once (a bundle
 * ships it next to itself, otherwise node_modules has it — never fetched), and one decode call.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader'

let prepared: Promise<unknown> | undefined

/** Loads the reader's wasm (the first call wins; later calls wait for it). */
export function prepareZxingReader(wasmPath?: string | URL): Promise<unknown> {
  prepared ??= (async () => {
    const wasm = fs.readFileSync(wasmPath ?? createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'))
    return prepareZXingModule({
      overrides: { wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer },
      fireImmediately: true,
    })
  })()
  return prepared
}

/** Every valid QR code (and micro QR code) in a PNG, JPEG, GIF or BMP file. */
export async function decodeQrCodes(image: Uint8Array): Promise<string[]> {
  const results = await readBarcodes(image, { formats: ['QRCode', 'MicroQRCode'], tryHarder: true, maxNumberOfSymbols: 8 })
  return results.filter((r) => r.isValid).map((r) => r.text)
}
