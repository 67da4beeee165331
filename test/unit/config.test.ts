import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { ConfigError, parseConfig, resolveRoomConfig } from '../../functions/domain/config.ts'

describe('parseConfig', () => {
  it('accepts the shipped example', () => {
    const cfg = parseConfig(YAML.parse(fs.readFileSync(new URL('../../qunguard.example.yaml', import.meta.url), 'utf8')))
    expect(resolveRoomConfig(cfg, 'any@chatroom').rules.map((r) => r.id)).toEqual(['no-ads', 'newcomer-links'])
  })

  it('gives the defaults for an empty document', () => {
    const room = resolveRoomConfig(parseConfig(undefined), 'r1')
    expect(room).toMatchObject({ mode: 'active', escalation: ['warn', 'warn', 'remove'], offenceWindowDays: 30, quiet: false, rules: [] })
  })

  it('throws naming the misspelt field', () => {
    expect(() => parseConfig({ groups: { '*': { quite: true } } })).toThrow(ConfigError)
    expect(() => parseConfig({ groups: { '*': { quite: true } } })).toThrow(/groups\.\*/)
  })

  it('throws for a bad action, naming the rule field', () => {
    expect(() => parseConfig({ groups: { '*': { rules: [{ id: 'x', any: ['a'], action: 'ban' }] } } })).toThrow(
      /groups\.\*\.rules\.0\.action/,
    )
  })

  it('throws for a rule that would match every message', () => {
    expect(() => parseConfig({ groups: { '*': { rules: [{ id: 'x' }] } } })).toThrow(/would match every message/)
  })

  it('throws for duplicate rule ids in one group', () => {
    const rule = { id: 'x', any: ['a'] }
    expect(() => parseConfig({ groups: { '*': { rules: [rule, rule] } } })).toThrow(/duplicate rule id "x"/)
  })
})

describe('resolveRoomConfig', () => {
  const cfg = parseConfig({
    groups: {
      '*': {
        quiet: false,
        whitelist: ['w1'],
        rules: [
          { id: 'ads', any: ['代购'] },
          { id: 'links', types: ['link'] },
        ],
      },
      'r2@chatroom': {
        quiet: true,
        whitelist: ['w2'],
        rules: [
          { id: 'links', types: ['link'], action: 'warn' },
          { id: 'cards', types: ['card'] },
        ],
      },
    },
  })

  it('merges a room over the defaults: scalars replace, lists add, same rule id replaces', () => {
    const r2 = resolveRoomConfig(cfg, 'r2@chatroom')
    expect(r2.quiet).toBe(true)
    expect(r2.whitelist).toEqual(['w1', 'w2'])
    expect(r2.rules.map((r) => `${r.id}:${r.action}`)).toEqual(['ads:escalate', 'links:warn', 'cards:escalate'])
  })

  it('gives rooms without an entry the defaults', () => {
    expect(resolveRoomConfig(cfg, 'other').rules.map((r) => r.id)).toEqual(['ads', 'links'])
  })
})
