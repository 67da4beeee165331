import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { defaultImportOut, importHistory } from '../../bin/commands/import.ts'
import { CsvFormatError, detectCsvFormat } from '../../functions/adapters/local/csv-history-importer.ts'
import { tempDir } from '../helpers/temp-dirs.ts'

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url))
const quiet = () => {}

describe('import defaults', () => {
  it('tells the exporter from the CSV header, in any encoding', async () => {
    expect(await detectCsvFormat(fixture('wechatmsg.csv'))).toBe('wechatmsg-csv')
    expect(await detectCsvFormat(fixture('wechatmsg-gbk.csv'))).toBe('wechatmsg-csv')
    expect(await detectCsvFormat(fixture('wechatmsg-utf16le.csv'))).toBe('wechatmsg-csv')
    expect(await detectCsvFormat(fixture('pywxdump/chat.csv'))).toBe('pywxdump-csv')
  })

  it('refuses a CSV no exporter wrote, naming the columns and --from', async () => {
    const file = path.join(tempDir('qunguard-import-'), 'other.csv')
    fs.writeFileSync(file, 'date,amount\n2025-01-01,3\n')
    await expect(detectCsvFormat(file)).rejects.toThrow(CsvFormatError)
    await expect(detectCsvFormat(file)).rejects.toThrow(/date,amount.*--from/)
  })

  it('writes chat.jsonl beside chat.csv when --out is not given, and says which format it read', async () => {
    const dir = tempDir('qunguard-import-')
    const file = path.join(dir, 'chat.csv')
    fs.copyFileSync(fixture('wechatmsg.csv'), file)
    expect(defaultImportOut(file)).toBe(path.join(dir, 'chat.jsonl'))
    const s = await importHistory({ file, room: '7@chatroom', log: quiet })
    expect(s.format).toBe('wechatmsg-csv')
    expect(s.out).toBe(path.join(dir, 'chat.jsonl'))
    expect(fs.readFileSync(s.out, 'utf8').trim().split('\n')).toHaveLength(s.events)
  })

  it('leaves an earlier history untouched when the import fails part-way', async () => {
    const dir = tempDir('qunguard-import-')
    const file = path.join(dir, 'bad.csv')
    // A valid header and first row, then bytes that are text in no encoding: the decoder fails mid-file.
    const good = fs.readFileSync(fixture('wechatmsg.csv'))
    fs.writeFileSync(file, Buffer.concat([good, Buffer.from([0xff, 0x80, 0xff, 0x0a])]))
    const out = path.join(dir, 'history.jsonl')
    fs.writeFileSync(out, '{"kept":true}\n')
    await expect(importHistory({ file, out, format: 'wechatmsg-csv', encoding: 'utf-8', log: quiet })).rejects.toThrow(/bad\.csv/)
    expect(fs.readFileSync(out, 'utf8')).toBe('{"kept":true}\n')
    expect(fs.readdirSync(dir).sort()).toEqual(['bad.csv', 'history.jsonl'])
  })

  it('refuses to write over the export itself', async () => {
    const dir = tempDir('qunguard-import-')
    const file = path.join(dir, 'chat.jsonl')
    fs.copyFileSync(fixture('wechatmsg.csv'), file)
    await expect(importHistory({ file, log: quiet })).rejects.toThrow(/the export itself/)
  })
})
