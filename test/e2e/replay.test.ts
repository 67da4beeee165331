/** `qunguard replay` end to end: a history file in, a decisions file out. */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { replay } from '../../bin/commands/replay.ts'
import { parseDecision } from '../../functions/domain/events.ts'
import { tempDir } from '../helpers/temp-dirs.ts'

const history = fileURLToPath(new URL('../fixtures/history/small.jsonl', import.meta.url))

const replayDir = () => tempDir('qunguard-replay-')

describe('replay', () => {
  it('writes one docs/format.md decision line per action, in time order, and reports malformed lines', async () => {
    const dir = replayDir()
    const config = path.join(dir, 'c.yaml')
    fs.writeFileSync(config, 'groups:\n  "*":\n    rules:\n      - id: no-ads\n        any: ["加微信", "代购"]\n')
    const out = path.join(dir, 'decisions.jsonl')
    const log: string[] = []
    const summary = await replay({ history: [history], config, out, log: (l) => log.push(l), progress: false })

    const lines = fs.readFileSync(out, 'utf8').trim().split('\n')
    const decisions = lines.map((l) => {
      const d = parseDecision(JSON.parse(l))
      if (!d.ok) throw new Error(d.error)
      return d.value
    })
    // e4 (20:06) comes before e5 (20:07) although the file has them the other way round.
    expect(decisions.map((d) => [d.event, d.action])).toEqual([
      ['e4', 'warn'],
      ['e5', 'warn'],
      ['e8', 'remove'],
    ])
    expect(Object.keys(JSON.parse(lines[0] ?? '{}'))).toEqual(['event', 'room', 'target', 'action', 'mode', 'rule', 'score', 'reason'])
    expect(summary).toMatchObject({ events: 7, malformed: 2, decisions: 3 })
    expect(log).toEqual([
      expect.stringMatching(/^config: .*c\.yaml \(-c\)$/),
      expect.stringMatching(/small\.jsonl:6: skipped: not JSON/),
      expect.stringMatching(/small\.jsonl:8: skipped: message\.sender: required/),
    ])
  })

  it('writes shadow decisions for a room in shadow mode', async () => {
    const dir = replayDir()
    const config = path.join(dir, 'c.yaml')
    fs.writeFileSync(config, 'groups:\n  "r1@chatroom":\n    mode: shadow\n    rules:\n      - id: no-ads\n        any: ["加微信"]\n')
    const out = path.join(dir, 'd.jsonl')
    await replay({ history: [history], config, out, log: () => {}, progress: false })
    const modes = fs
      .readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).mode)
    expect(modes).toEqual(['shadow', 'shadow'])
  })

  it('replays a supervised trial: owners’ private answers approve requests, numbered from 1 in every run', async () => {
    const dir = replayDir()
    const config = path.join(dir, 'c.yaml')
    fs.writeFileSync(
      config,
      'groups:\n  "*":\n    rules:\n      - id: no-ads\n        any: ["加微信", "代购"]\n        mode: shadow\n        action: remove\n',
    )
    const trial = path.join(dir, 'trial.jsonl')
    const dm = (id: string, sender: string, text: string, minute: number) =>
      JSON.stringify({ id, kind: 'private', sender, text, ts: `2026-03-01T20:${minute}:00+08:00` })
    const lines = fs
      .readFileSync(history, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
    fs.writeFileSync(
      trial,
      [...lines, dm('p1', 'wxid_mum', 'Y2', 11), dm('p2', 'wxid_owner', 'Y1', 12), dm('p3', 'wxid_owner', 'N2', 13)].join('\n'),
    )
    const run = async (name: string) => {
      const out = path.join(dir, name)
      const ownerLog = path.join(dir, `${name}.owner`)
      const s = await replay({ history: [trial], config, out, ownerLog, log: () => {}, progress: false })
      return { s, text: fs.readFileSync(out, 'utf8'), owner: fs.readFileSync(ownerLog, 'utf8') }
    }
    const first = await run('a.jsonl')
    const decisions = first.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(decisions.map((d) => [d.event, d.action, d.mode])).toEqual([
      ['e4', 'remove', 'shadow'],
      ['e5', 'remove', 'shadow'],
      ['e8', 'remove', 'shadow'],
      ['e4', 'remove', 'active'], // Y1 approved request 1; wxid_mum's Y2 did nothing, N2 rejected request 2
    ])
    expect(first.owner).toContain('审批 #1')
    expect(first.owner).toContain('已拒绝 #2')
    expect(first.s.ownerMessages).toBeGreaterThanOrEqual(5)
    const second = await run('b.jsonl')
    expect(second.text).toBe(first.text)
  })
})
