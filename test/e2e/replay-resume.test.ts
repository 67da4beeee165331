/**
 * `qunguard replay --store` killed part-way (SIGKILL, as `kill -9`) and run again on the same
 * store: the decisions file must hold every decision of the history exactly once, the same
 * file an uninterrupted run writes — supervised approvals included.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { replay } from '../../bin/commands/replay.ts'
import { SqliteAnalyticsStore } from '../../functions/adapters/local/sqlite-analytics-store.ts'
import { daySummary } from '../contract/analytics-store.contract.ts'
import { tempDir } from '../helpers/temp-dirs.ts'

const cli = fileURLToPath(new URL('../../bin/qunguard.js', import.meta.url))
const ROOM = 'r1@chatroom'

/** 1,200 events: a room snapshot, ads now and then (active and shadow rules), and the owner's answers late in the day. */
function history(): string {
  const ts = (minute: number) => new Date(Date.UTC(2026, 2, 1, 0, 0) + minute * 60_000).toISOString()
  const lines: object[] = [
    { id: 'snap', kind: 'room', room: ROOM, ts: ts(0), topic: '周末群', owner: 'wxid_owner', admins: [], members: [], names: {} },
  ]
  for (let i = 1; i < 1200; i++) {
    const sender = `wxid_m${i % 37}`
    if (i === 1100) lines.push({ id: `p${i}`, kind: 'private', sender: 'wxid_owner', text: 'Y1', ts: ts(i) })
    else if (i === 1150) lines.push({ id: `p${i}`, kind: 'private', sender: 'wxid_owner', text: 'Y2', ts: ts(i) })
    else {
      const text = i % 23 === 0 ? `加微信 ${i}` : i % 41 === 0 ? `代购 ${i}` : `今天第 ${i} 条`
      lines.push({ id: `m${i}`, kind: 'message', room: ROOM, sender, type: 'text', text, ts: ts(i) })
    }
  }
  return `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`
}

const CONFIG = `groups:
  "*":
    owner: wxid_owner
    rules:
      - id: no-ads
        any: ["加微信"]
      - id: no-daigou
        any: ["代购"]
        action: remove
        mode: shadow
`

describe('replay --store, killed and resumed', () => {
  it('writes every decision exactly once after a resume, as an uninterrupted run does', async () => {
    const dir = tempDir('qunguard-resume-')
    const h = path.join(dir, 'h.jsonl')
    const config = path.join(dir, 'c.yaml')
    fs.writeFileSync(h, history())
    fs.writeFileSync(config, CONFIG)

    const whole = path.join(dir, 'whole.jsonl')
    await replay({ history: [h], config, out: whole, store: path.join(dir, 'whole.db'), log: () => {}, progress: false })
    const expected = fs.readFileSync(whole, 'utf8')
    expect(expected).toContain('"mode":"active","rule":"no-daigou"') // an approved request is in the file

    const out = path.join(dir, 'd.jsonl')
    const store = path.join(dir, 's.db')
    const args = [cli, 'replay', '--history', h, '-c', config, '-o', out, '--store', store]
    const killed = spawnSync(process.execPath, args, {
      encoding: 'utf8',
      env: { ...process.env, QUNGUARD_TEST_KILL_AFTER_EVENTS: '700' },
    })
    expect(killed.signal).toBe('SIGKILL')
    // Batches of 500 events: the first is committed whole, the second lost whole; no file yet.
    const db = new Database(store, { readonly: true })
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 500 })
    db.close()
    expect(fs.existsSync(out)).toBe(false)

    const resumed = spawnSync(process.execPath, args, { encoding: 'utf8' })
    expect(resumed.status, resumed.stderr).toBe(0)
    expect(resumed.stderr).toContain('500 events already in the store (resumed)')
    expect(fs.readFileSync(out, 'utf8')).toBe(expected)

    // And once more on the finished store: the same file, nothing judged twice.
    const again = await replay({ history: [h], config, out, store, log: () => {}, progress: false })
    expect(again.resumed).toBe(1200)
    expect(fs.readFileSync(out, 'utf8')).toBe(expected)
  }, 60_000)

  it('drops the console’s kept analytics from the first day it adds events to (they predate them)', async () => {
    const dir = tempDir('qunguard-resume-')
    const h = path.join(dir, 'h.jsonl')
    const config = path.join(dir, 'c.yaml')
    fs.writeFileSync(h, history())
    fs.writeFileSync(config, CONFIG)
    const store = path.join(dir, 's.db')
    const days = SqliteAnalyticsStore.open(store)
    await days.putDays(ROOM, [daySummary('2026-02-27'), daySummary('2026-03-01'), daySummary('2026-03-02')], {
      through: '2026-03-05',
      from: '2026-02-01',
    })
    await replay({ history: [h], config, out: path.join(dir, 'd.jsonl'), store, log: () => {}, progress: false })
    // The history begins on 2026-03-01 (08:00 in the owners' time, UTC+8).
    expect(await days.getDays(ROOM, '2026-01-01')).toEqual({ through: '2026-02-28', days: [daySummary('2026-02-27')] })
    await days.close()
  }, 60_000)
})
