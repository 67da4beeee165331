/**
 * Reads and writes docs/format.md JSON Lines files (histories and decisions).
 *
 * @example
 *   for await (const row of readHistory('train.jsonl')) {
 *     if (row.error) console.error(`line ${row.line}: ${row.error}`)
 *     else handle(row.event)
 *   }
 */
import fs from 'node:fs'
import path from 'node:path'
import { type GroupEvent, parseEvent } from '../../domain/events.ts'
import { maskPii } from '../../domain/privacy.ts'

export type HistoryRow =
  | {
      readonly line: number
      /** The event, personal numbers masked (its `media` path too). */
      readonly event: GroupEvent
      /** The message's `media` path as the line gave it, to find the file; never stored. */
      readonly media?: string | undefined
      readonly error?: undefined
    }
  | { readonly line: number; readonly event?: undefined; readonly error: string }

/** What a history line may hold: longer lines and texts are reported and skipped, never read whole. */
export interface HistoryLimits {
  /** Bytes in one line. @default 1 MiB */
  readonly maxLineBytes?: number
  /** Characters in a message's or private message's text. @default 65,536 */
  readonly maxTextChars?: number
}

export const DEFAULT_MAX_LINE_BYTES = 2 ** 20
export const DEFAULT_MAX_TEXT_CHARS = 65_536

/** A file that cannot be read as input (missing, not a regular file, too large). */
export class InputFileError extends Error {
  override name = 'InputFileError'
}

/**
 * Checks, before reading a byte, that `file` is a regular file (not a FIFO, device, socket or
 * folder, which could block or never end) and, when `maxBytes` is given, no larger than that.
 * Returns its size.
 */
export async function checkInputFile(file: string, what: string, maxBytes?: number): Promise<number> {
  let st: fs.Stats
  try {
    st = await fs.promises.stat(file)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new InputFileError(
      code === 'ENOENT' ? `${what} ${file}: no such file` : `${what} ${file}: cannot read (${code ?? (e as Error).message})`,
    )
  }
  if (st.isDirectory()) throw new InputFileError(`${what} ${file}: is a folder, not a file`)
  if (!st.isFile()) throw new InputFileError(`${what} ${file}: not a regular file (a pipe, device or socket): refused`)
  if (maxBytes !== undefined && st.size > maxBytes)
    throw new InputFileError(`${what} ${file}: ${mib(st.size)} is over the limit of ${mib(maxBytes)}: refused`)
  return st.size
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(n < 2 ** 20 ? 2 : 0)} MiB`

/**
 * Splits a byte stream into lines without ever holding more than `maxBytes` of one: a longer
 * line is skipped to its end and yielded as `undefined`.
 */
async function* boundedLines(input: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<string | undefined> {
  let parts: Buffer[] = []
  let size = 0
  let tooLong = false
  const finish = (): string | undefined => {
    const line = tooLong ? undefined : Buffer.concat(parts, size).toString('utf8').replace(/\r$/, '')
    parts = []
    size = 0
    tooLong = false
    return line
  }
  for await (const chunk of input) {
    let from = 0
    while (from < chunk.length) {
      const nl = chunk.indexOf(10, from)
      const end = nl === -1 ? chunk.length : nl
      if (!tooLong) {
        if (size + (end - from) > maxBytes) tooLong = true
        else {
          parts.push(chunk.subarray(from, end))
          size += end - from
        }
      }
      if (nl === -1) break
      yield finish()
      from = nl + 1
    }
  }
  if (size > 0 || tooLong) yield finish()
}

/**
 * Streams a history file line by line; a malformed, over-long or over-large line yields an error
 * naming its line number, never a throw. The file itself is checked first (`InputFileError`).
 * Events come out masked (parseEvent); errors quote no personal number; a message's picture
 * path as written comes out of band (`media`), its event's own being masked.
 */
export async function* readHistory(file: string, limits: HistoryLimits = {}): AsyncGenerator<HistoryRow> {
  const maxLine = limits.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
  const maxText = limits.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS
  await checkInputFile(file, 'history') // a missing file or a FIFO fails here, with its name, not inside a stream
  await fs.promises.access(file, fs.constants.R_OK)
  const input = fs.createReadStream(file, { highWaterMark: 64 * 1024 })
  let n = 0
  for await (const raw of boundedLines(input, maxLine)) {
    n++
    if (raw === undefined) {
      yield { line: n, error: `line longer than ${maxLine} bytes: skipped unread` }
      continue
    }
    const text = n === 1 ? raw.replace(/^\uFEFF/, '') : raw
    if (!text.trim()) continue
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (e) {
      // JSON.parse quotes the line it could not read.
      yield { line: n, error: maskPii(`not JSON (${(e as Error).message})`) }
      continue
    }
    const parsed = parseEvent(json)
    if (!parsed.ok) {
      yield { line: n, error: parsed.error }
      continue
    }
    const e = parsed.value
    const media = (json as { media?: unknown } | null)?.media
    const chars =
      (e.kind === 'message' || e.kind === 'private' || e.kind === 'announcement') && typeof e.text === 'string' ? e.text.length : 0
    if (chars > maxText) yield { line: n, error: `text of ${chars} characters is over the limit of ${maxText}: skipped` }
    else yield { line: n, event: e, ...(typeof media === 'string' ? { media } : {}) }
  }
}

export interface JsonlWriterOptions {
  /**
   * Write to a temporary file next to `file`, flushed to disk and renamed over `file` on
   * `close`: readers (and a crash) see the old file or the whole new one, never a part.
   * @default false
   */
  readonly atomic?: boolean
}

/** A JSON Lines writer that waits for the stream when it is full and reports write errors. */
export class JsonlWriter {
  private readonly out: fs.WriteStream
  private readonly temp: string | undefined
  private failure: Error | undefined
  count = 0

  constructor(
    private readonly file: string,
    options: JsonlWriterOptions = {},
  ) {
    this.temp = options.atomic ? path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`) : undefined
    this.out = fs.createWriteStream(this.temp ?? file, { encoding: 'utf8', flush: options.atomic === true })
    this.out.on('error', (e) => {
      this.failure = e
    })
  }

  async write(row: unknown): Promise<void> {
    if (this.failure) throw this.failure
    this.count++
    if (!this.out.write(`${JSON.stringify(row)}\n`)) await new Promise<void>((resolve) => this.out.once('drain', resolve))
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.out.end((e?: Error | null) => (e ? reject(e) : resolve())))
    if (this.failure) throw this.failure
    if (this.temp) {
      await fs.promises.rename(this.temp, this.file)
      await syncDir(path.dirname(this.file))
    }
  }

  /** Gives up: an atomic writer leaves the old file as it was. */
  async discard(): Promise<void> {
    await new Promise<void>((resolve) => this.out.end(() => resolve()))
    if (this.temp) await fs.promises.rm(this.temp, { force: true })
  }
}

/** Makes a rename durable (a no-op where directories cannot be opened, as on Windows). */
async function syncDir(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined
  try {
    handle = await fs.promises.open(dir, 'r')
    await handle.sync()
  } catch {
    // best effort
  } finally {
    await handle?.close()
  }
}
