/**
 * `qunguard import`: converts a chat export (CSV of WeChatMsg/留痕 or PyWxDump) into a docs/format.md
 * history. Every row either becomes an event or is counted with its reason; rows that could
 * not be read are also reported with their line number.
 */
import fs from 'node:fs'
import path from 'node:path'
import { type CsvFormat, CsvFormatError, detectCsvFormat, importCsvHistory } from '../../functions/adapters/local/csv-history-importer.ts'
import { JsonlWriter } from '../../functions/adapters/local/jsonl-history.ts'
import { detectFileEncoding } from '../../functions/adapters/local/text-encoding.ts'
import { maskPii } from '../../functions/domain/privacy.ts'

export interface ImportOptions {
  /** Which exporter wrote the file. @default told from the CSV header */
  readonly format?: CsvFormat | undefined
  readonly file: string
  /** The history to write, whole or not at all (temporary file, renamed). @default defaultImportOut(file) */
  readonly out?: string | undefined
  readonly room?: string | undefined
  readonly self?: string | undefined
  /** The export's text encoding (`gbk`, `utf-16le`, …); detected when not given. */
  readonly encoding?: string | undefined
  readonly log?: (line: string) => void
}

export interface ImportSummary {
  /** The exporter's format, given or detected. */
  readonly format: CsvFormat
  /** The history written. */
  readonly out: string
  /** The text encoding the export was read in (WHATWG name). */
  readonly encoding: string
  /** Lines written (events from rows plus the room snapshots and the account the importer adds). */
  readonly events: number
  /** Rows of the export read. */
  readonly rows: number
  /** Rows turned into an event. */
  readonly imported: number
  /** Rows not turned into an event. */
  readonly skipped: number
  /** Rows not turned into an event, by reason. */
  readonly reasons: Readonly<Record<string, number>>
}

const MAX_REPORTED = 50

/** `chat.csv` → `chat.jsonl`, beside the export. */
export function defaultImportOut(file: string): string {
  const ext = path.extname(file)
  return path.join(path.dirname(file), `${path.basename(file, ext)}.jsonl`)
}

export async function importHistory(options: ImportOptions): Promise<ImportSummary> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  await fs.promises.access(options.file, fs.constants.R_OK) // a missing file fails with its name, before any output
  const encoding = await detectFileEncoding(options.file, options.encoding)
  const format = options.format ?? (await detectCsvFormat(options.file, encoding))
  const outFile = options.out ?? defaultImportOut(options.file)
  if (path.resolve(outFile) === path.resolve(options.file))
    throw new CsvFormatError(`--out ${outFile} is the export itself; name another file`)
  const out = new JsonlWriter(outFile, { atomic: true })
  let rows = 0
  let imported = 0
  let reported = 0
  const reasons: Record<string, number> = {}
  try {
    for await (const row of importCsvHistory(format, options.file, { room: options.room, self: options.self, encoding })) {
      if (row.event) {
        await out.write(row.event)
        if (row.derived) continue
        imported++
      } else {
        const reason = row.reason ?? 'unknown'
        reasons[reason] = (reasons[reason] ?? 0) + 1
        if (row.error && ++reported <= MAX_REPORTED) log(`${options.file}:${row.line}: skipped: ${maskPii(row.error)}`)
      }
      rows++
    }
  } catch (e) {
    await out.discard() // an earlier history of the same name stays as it was
    throw e
  }
  await out.close()
  if (reported > MAX_REPORTED) log(`… and ${reported - MAX_REPORTED} more rows skipped`)
  return { format, out: outFile, encoding, events: out.count, rows, imported, skipped: rows - imported, reasons }
}

/** The summary line: rows read, imported, and every reason a row was not, most frequent first. */
export function formatImportSummary(s: ImportSummary, file: string): string {
  const why = Object.entries(s.reasons)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([reason, n]) => `${n} ${reason}`)
    .join('; ')
  return `imported ${file} (${s.format}, ${s.encoding}) → ${s.out}: ${s.rows} rows read, ${s.imported} imported as events, ${s.skipped} not imported${why ? ` (${why})` : ''}; ${s.events} lines written`
}
