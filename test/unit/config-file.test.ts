import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { chooseConfig, readConfigFile } from '../../functions/adapters/local/config-file.ts'
import { ConfigError } from '../../functions/domain/config.ts'
import { tempDir } from '../helpers/temp-dirs.ts'

describe('readConfigFile', () => {
  it('names the file, line:column and a did-you-mean for an unknown key', () => {
    const file = path.join(tempDir('qunguard-cfg-'), 'qunguard.yaml')
    fs.writeFileSync(file, 'groups:\n  "*":\n    quiet: true\n  周末群:\n    offenseWindowDays: 3\n')
    expect(() => readConfigFile(file)).toThrow(ConfigError)
    expect(() => readConfigFile(file)).toThrow(
      `${file}:5:5 groups.周末群: unknown key "offenseWindowDays" — did you mean "offenceWindowDays"?`,
    )
  })

  it('gives warnings with their position', () => {
    const file = path.join(tempDir('qunguard-cfg-'), 'q.yaml')
    fs.writeFileSync(file, 'groups:\n  "*":\n    rules:\n      - id: x\n        any: ["加微信", "(a+)+$"]\n')
    expect(readConfigFile(file).warnings).toEqual([
      expect.stringMatching(/q\.yaml:5:22 groups\.\*\.rules\.0\.any\.1: keyword "\(a\+\)\+\$"/),
    ])
  })
})

describe('chooseConfig', () => {
  it('uses -c, else ./qunguard.yaml, else the defaults, and says which', () => {
    const d = tempDir('qunguard-cfg-')
    expect(chooseConfig(undefined, { cwd: d })).toMatchObject({ file: undefined, said: expect.stringContaining('built-in defaults') })
    fs.writeFileSync(path.join(d, 'qunguard.yaml'), 'groups:\n  "*":\n    quiet: true\n')
    expect(chooseConfig(undefined, { cwd: d })).toMatchObject({ file: path.join(d, 'qunguard.yaml') })
    fs.writeFileSync(path.join(d, 'other.yaml'), 'store: other.db\n')
    expect(chooseConfig(path.join(d, 'other.yaml'), { cwd: d }).config.store).toBe('other.db')
    expect(() => chooseConfig(path.join(d, 'missing.yaml'), { cwd: d })).toThrow(/config file not found/)
  })
})
