import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { ConfigError, configWarnings, groupKey, groupKeyWarnings, parseConfig, resolveRoomConfig } from '../../functions/domain/config.ts'

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

describe('parseConfig keywords', () => {
  const withKeyword = (role: 'any' | 'all' | 'exclude', word: string) =>
    parseConfig({ groups: { '*': { rules: [{ id: 'x', any: ['广告'], [role]: [word] }] } } })

  it('rejects a keyword that normalises to nothing, showing its normalised form', () => {
    for (const word of ['🚫', '\u200b', '！！']) {
      expect(() => withKeyword('all', word)).toThrow(ConfigError)
      expect(() => withKeyword('any', word)).toThrow(/normalised form: ""/)
    }
    expect(() => withKeyword('all', '\u200b')).toThrow(/groups\.\*\.rules\.0\.all\.0: keyword "\\u200b" is nothing once normalised/)
  })

  it('warns on keywords that look like regular expressions, with what they are matched as', () => {
    const cfg = parseConfig({ groups: { '*': { rules: [{ id: 'x', any: ['(a+)+$', '\\d+', '加微信', 'v.x'] }] } } })
    expect(configWarnings(cfg)).toEqual([
      {
        path: ['groups', '*', 'rules', 0, 'any', 0],
        message: expect.stringMatching(/"\(a\+\)\+\$" looks like a regular expression.*matched as "a"/),
      },
      {
        path: ['groups', '*', 'rules', 0, 'any', 1],
        message: expect.stringMatching(/"\\d\+" looks like a regular expression.*matched as "d"/),
      },
    ])
  })
})

describe('parseConfig unknown keys', () => {
  it('suggests the key that was probably meant', () => {
    expect(() => parseConfig({ groups: { 周末群: { offenseWindowDays: 3 } } })).toThrow(
      'groups.周末群: unknown key "offenseWindowDays" — did you mean "offenceWindowDays"?',
    )
    expect(() => parseConfig({ supervison: {} })).toThrow('(top level): unknown key "supervison" — did you mean "supervision"?')
    expect(() => parseConfig({ supervision: { promote: { aprovals: 3 } } })).toThrow('did you mean "approvals"?')
  })

  it('lists the known keys when nothing is close', () => {
    expect(() => parseConfig({ vision: { zzzzzzzz: true } })).toThrow(/unknown key "zzzzzzzz" \(known keys: enabled, ocr, facts/)
  })

  it('gives each problem with its path in ConfigError.issues', () => {
    try {
      parseConfig({ groups: { '*': { quite: true, offenceWindowDays: -1 } } })
      expect.unreachable()
    } catch (e) {
      expect((e as ConfigError).issues.map((i) => [i.path.join('.'), i.key])).toEqual(
        expect.arrayContaining([
          ['groups.*', 'quite'],
          ['groups.*.offenceWindowDays', undefined],
        ]),
      )
    }
  })
})

describe('groupKey', () => {
  const cfg = parseConfig({ groups: { '*': { quiet: false }, 周末亲子活动群: { quiet: true }, 'r9@chatroom': { quiet: true } } })

  it('finds a group by room id, else by name (the room topic), else the defaults', () => {
    expect(groupKey(cfg, 'r9@chatroom', '周末亲子活动群')).toBe('r9@chatroom')
    expect(groupKey(cfg, 'r1@chatroom', '周末亲子活动群')).toBe('周末亲子活动群')
    expect(groupKey(cfg, 'r1@chatroom', ' 周末亲子活动群 ')).toBe('周末亲子活动群')
    expect(groupKey(cfg, 'r1@chatroom', '别的群')).toBe('*')
    expect(groupKey(cfg, 'r1@chatroom', undefined)).toBe('*')
  })

  it('warns when a name matches several groups or none', () => {
    const warnings = groupKeyWarnings(cfg, [
      { room: 'r1@chatroom', topic: '周末亲子活动群' },
      { room: 'r2@chatroom', topic: '周末亲子活动群' },
      { room: 'r3@chatroom', topic: '读书会' },
    ])
    expect(warnings.map((w) => [w.path.join('.'), w.message])).toEqual([
      ['groups.周末亲子活动群', expect.stringContaining('2 groups are named "周末亲子活动群" (r1@chatroom, r2@chatroom)')],
      ['groups.r9@chatroom', expect.stringContaining('no known group has this id or name')],
    ])
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
