/**
 * Personal numbers never get past the edge: a resident ID number in any string field of any
 * event — full-width, split by zero-width characters or separators — is found in neither the
 * store, nor the decisions file, nor stderr; and the privacy rule still acts on a message
 * whose own text carried one.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { replay } from '../../bin/commands/replay.ts'
import { DISGUISES, holdsRawId } from '../helpers/pii.ts'
import { tempDir } from '../helpers/temp-dirs.ts'

const T = (minute: number) => `2026-03-01T20:${String(minute).padStart(2, '0')}:00+08:00`
const line = (o: Record<string, unknown>) => JSON.stringify(o)
const snapshot = (o: Record<string, unknown> = {}) =>
  line({
    kind: 'room',
    id: 'snap',
    ts: T(0),
    room: 'r1@chatroom',
    topic: '亲子群',
    owner: 'wxid_owner',
    members: ['wxid_owner', 'wxid_member'],
    names: { wxid_owner: '群主' },
    ...o,
  })
const msg = (o: Record<string, unknown>) =>
  line({ kind: 'message', id: 'm-pii', ts: T(1), room: 'r1@chatroom', sender: 'wxid_member', type: 'text', text: '你好', ...o })
/** An ad in a quiet room: the owner is alerted with a note naming the room's topic (the decision's `outgoing`). */
const ad = line({ kind: 'message', id: 'm-ad', ts: T(2), room: 'r1@chatroom', sender: 'wxid_ad', type: 'text', text: '加微信 领红包' })

/** Each field that can carry a number, as the lines of a history; `recalled`: the privacy rule must act on m-pii. */
const FIELDS: Record<string, { lines: (id: string) => string[]; recalled?: boolean; skipped?: boolean }> = {
  'message text': { lines: (id) => [snapshot(), msg({ text: `我的身份证 ${id} 帮我查下` })], recalled: true },
  'message url': { lines: (id) => [snapshot(), msg({ type: 'link', text: '报名', url: `https://x.example/a?sfz=${id}` })], recalled: true },
  'message senderName': { lines: (id) => [snapshot(), msg({ senderName: `张三${id}` })] },
  'message media path': { lines: (id) => [snapshot(), msg({ type: 'image', text: undefined, media: `pics/${id}.jpg` })] },
  'room topic (and the owner alert that names it)': { lines: (id) => [snapshot({ topic: `${id} 亲子群` }), ad] },
  'room names{}': { lines: (id) => [snapshot({ names: { wxid_member: `李四 ${id}` } }), ad] },
  'join names{}': {
    lines: (id) => [
      snapshot(),
      line({ kind: 'join', id: 'j1', ts: T(1), room: 'r1@chatroom', members: ['wxid_new'], names: { wxid_new: `王五${id}` } }),
    ],
  },
  announcement: {
    lines: (id) => [
      snapshot(),
      line({ kind: 'announcement', id: 'an1', ts: T(1), room: 'r1@chatroom', sender: 'wxid_owner', text: `联系人身份证 ${id}` }),
    ],
  },
  'private message': {
    lines: (id) => [snapshot(), line({ kind: 'private', id: 'p1', ts: T(1), sender: 'wxid_member', text: `群主你好，我的身份证是${id}` })],
  },
  'malformed line (not JSON)': { lines: (id) => [snapshot(), id], skipped: true },
  'invalid event (its error names the field)': {
    lines: (id) => [snapshot(), line({ kind: 'room', id: 'bad', ts: T(1), room: 'r1@chatroom', topic: 't', names: { [id]: 5 } })],
    skipped: true,
  },
}

const CONFIG = 'groups:\n  "*":\n    quiet: true\n    rules:\n      - id: no-ads\n        any: ["加微信"]\n'

afterEach(() => {
  vi.restoreAllMocks()
})

/** Every file the SQLite store left (the database, and a write-ahead log if one is left). */
const storeText = (file: string) =>
  [file, `${file}-wal`]
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f).toString('utf8'))
    .join('\n')

describe('personal numbers at the edge (replay: history → store, decisions, stderr)', () => {
  const cases = Object.entries(FIELDS).flatMap(([field, c]) => Object.entries(DISGUISES).map(([how, id]) => ({ field, how, id, ...c })))

  it.each(cases)('$field with a $how ID number: masked everywhere', async ({ lines, id, recalled, skipped }) => {
    const dir = tempDir('qunguard-privacy-')
    const history = path.join(dir, 'h.jsonl')
    const historyText = `${lines(id).join('\n')}\n`
    fs.writeFileSync(history, historyText)
    expect(holdsRawId(historyText)).toBe(true) // the check sees through the disguise
    const config = path.join(dir, 'c.yaml')
    fs.writeFileSync(config, CONFIG)
    const out = path.join(dir, 'decisions.jsonl')
    const store = path.join(dir, 'guard.db')
    const stderr: string[] = []
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk))
      return true
    })

    await replay({ history: [history], config, out, store, progress: false })
    vi.restoreAllMocks()

    const decisions = fs.readFileSync(out, 'utf8')
    expect(holdsRawId(storeText(store))).toBe(false)
    expect(holdsRawId(decisions)).toBe(false)
    expect(holdsRawId(stderr.join(''))).toBe(false)
    if (recalled) expect(decisions).toContain('"event":"m-pii","room":"r1@chatroom","target":"wxid_member","action":"recall"')
    if (skipped) expect(stderr.join('')).toMatch(/h\.jsonl:2: skipped/)
  })
})
