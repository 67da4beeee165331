/**
 * Reads and writes FORMAT.md JSON Lines files (histories and decisions).
 *
 * @example
 *   for await (const row of readHistory('train.jsonl')) {
 *     if (row.error) console.error(`line ${row.line}: ${row.error}`)
 *     else handle(row.event)
 *   }
 */
import fs from 'node:fs'
import readline from 'node:readline'
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

/**
 * Streams a history file; a malformed line yields an error naming its line number, never a
 * throw. Events come out masked (parseEvent); errors quote no personal number.
 */
export async function* readHistory(file: string): AsyncGenerator<HistoryRow> {
  await fs.promises.access(file, fs.constants.R_OK) // a missing file fails here, with its name, not inside a stream
  const input = fs.createReadStream(file, { encoding: 'utf8' })
  const lines = readline.createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
  let n = 0
  for await (const raw of lines) {
    n++
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
    const media = (json as { media?: unknown } | null)?.media
    yield parsed.ok ? { line: n, event: parsed.value, ...(typeof media === 'string' ? { media } : {}) } : { line: n, error: parsed.error }
  }
}

/** A JSON Lines writer that waits for the stream when it is full and reports write errors. */
export class JsonlWriter {
  private readonly out: fs.WriteStream
  private failure: Error | undefined
  count = 0

  constructor(file: string) {
    this.out = fs.createWriteStream(file, { encoding: 'utf8' })
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
  }
}
