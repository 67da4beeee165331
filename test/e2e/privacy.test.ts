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
import { MockWorld } from '../../bot-host/mock-world.ts'
import { QunGuard } from '../../bot-host/qunguard-plugin.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import { Guard } from '../../functions/domain/guard.ts'
import type { ApprovalsRequest } from '../../functions/domain/stage-messages.ts'
import { ingestRecord } from '../../functions/handlers/ingest.ts'
import type { ActionRequest } from '../../functions/ports/action-executor.port.ts'
import { sqsRecord } from '../helpers/lambda.ts'
import { MemoryQueue } from '../helpers/memory-queue.ts'
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

describe('personal numbers at the edge (Wechaty on wechaty-puppet-mock)', () => {
  it('masks the room topic, member names, message text and private messages before anything is stored or sent', async () => {
    const dir = tempDir('qunguard-privacy-wechaty-')
    const file = path.join(dir, 'guard.db')
    const store = SqliteGuardStore.open(file)
    const errors: Error[] = []
    const config = parseConfig({ groups: { '*': { quiet: true, rules: [{ id: 'no-ads', any: ['加微信'] }] } } })
    const plugin = QunGuard({ store, config, onError: (e) => errors.push(e), tickMs: 0 })
    const world = await MockWorld.start({ plugins: [plugin] })
    try {
      const owner = world.contact('群主', 'wxid_owner')
      const member = world.contact(`张三${DISGUISES['zero-width']}`, 'wxid_member')
      const marketer = world.contact('推广员', 'wxid_ad')
      const room = world.room(`${DISGUISES['full-width']} 亲子群`, { owner, members: [member, marketer] })
      const settle = async () => {
        await plugin.idle()
        await world.settle()
        await plugin.idle()
      }
      await world.say(member, room, `我的身份证 ${DISGUISES['mixed separators']} 帮我查下`)
      await settle()
      await world.say(marketer, room, '加微信 领红包')
      await settle()
      await world.say(member, world.self, `群主你好 ${DISGUISES['full-width X']}`)
      await settle()

      // The privacy rule still saw the number: the message was recalled.
      expect((await store.listDecisions({ room: room.id })).map((d) => [d.target, d.rule, d.action])).toEqual([
        ['wxid_member', 'privacy', 'recall'],
        ['wxid_ad', 'no-ads', 'alert-owner'],
      ])
      const said = world.records.map((r) => r.text).join('\n')
      expect(said).toContain('5137************46') // the owner's note names the topic, masked
      expect(holdsRawId(said)).toBe(false)
      expect(holdsRawId(errors.map((e) => e.message).join('\n'))).toBe(false)
    } finally {
      await world.stop()
      await store.close()
    }
    expect(holdsRawId(storeText(file))).toBe(false)
  })
})

describe('personal numbers at the edge (AWS: ingest, which judges plain messages with moderate’s code)', () => {
  it('stores and sends only masked events, still recalls, and names no number in a poison-record error', async () => {
    const file = path.join(tempDir('qunguard-privacy-aws-'), 'guard.db')
    const store = SqliteGuardStore.open(file)
    const guard = new Guard({ store, config: parseConfig({}) })
    const q = () => new MemoryQueue<never>()
    const moderate = { guard, actions: new MemoryQueue<ActionRequest>(), approvals: new MemoryQueue<ApprovalsRequest>() }
    const ingest = { guard, store, judge: moderate, vision: q(), approvals: new MemoryQueue<ApprovalsRequest>() }
    vi.spyOn(console, 'info').mockImplementation(() => {})
    vi.spyOn(console, 'warn').mockImplementation(() => {})
    const id = DISGUISES['full-width']
    const events = [
      { kind: 'room', id: 's', ts: T(0), room: 'r1@chatroom', topic: `${id}群`, owner: 'wxid_owner', names: { wxid_member: `李四${id}` } },
      {
        kind: 'message',
        id: 'm1',
        ts: T(1),
        room: 'r1@chatroom',
        sender: 'wxid_member',
        senderName: `李四${id}`,
        type: 'text',
        text: `身份证${id}`,
      },
      { kind: 'private', id: 'p1', ts: T(2), sender: 'wxid_owner', text: `查一下 ${DISGUISES['zero-width']}` },
    ]
    for (const e of events) await ingestRecord(ingest, sqsRecord(JSON.stringify(e), 'r1@chatroom'))
    const poison = await ingestRecord(ingest, sqsRecord(JSON.stringify({ ...events[0], names: { [id]: 5 } }), 'r1@chatroom')).catch(
      (e: Error) => e.message,
    )

    expect(moderate.actions.sent.map((s) => [s.body.decision.rule, s.body.decision.action])).toEqual([['privacy', 'recall']])
    expect(poison).toMatch(/names\.5137\*+46/)
    const sent = JSON.stringify([ingest.approvals.sent, moderate.approvals.sent, moderate.actions.sent, poison])
    expect(holdsRawId(sent)).toBe(false)
    await store.close()
    expect(holdsRawId(storeText(file))).toBe(false)
  })
})
