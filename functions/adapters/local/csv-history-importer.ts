/**
 * Converts the CSV chat exports of WeChatMsg (留痕) and PyWxDump into docs/format.md events.
 *
 * - WeChatMsg, one file per chat: `localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,
 *   StrContent,StrTime,Remark,NickName,Sender`. A group's file names no room id, so the room is
 *   `--room` or `wechatmsg-talker-<TalkerId>`; `Sender` is the member's wxid.
 * - PyWxDump: `id,MsgSvrID,type_name,is_sender,talker,room_name,msg,src,CreateTime`, where
 *   `room_name` is the chat's id (…@chatroom for groups) and `talker` the sender's wxid. The
 *   `users.json` PyWxDump writes beside the CSV, when present, maps ids to display names.
 *
 * System messages become leave (kick), recall and join (invitation or QR code) events. Names in
 * them are display names: mapped to ids through the names seen so far, else `name:<display name>`.
 * Exports are China time; times without an offset are read as +08:00.
 *
 * @example
 *   for await (const row of importCsvHistory('pywxdump-csv', 'chat.csv')) if (row.event) write(row.event)
 */
import fs from 'node:fs'
import path from 'node:path'
import { parse } from 'csv-parse'
import { type GroupEvent, type MessageType, parseEvent } from '../../domain/events.ts'
import { MentionResolver, type Mentions } from '../../domain/import/mentions.ts'
import { parseSystemMessage, systemText, type Who } from '../../domain/import/system-messages.ts'
import { redact } from '../../domain/redact.ts'
import { decodedStream, detectFileEncoding } from './text-encoding.ts'

export type CsvFormat = 'wechatmsg-csv' | 'pywxdump-csv'

/**
 * One row of the export, and what became of it. Every row comes out either as an event or
 * with a `reason` (a fixed phrase the summary counts by); rows that could not be read also
 * carry an `error` to report with the line. `derived` events (the room snapshot, the
 * account) are added by the importer and stand for no row.
 */
export interface ImportRow {
  /** Line of the CSV file where the row ends. */
  readonly line: number
  readonly event?: GroupEvent | undefined
  readonly derived?: boolean | undefined
  /** Why the row is not an event. */
  readonly reason?: string | undefined
  /** What was wrong with a row that could not be read. */
  readonly error?: string | undefined
}

/** Reasons a row is not an event (the summary groups by these). */
export const SKIP = {
  malformed: 'malformed CSV',
  unreadable: 'unreadable row',
  notGroup: 'not a group chat (one-to-one chats are not imported)',
  invalid: 'invalid event',
  notUnderstood: 'system notice not understood',
  notice: (what: string) => `system notice without a moderation signal (${what})`,
} as const

export interface ImportOptions {
  /** Room id for a WeChatMsg group export (which names none). */
  readonly room?: string | undefined
  /** The account's own wxid, when the export does not show it. */
  readonly self?: string | undefined
  /** The file's text encoding (a WHATWG name, e.g. `gb18030`); detected when not given. */
  readonly encoding?: string | undefined
}

/** A row normalised across the two formats. */
interface Row {
  readonly id: string
  readonly room: string
  readonly isGroup: boolean
  readonly sender: string | undefined
  readonly senderName: string | undefined
  readonly fromSelf: boolean
  readonly ts: string
  readonly kind: MessageType | 'system' | 'announcement'
  readonly text: string
  readonly url: string | undefined
}

const CHINA = '+08:00'

/** Epoch seconds/milliseconds or "YYYY-MM-DD HH:MM:SS" (China time) → ISO-8601 with offset. */
export function exportTime(value: string): string | undefined {
  const v = value.trim()
  if (/^\d{9,13}$/.test(v)) {
    const ms = v.length > 11 ? Number(v) : Number(v) * 1000
    return new Date(ms + 8 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, CHINA)
  }
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(v)
  if (!m) return undefined
  const pad = (s: string | undefined) => (s ?? '0').padStart(2, '0')
  return `${m[1]}-${pad(m[2])}-${pad(m[3])}T${pad(m[4])}:${m[5]}:${pad(m[6])}${CHINA}`
}

