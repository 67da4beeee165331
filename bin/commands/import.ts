/**
 * `qunguard import`: converts a chat export (CSV of WeChatMsg/留痕 or PyWxDump) into a docs/format.md
 * history. Every row either becomes an event or is counted with its reason; rows that could
 * not be read are also reported with their line number.
 */
import fs from 'node:fs'
import { importCsvHistory } from '../../functions/adapters/local/csv-history-importer.ts'
import { JsonlWriter } from '../../functions/adapters/local/jsonl-history.ts'
import { detectFileEncoding } from '../../functions/adapters/local/text-encoding.ts'

export interface ImportOptions {
  readonly format: 'wechatmsg-csv' | 'pywxdump-csv'
  readonly file: string
  readonly out: string
  readonly room?: string | undefined
  readonly self?: string | undefined
  /** The export's text encoding (`gbk`, `utf-16le`, …); detected when not given. */
  readonly encoding?: string | undefined
  readonly log?: (line: string) => void
}

export interface ImportSummary {
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

export async function importHistory(options: ImportOptions): Promise<ImportSummary> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  await fs.promises.access(options.file, fs.constants.R_OK) // a missing file fails with its name, before any output
  const encoding = await detectFileEncoding(options.file, options.encoding)
  const out = new JsonlWriter(options.out)
  let rows = 0
  let imported = 0
  let reported = 0
  const reasons: Record<string, number> = {}
  try {
    for await (const row of importCsvHistory(options.format, options.file, { room: options.room, self: options.self, encoding })) {
      if (row.event) {
        await out.write(row.event)
        if (row.derived) continue
        imported++
      } else {
        const reason = row.reason ?? 'unknown'
        reasons[reason] = (reasons[reason] ?? 0) + 1
        if (row.error && ++reported <= MAX_REPORTED) log(`${options.file}:${row.line}: skipped: ${row.error}`)
      }
      rows++
    }
  } finally {
    await out.close()
  }
  if (reported > MAX_REPORTED) log(`… and ${reported - MAX_REPORTED} more rows skipped`)
  return { encoding, events: out.count, rows, imported, skipped: rows - imported, reasons }
}

/** The summary line: rows read, imported, and every reason a row was not, most frequent first. */
export function formatImportSummary(s: ImportSummary, file: string, out: string): string {
  const why = Object.entries(s.reasons)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([reason, n]) => `${n} ${reason}`)
    .join('; ')
  return `imported ${file} (${s.encoding}) → ${out}: ${s.rows} rows read, ${s.imported} imported as events, ${s.skipped} not imported${why ? ` (${why})` : ''}; ${s.events} lines written`
}
