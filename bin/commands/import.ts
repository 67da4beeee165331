/**
 * `qunguard import`: converts a chat export (CSV of WeChatMsg/留痕 or PyWxDump) into a FORMAT.md
 * history. Bad rows are reported with their line number and skipped.
 */
import { importCsvHistory } from '../../functions/adapters/local/csv-history-importer.ts'
import { JsonlWriter } from '../../functions/adapters/local/jsonl-history.ts'
import { maskPii } from '../../functions/domain/privacy.ts'

export interface ImportOptions {
  readonly format: 'wechatmsg-csv' | 'pywxdump-csv'
  readonly file: string
  readonly out: string
  readonly room?: string | undefined
  readonly self?: string | undefined
  readonly log?: (line: string) => void
}

const MAX_REPORTED = 50

export async function importHistory(options: ImportOptions): Promise<{ events: number; skipped: number }> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const out = new JsonlWriter(options.out)
  let skipped = 0
  try {
    for await (const row of importCsvHistory(options.format, options.file, { room: options.room, self: options.self })) {
      if (row.event) await out.write(row.event)
      else if (row.error && ++skipped <= MAX_REPORTED) log(`${options.file}:${row.line}: skipped: ${maskPii(row.error)}`)
    }
  } finally {
    await out.close()
  }
  if (skipped > MAX_REPORTED) log(`… and ${skipped - MAX_REPORTED} more rows skipped`)
  return { events: out.count, skipped }
}
