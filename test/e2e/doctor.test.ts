import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { doctor, formatChecks } from '../../bin/commands/doctor.ts'
import { runEmbedded, StartupError } from '../../bot-host/embedded.ts'
import type { Connector } from '../../bot-host/reachability.ts'
import { tempDir } from '../helpers/temp-dirs.ts'

const dir = () => tempDir('qunguard-doctor-')

/** No network in tests: every host answers, or none has a DNS entry. */
const reachable: Connector = { lookup: async () => '127.0.0.1', connect: async () => {} }
const offline: Connector = {
  lookup: async (host) => {
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
  },
  connect: async () => {},
}

describe('doctor', () => {
  it('passes with the shipped example config and the default puppet, and says which vision capabilities are there', {
    timeout: 60_000,
  }, async () => {
    const d = dir()
    const config = path.join(d, 'qunguard.yaml')
    const example = fs.readFileSync(new URL('../../qunguard.example.yaml', import.meta.url), 'utf8')
    fs.writeFileSync(config, example.replace(/^store: qunguard\.db$/m, `store: ${path.join(d, 'g.db')}`))
    const checks = await doctor({ configPath: config, nodeVersion: '24.11.0', connector: reachable })
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['node', true],
      ['config', true],
      ['store', true],
      ['groups', true],
      ['vision', true],
      ['voice', true],
      ['puppet', true],
      ['reach', true],
    ])
    expect(checks.find((c) => c.name === 'vision')?.detail).toBe('QR codes, OCR (Chinese, English), faces and NSFW available')
    expect(fs.existsSync(path.join(d, 'g.db'))).toBe(false) // checking does not leave a store behind
  })

  it('names the bad field and the missing puppet, with what to do', async () => {
    const d = dir()
    const config = path.join(d, 'bad.yaml')
    fs.writeFileSync(config, 'groups:\n  "*":\n    quite: true\n')
    const checks = await doctor({ configPath: config, puppet: 'wechaty-puppet-does-not-exist', connector: offline })
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]))
    expect(byName.config).toMatchObject({ ok: false, detail: expect.stringContaining('quite') })
    expect(byName.puppet).toMatchObject({ ok: false, fix: 'npm install wechaty-puppet-does-not-exist' })
  })

  it('says when the learned policy the config names cannot be read', async () => {
    const d = dir()
    const config = path.join(d, 'c.yaml')
    fs.writeFileSync(path.join(d, 'policy.json'), '{"format":"something else"}')
    fs.writeFileSync(config, `store: ${path.join(d, 'g.db')}\npolicy: ${path.join(d, 'policy.json')}\n`)
    const checks = await doctor({ configPath: config, connector: reachable })
    expect(checks.find((c) => c.name === 'policy')).toMatchObject({ ok: false, fix: expect.stringContaining('qunguard learn') })
  })

  it('fails when WeChat cannot be reached through the puppet, instead of leaving it to `start`', async () => {
    const d = dir()
    const config = path.join(d, 'c.yaml')
    fs.writeFileSync(config, `store: ${path.join(d, 'g.db')}\nvision: { enabled: false }\n`)
    const checks = await doctor({ configPath: config, puppet: 'wechaty-puppet-wechat4u', connector: offline })
    expect(checks.find((c) => c.name === 'reach')).toMatchObject({ ok: false, fix: expect.stringContaining('login.wx.qq.com') })
    expect(formatChecks(checks)).toMatch(/^✗ reach +WeChat cannot be reached through wechaty-puppet-wechat4u/m)
  })

  it('marks a Node that runs but is not supported with !, and passes', async () => {
    const d = dir()
    const config = path.join(d, 'c.yaml')
    fs.writeFileSync(config, `store: ${path.join(d, 'g.db')}\nvision: { enabled: false }\n`)
    const checks = await doctor({ configPath: config, puppet: 'wechaty-puppet-mock', nodeVersion: '20.20.2', connector: offline })
    expect(checks.every((c) => c.ok)).toBe(true)
    expect(formatChecks(checks)).toMatch(/^! node +Node 20\.20\.2 runs qunguard but is not supported/m)
    expect(formatChecks(checks)).toMatch(/^✓ reach +not needed/m)
  })
})

describe('runEmbedded', () => {
  it('refuses a puppet that is not installed with a StartupError, not a stack trace', async () => {
    const d = dir()
    await expect(runEmbedded({ cwd: d, puppet: 'wechaty-puppet-does-not-exist', log: () => {} })).rejects.toBeInstanceOf(StartupError)
  })

  it('checks several accounts: each token variable set, the last beats named', async () => {
    const d = dir()
    const config = path.join(d, 'qunguard.yaml')
    fs.writeFileSync(
      config,
      `store: ${path.join(d, 'g.db')}\nvision: { enabled: false }\naccounts:\n  list:\n    - { name: jia }\n    - { name: yi, tokenEnv: QUNGUARD_TEST_UNSET_TOKEN }\n`,
    )
    const checks = await doctor({ configPath: config, nodeVersion: '24.11.0', connector: reachable })
    const accounts = checks.find((c) => c.name === 'accounts')
    expect(accounts?.ok).toBe(false)
    expect(accounts?.detail).toContain(
      'jia (the default puppet), yi (the default puppet); heartbeat every 30 s; not set: QUNGUARD_TEST_UNSET_TOKEN (yi)',
    )
    expect(accounts?.fix).toContain('export QUNGUARD_TEST_UNSET_TOKEN=<token>')
  })
})
