/** `qunguard inspect`: folders walked for pictures; missing files and pipes reported as unreadable. */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { inspect } from '../../bin/commands/inspect.ts'
import { tempDir } from '../helpers/temp-dirs.ts'

describe('Function: inspect', () => {
  it('walks folders for pictures and counts missing files and pipes as unreadable', async () => {
    const dir = tempDir('qunguard-inspect-')
    fs.mkdirSync(path.join(dir, 'sub'))
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
      .png()
      .toBuffer()
    fs.writeFileSync(path.join(dir, 'sub', 'a.png'), png)
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a picture')
    const fifo = path.join(dir, 'pipe.png')
    execFileSync('mkfifo', [fifo])
    const lines: string[] = []
    const missing = path.join(dir, 'missing.png')
    const s = await inspect({ files: [dir, missing, fifo], noOcr: true, noFacts: true, write: (l) => lines.push(l), log: () => {} })
    expect(lines.map((l) => JSON.parse(l).file)).toEqual([path.join(dir, 'sub', 'a.png'), missing, fifo])
    expect(s).toMatchObject({ inspected: 3, unreadable: 2 })
    expect(lines[2]).toContain('not a regular file')
  }, 60_000)
})
