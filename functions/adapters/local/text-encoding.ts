/**
 * The text encoding of an export file, and its text decoded strictly from it. Chat exports
 * come as UTF-8 (with or without a BOM), as UTF-16 (what Excel's "Unicode text" writes) and as
 * GBK/GB18030 (what Windows tools write for Chinese). Decoding is strict (`fatal`): a file is
 * never read as garbage; one that decodes in none of them is refused, naming the file.
 *
 * Detection: a BOM decides; else NUL bytes in alternate positions of the head mean UTF-16;
 * else the whole file decoding as UTF-8 means UTF-8; else GB18030 (a superset of GBK).
 * Node's built-in TextDecoder knows all of them.
 *
 * @example
 *   const encoding = await detectFileEncoding('chat.csv') // 'gb18030'
 *   decodedStream('chat.csv', encoding).pipe(csvParser)    // UTF-8 bytes
 */
import fs from 'node:fs'
import { Transform } from 'node:stream'

/** The file's bytes are not text in the encoding given or found (a user error, shown as one line). */
export class TextEncodingError extends Error {
  override readonly name = 'TextEncodingError'
}

/** How much of the head is looked at for a BOM and for UTF-16's NUL bytes. */
const HEAD_BYTES = 4096

/** What the first bytes say: a BOM, or UTF-16 by its NUL pattern; undefined when they do not say. */
export function sniffEncoding(head: Uint8Array): 'utf-8' | 'utf-16le' | 'utf-16be' | undefined {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8'
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le'
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be'
  // ASCII (the CSV header, commas, digits) in UTF-16 puts a NUL in every other byte; text in
  // UTF-8 or GB18030 has no NUL at all.
  let even = 0
  let odd = 0
  const pairs = Math.floor(Math.min(head.length, HEAD_BYTES) / 2)
  for (let i = 0; i < pairs * 2; i += 2) {
    if (head[i] === 0) even++
    if (head[i + 1] === 0) odd++
  }
  // Chinese text has a few NULs of its own (一 is U+4E00), so the test is which side has many.
  if (pairs >= 2 && odd >= pairs / 4 && even * 8 < odd) return 'utf-16le'
  if (pairs >= 2 && even >= pairs / 4 && odd * 8 < even) return 'utf-16be'
  return undefined
}

/** The WHATWG name of an encoding label (`GBK` → `gbk`), or a TextEncodingError naming the label. */
export function encodingName(label: string): string {
  try {
    return new TextDecoder(label).encoding
  } catch {
    throw new TextEncodingError(`不认识的编码 "${label}" / unknown text encoding "${label}" (try utf-8, gb18030, gbk, utf-16le, utf-16be)`)
  }
}

const SHOWN: Record<string, string> = { 'utf-8': 'UTF-8', 'utf-16le': 'UTF-16LE', 'utf-16be': 'UTF-16BE', gb18030: 'GB18030', gbk: 'GBK' }
const shown = (encoding: string) => SHOWN[encoding] ?? encoding

/** Whether the whole file decodes strictly in `encoding`; the line where it stops, when not. */
async function decodesAs(file: string, encoding: string): Promise<{ ok: true } | { ok: false; line: number }> {
  const decoder = new TextDecoder(encoding, { fatal: true })
  let lines = 1
  const newlines = (text: string) => text.split('\n').length - 1
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    try {
      lines += newlines(decoder.decode(chunk, { stream: true }))
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ERR_ENCODING_INVALID_ENCODED_DATA') throw e
      // Where in the chunk: up to the first replacement character of a lenient decoding.
      const lenient = new TextDecoder(encoding).decode(chunk)
      return { ok: false, line: lines + newlines(lenient.slice(0, Math.max(0, lenient.indexOf('\uFFFD')))) }
    }
  }
  try {
    decoder.decode()
    return { ok: true }
  } catch {
    return { ok: false, line: lines }
  }
}

async function head(file: string): Promise<Uint8Array> {
  const fd = await fs.promises.open(file, 'r')
  try {
    const buffer = Buffer.alloc(HEAD_BYTES)
    const { bytesRead } = await fd.read(buffer, 0, HEAD_BYTES, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await fd.close()
  }
}

/**
 * The encoding of a file (a WHATWG name), checked over the whole file; with `forced`, that
 * encoding, checked the same way. A TextEncodingError in Chinese and English when nothing fits.
 */
export async function detectFileEncoding(file: string, forced?: string): Promise<string> {
  if (forced) {
    const encoding = encodingName(forced)
    const r = await decodesAs(file, encoding)
    if (r.ok) return encoding
    throw new TextEncodingError(
      `文件 ${file} 不是有效的 ${shown(encoding)} 文本（第 ${r.line} 行附近）/ ${file} is not valid ${shown(encoding)} text (near line ${r.line})`,
    )
  }
  const sniffed = sniffEncoding(await head(file))
  const candidates = sniffed ? [sniffed] : ['utf-8', 'gb18030']
  for (const encoding of candidates) if ((await decodesAs(file, encoding)).ok) return encoding
  const tried = candidates.map(shown).join('、')
  throw new TextEncodingError(
    `无法识别文件 ${file} 的文字编码（已试 ${tried}）：请用 --encoding 指定，或另存为 UTF-8。` +
      ` / Cannot read ${file} as text (tried ${candidates.map(shown).join(', ')}): pass --encoding, or save it as UTF-8.`,
  )
}

/** The file's text as UTF-8 bytes, decoded strictly from `encoding` (a BOM is dropped). */
export function decodedStream(file: string, encoding: string): NodeJS.ReadableStream {
  const decoder = new TextDecoder(encoding, { fatal: true })
  const toUtf8 = new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        done(null, Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8'))
      } catch (e) {
        done(new TextEncodingError(`${file} is not valid ${shown(encoding)} text`, { cause: e }))
      }
    },
    flush(done) {
      try {
        const rest = decoder.decode()
        done(null, rest ? Buffer.from(rest, 'utf8') : undefined)
      } catch (e) {
        done(new TextEncodingError(`${file} is not valid ${shown(encoding)} text`, { cause: e }))
      }
    },
  })
  const input = fs.createReadStream(file)
  input.on('error', (e) => toUtf8.destroy(e))
  return input.pipe(toUtf8)
}
