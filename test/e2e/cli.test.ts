import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'

const bin = new URL('../../bin/qunguard.js', import.meta.url).pathname
const { version } = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

describe('qunguard CLI', () => {
  it.each(['--version', '-v'])('prints the package version for %s and exits 0', (flag) => {
    const run = spawnSync(process.execPath, [bin, flag], { encoding: 'utf8' })
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 0, stdout: `${version}\n` })
  })
})
