/** Reading histories and pictures: bounded lines and texts, file types checked first, media confined, reused ids reported. */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readHistories, readPicture } from '../../bin/commands/history-input.ts'
import { readHistory } from '../../functions/adapters/local/jsonl-history.ts'
import { tempDir } from '../helpers/temp-dirs.ts'

const msg = (id: string, text: string, extra: object = {}) =>
  JSON.stringify({
    id,
    kind: 'message',
    room: 'r1@chatroom',
    sender: 'wxid_a',
    type: 'text',
    text,
    ts: '2026-03-01T20:00:00+08:00',
    ...extra,
  })

async function rows(file: string, limits = {}) {
  const out = []
  for await (const r of readHistory(file, limits)) out.push(r)
  return out
}

describe('Function: readHistory', () => {
  it('skips a line over the byte limit unread, naming its line, and reads on', async () => {
    const file = path.join(tempDir('qunguard-bounds-'), 'h.jsonl')
    fs.writeFileSync(file, [msg('a', 'x'), msg('b', 'y'.repeat(5000)), msg('c', 'z')].join('\n'))
    const r = await rows(file, { maxLineBytes: 1000 })
    expect(r.map((x) => [x.line, x.event?.id ?? x.error])).toEqual([
      [1, 'a'],
      [2, 'line longer than 1000 bytes: skipped unread'],
      [3, 'c'],
    ])
  })

  it('skips a text over 65,536 characters by default, naming its line', async () => {
    const file = path.join(tempDir('qunguard-bounds-'), 'h.jsonl')
    fs.writeFileSync(file, [msg('a', 'x'), msg('b', '广'.repeat(70_000))].join('\n'))
    const r = await rows(file)
    expect(r[1]).toMatchObject({ line: 2, error: expect.stringContaining('over the limit of 65536') })
  })

  it.skipIf(process.platform === 'win32')('refuses a FIFO instead of waiting on it', async () => {
    const fifo = path.join(tempDir('qunguard-bounds-'), 'pipe.jsonl')
    execFileSync('mkfifo', [fifo])
    await expect(rows(fifo)).rejects.toThrow(/not a regular file/)
  })
})

describe('Function: readHistories', () => {
  it('reports an id reused for a different event with both lines, and counts exact repeats as duplicates', async () => {
    const dir = tempDir('qunguard-bounds-')
    const file = path.join(dir, 'h.jsonl')
    const leave = JSON.stringify({ id: 'e1', kind: 'leave', room: 'r1@chatroom', members: ['wxid_a'], ts: '2026-03-01T19:00:00+08:00' })
    fs.writeFileSync(file, [leave, msg('e2', 'hi'), msg('e2', 'hi'), msg('e1', '加微信')].join('\n'))
    const log: string[] = []
    const r = await readHistories([file], (l) => log.push(l))
    expect(r.events.map((e) => e.id)).toEqual(['e1', 'e2'])
    expect(r).toMatchObject({ duplicates: 1, conflicts: 1 })
    expect(log).toEqual([expect.stringMatching(/h\.jsonl:4: skipped: event id e1 was used by .*h\.jsonl:1 for a different event/)])
  })

  it('ignores media paths leading out of the history folder, and reports them', async () => {
    const dir = tempDir('qunguard-bounds-')
    const file = path.join(dir, 'h.jsonl')
    const pic = (id: string, media: string) => msg(id, '', { type: 'image', media })
    fs.writeFileSync(file, [pic('a', 'media/ok.jpg'), pic('b', '/dev/zero'), pic('c', '../x.jpg')].join('\n'))
    const log: string[] = []
    const r = await readHistories([file], (l) => log.push(l))
    expect([...r.media.keys()]).toEqual(['a'])
    expect(log).toHaveLength(2)
    expect(log[0]).toMatch(/h\.jsonl:2: media path "\/dev\/zero" is outside the history's folder/)
  })
})

describe('Function: readPicture', () => {
  it('refuses a device and a file over the size limit before reading', async () => {
    await expect(readPicture('/dev/zero')).rejects.toThrow(/not a regular file/)
    const big = path.join(tempDir('qunguard-bounds-'), 'big.jpg')
    fs.writeFileSync(big, Buffer.alloc(2000))
    await expect(readPicture(big, 1000)).rejects.toThrow(/over the limit/)
  })
})
