/**
 * `qunguard import`: converts a chat export (CSV of WeChatMsg/留痕 or PyWxDump) into a FORMAT.md
 * history. Every row either becomes an event or is counted with its reason; rows that could
 * not be read are also reported with their line number.
 */
import { importCsvHistory } from '../../functions/adapters/local/csv-history-importer.ts'
import { JsonlWriter } from '../../functions/adapters/local/jsonl-history.ts'

export interface ImportOptions {
  readonly format: 'wechatmsg-csv' | 'pywxdump-csv'
  readonly file: string
  readonly out: string
  readonly room?: string | undefined
  readonly self?: string | undefined
  readonly log?: (line: string) => void
}

export interface ImportSummary {
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
  const out = new JsonlWriter(options.out)
  let rows = 0
  let imported = 0
  let reported = 0
  const reasons: Record<string, number> = {}
  try {
    for await (const row of importCsvHistory(options.format, options.file, { room: options.room, self: options.self })) {
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
  return { events: out.count, rows, imported, skipped: rows - imported, reasons }
}

/** The summary line: rows read, imported, and every reason a row was not, most frequent first. */
export function formatImportSummary(s: ImportSummary, file: string, out: string): string {
  const why = Object.entries(s.reasons)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([reason, n]) => `${n} ${reason}`)
    .join('; ')
  return `imported ${file} → ${out}: ${s.rows} rows read, ${s.imported} imported as events, ${s.skipped} not imported${why ? ` (${why})` : ''}; ${s.events} lines written`
}