/** WeChat's own message type numbers (WeChatMsg's Type/SubType columns). */
function typeFromNumbers(type: number, sub: number): Row['kind'] {
  switch (type) {
    case 1:
      return 'text'
    case 3:
      return 'image'
    case 34:
      return 'voice'
    case 43:
      return 'video'
    case 47:
      return 'emoji'
    case 42:
      return 'card'
    case 48:
      return 'location'
    case 10000:
    case 10002:
      return 'system'
    case 49:
      if (sub === 4 || sub === 5) return 'link'
      if (sub === 33 || sub === 36) return 'miniprogram'
      if (sub === 0 || sub === 6 || sub === 74) return 'file'
      if (sub === 57 || sub === 1) return 'text'
      if (sub === 87) return 'announcement'
      if (sub === 2000) return 'transfer'
      if (sub === 2001 || sub === 2003) return 'redpacket'
      if (sub === 8) return 'emoji'
      return 'other'
    default:
      return 'other'
  }
}

/** PyWxDump's Chinese type names. */
function typeFromName(name: string): Row['kind'] {
  const table: [RegExp, Row['kind']][] = [
    [/^文本$|引用|粘贴的文本|类似文字/, 'text'],
    [/图片/, 'image'],
    [/语音通话/, 'other'],
    [/语音/, 'voice'],
    [/视频号/, 'other'],
    [/视频/, 'video'],
    [/表情/, 'emoji'],
    [/小程序/, 'miniprogram'],
    [/链接|音乐|笔记/, 'link'],
    [/公众号|名片/, 'card'],
    [/位置|地图/, 'location'],
    [/文件/, 'file'],
    [/转账/, 'transfer'],
    [/红包/, 'redpacket'],
    [/群公告/, 'announcement'],
    [/系统通知|撤回|邀请加群|拍一拍/, 'system'],
  ]
  return table.find(([re]) => re.test(name))?.[1] ?? 'other'
}

type Record_ = Record<string, string | undefined>

function wechatMsgRow(r: Record_, options: ImportOptions): Row | string {
  const localId = r.localId?.trim()
  if (!localId) return 'no localId'
  const ts = exportTime(r.CreateTime ?? '') ?? exportTime(r.StrTime ?? '')
  if (!ts) return `unreadable time "${r.CreateTime ?? ''}"`
  const type = Number(r.Type)
  if (!Number.isFinite(type)) return `unreadable Type "${r.Type ?? ''}"`
  const fromSelf = r.IsSender?.trim() === '1'
  return {
    id: `wechatmsg:${localId}`,
    room: options.room ?? `wechatmsg-talker-${r.TalkerId?.trim() || 'unknown'}`,
    isGroup: true,
    sender: r.Sender?.trim() || undefined,
    senderName: r.Remark?.trim() || r.NickName?.trim() || undefined,
    fromSelf,
    ts,
    kind: typeFromNumbers(type, Number(r.SubType) || 0),
    text: r.StrContent ?? '',
    url: undefined,
  }
}

function pyWxDumpRow(r: Record_): Row | string {
  const id = r.MsgSvrID?.trim() || r.id?.trim()
  if (!id) return 'no MsgSvrID or id'
  const ts = exportTime(r.CreateTime ?? '')
  if (!ts) return `unreadable CreateTime "${r.CreateTime ?? ''}"`
  const room = r.room_name?.trim()
  if (!room) return 'no room_name'
  const fromSelf = r.is_sender?.trim() === '1'
  const talker = r.talker?.trim()
  const src = r.src?.trim()
  return {
    id: `pywxdump:${id}`,
    room,
    isGroup: room.endsWith('@chatroom'),
    sender: talker && talker !== '我' ? talker : undefined,
    senderName: undefined,
    fromSelf,
    ts,
    kind: typeFromName(r.type_name?.trim() ?? ''),
    text: r.msg ?? '',
    url: src && /^https?:\/\//.test(src) ? src : undefined,
  }
}

/** PyWxDump's users.json: { wxid: { nickname, remark, … } }. */
function readUsersJson(csvFile: string): Map<string, string> {
  const names = new Map<string, string>()
  const file = path.join(path.dirname(csvFile), 'users.json')
  if (!fs.existsSync(file)) return names
  try {
    const users = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { nickname?: string; remark?: string; roomNickname?: string }>
    for (const [id, u] of Object.entries(users)) {
      for (const n of [u.remark, u.nickname, u.roomNickname]) if (n) names.set(n, id)
    }
  } catch {
    // A users.json we cannot read only costs name resolution; the messages still import.
  }
  return names
}

