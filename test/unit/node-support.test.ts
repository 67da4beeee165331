import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ENGINES_RANGE, nodeSupport } from '../../bot-host/node-support.ts'

describe('nodeSupport', () => {
  it('is what package.json "engines" says', () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } }
    expect(pkg.engines.node).toBe(ENGINES_RANGE)
    expect(ENGINES_RANGE).toBe('^22.13 || ^24')
  })

  it.each([
    ['22.13.0', 'ok'],
    ['22.23.5', 'ok'],
    ['24.0.0', 'ok'],
    ['v24.22.3', 'ok'],
    ['22.12.0', 'warn'],
    ['20.20.2', 'warn'],
    ['23.11.0', 'warn'],
    ['26.12.1', 'warn'],
    ['20.10.0', 'fail'],
    ['18.20.4', 'fail'],
  ])('judges Node %s %s', (version, level) => {
    expect(nodeSupport(version).level).toBe(level)
  })

  it('tells a Node 20 user why and what to install', () => {
    expect(nodeSupport('20.20.2')).toMatchObject({
      detail: expect.stringContaining('not supported'),
      fix: 'install Node 24 (or another of ^22.13 || ^24)',
    })
  })
})