function openCsv(file: string, encoding: string) {
  const text = decodedStream(file, encoding)
  const parser = parse({
    columns: true,
    bom: true,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
  })
  text.on('error', (e: Error) => parser.destroy(e))
  return text.pipe(parser)
}

/**
 * WeChatMsg rows name their sender (Remark/NickName → Sender); a first pass over the file
 * collects that, so a system message can name a member before the member's first message.
 */
async function wechatMsgNames(file: string, encoding: string): Promise<Map<string, string>> {
  const names = new Map<string, string>()
  for await (const { record } of openCsv(file, encoding) as AsyncIterable<{ record: Record_ }>) {
    const id = record.Sender?.trim()
    if (!id) continue
    for (const n of [record.NickName, record.Remark]) if (n?.trim()) names.set(n.trim(), id)
  }
  return names
}

/** An export whose format could not be told from its header. */
export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError'
}

/** Header columns that tell the exports apart (each format's own, not shared with the other). */
const SIGNATURE: Readonly<Record<CsvFormat, readonly string[]>> = {
  'wechatmsg-csv': ['TalkerId', 'StrContent', 'IsSender'],
  'pywxdump-csv': ['type_name', 'room_name', 'is_sender'],
}

/**
 * Which exporter wrote `file`, from its header line: WeChatMsg's `TalkerId,…,StrContent` or
 * PyWxDump's `…,type_name,is_sender,talker,room_name,…`. Throws CsvFormatError naming the columns
 * it found when the header is neither's.
 */
export async function detectCsvFormat(file: string, encoding?: string): Promise<CsvFormat> {
  const enc = encoding ?? (await detectFileEncoding(file))
  // The header is the first line; 64 KiB of the file holds it in any export seen.
  const handle = await fs.promises.open(file, 'r')
  const head = Buffer.alloc(64 * 1024)
  const { bytesRead } = await handle.read(head, 0, head.length, 0).finally(() => handle.close())
  const text = new TextDecoder(enc).decode(head.subarray(0, bytesRead)).replace(/^\uFEFF/, '')
  const first = text.split(/\r?\n/, 1)[0] ?? ''
  const header = first.split(',').map((c) => c.trim().replace(/^"|"$/g, ''))
  const found = (Object.keys(SIGNATURE) as CsvFormat[]).filter((f) => SIGNATURE[f].every((c) => header.includes(c)))
  if (found.length === 1 && found[0]) return found[0]
  throw new CsvFormatError(
    `${file}: cannot tell which exporter wrote it (header: ${header.slice(0, 12).join(',') || 'none'}); pass --from wechatmsg-csv or --from pywxdump-csv`,
  )
}

/** Streams a CSV export as docs/format.md events; bad rows come out as errors with their line. */
export async function* importCsvHistory(format: CsvFormat, file: string, options: ImportOptions = {}): AsyncGenerator<ImportRow> {
  await fs.promises.access(file, fs.constants.R_OK) // a missing file fails here, with its name, not inside a stream
  const encoding = options.encoding ?? (await detectFileEncoding(file))
  const idsByName = format === 'pywxdump-csv' ? readUsersJson(file) : await wechatMsgNames(file, encoding)
  const skipped: ImportRow[] = []
  const parser = openCsv(file, encoding)
  parser.on('skip', (e: Error & { lines?: number }) =>
    skipped.push({ line: e.lines ?? 0, reason: SKIP.malformed, error: `malformed CSV: ${e.message}` }),
  )

  let self = options.self
  const rooms = new Set<string>()
  const account = (ts: string, line: number): ImportRow | undefined =>
    self ? { line, derived: true, event: { kind: 'account', id: `account:${self}`, ts, self } } : undefined
  let accountSent = false
  const mentions = new MentionResolver()
  for (const [name, id] of idsByName) mentions.add(name, id)
  const idOf = (who: Who): string => {
    if (who === undefined) return self ?? 'self'
    const known = idsByName.get(who)
    if (known) return known
    mentions.add(who, `name:${who}`) // so that "@<who>" names the same placeholder
    return `name:${who}`
  }

  for await (const { record, info } of parser as AsyncIterable<{ record: Record_; info: { lines: number } }>) {
    yield* skipped.splice(0)
    // info.lines is the line the record ends on; a record spanning lines starts earlier.
    const line = info.lines
    const row = format === 'wechatmsg-csv' ? wechatMsgRow(record, options) : pyWxDumpRow(record)
    if (typeof row === 'string') {
      yield { line, reason: SKIP.unreadable, error: row }
      continue
    }
    if (!row.isGroup) {
      yield { line, reason: SKIP.notGroup, error: SKIP.notGroup }
      continue
    }
    if (row.fromSelf && row.sender && !self) self = row.sender
    if (!accountSent) {
      const a = account(row.ts, line)
      if (a) {
        accountSent = true
        yield a
      }
    }
    if (row.sender && row.senderName && idsByName.get(row.senderName) !== row.sender) {
      idsByName.set(row.senderName, row.sender)
      mentions.add(row.senderName, row.sender)
    }
    if (!rooms.has(row.room)) {
      rooms.add(row.room)
      yield {
        line,
        derived: true,
        event: { kind: 'room', id: `room:${row.room}`, ts: row.ts, room: row.room, topic: '', admins: [], members: [], names: {} },
      }
    }
    const out = toEvent(
      row,
      idOf,
      () => self,
      (text) => mentions.resolve(text),
    )
    if ('skip' in out) {
      yield { line, ...out.skip }
      continue
    }
    const checked = parseEvent(out.event)
    yield checked.ok ? { line, event: checked.value } : { line, reason: SKIP.invalid, error: checked.error }
  }
  yield* skipped.splice(0)
}

/** Raw group messages start with the sender's id: "wxid_abc:\n你好". */
const SENDER_PREFIX = /^([A-Za-z][\w-]{2,}):\n/

type Converted = { readonly event: unknown } | { readonly skip: { readonly reason: string; readonly error?: string } }

/** How much of a notice we do not understand is quoted in the report (redacted). */
const QUOTED_CHARS = 40

function toEvent(row: Row, idOf: (who: Who) => string, self: () => string | undefined, mentionsOf: (text: string) => Mentions): Converted {
  const prefixed = SENDER_PREFIX.exec(row.text)
  if (prefixed) row = { ...row, text: row.text.slice(prefixed[0].length), sender: row.sender ?? prefixed[1] }
  const sender = row.sender ?? (row.fromSelf ? self() : undefined)
  const base = { id: row.id, ts: row.ts, room: row.room }
  if (row.kind === 'system') {
    const text = systemText(row.text)
    const signal = parseSystemMessage(text)
    if (!signal) {
      const quoted = redact(text.replace(/\s+/g, ' ').trim()).slice(0, QUOTED_CHARS)
      return { skip: { reason: SKIP.notUnderstood, error: `${SKIP.notUnderstood}: "${quoted}"` } }
    }
    if (signal.kind === 'notice') return { skip: { reason: SKIP.notice(signal.what) } }
    if (signal.kind === 'kick')
      return { event: { ...base, kind: 'leave', members: signal.members.map(idOf), remover: idOf(signal.remover) } }
    if (signal.kind === 'leave') return { event: { ...base, kind: 'leave', members: signal.members.map(idOf) } }
    if (signal.kind === 'recall') return { event: { ...base, kind: 'recall', sender: idOf(signal.sender) } }
    const members = signal.members.map(idOf)
    const names = Object.fromEntries(signal.members.flatMap((n, i) => (n ? [[members[i], n]] : [])))
    const inviter = signal.inviter === null ? {} : { inviter: idOf(signal.inviter) }
    return { event: { ...base, kind: 'join', members, names, ...inviter, via: signal.via } }
  }
  if (!sender) return { event: { ...base, kind: 'message', type: row.kind } } // fails validation, naming the missing sender
  if (row.kind === 'announcement') return { event: { ...base, kind: 'announcement', sender, text: row.text } }
  const text = row.text && !row.text.trimStart().startsWith('<') ? row.text : undefined
  const { mentions, mentionAll } = text ? mentionsOf(text) : { mentions: [], mentionAll: false }
  const message = {
    ...base,
    kind: 'message',
    sender,
    ...(row.senderName ? { senderName: row.senderName } : {}),
    type: row.kind,
    ...(text ? { text } : {}),
    ...(row.url ? { url: row.url } : {}),
    ...(mentions.length ? { mentions } : {}),
    ...(mentionAll ? { mentionAll } : {}),
  }
  return { event: message }
}
