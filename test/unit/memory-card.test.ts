import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { dropEmptyMemoryCard } from '../../bot-host/memory-card.ts'
import { tempDir } from '../helpers/temp-dirs.ts'

describe('dropEmptyMemoryCard', () => {
  it('removes an empty memory card a stopped run left, and never one with a login in it', () => {
    const dir = tempDir('memory-card')
    const empty = path.join(dir, 'qunguard.memory-card.json')
    fs.writeFileSync(empty, '')
    expect(dropEmptyMemoryCard('qunguard', dir)).toBe(true)
    expect(fs.existsSync(empty)).toBe(false)
    expect(dropEmptyMemoryCard('qunguard', dir)).toBe(false) // none there

    const kept = path.join(dir, 'qunguard-cloud.memory-card.json')
    fs.writeFileSync(kept, '{"puppet":{}}')
    expect(dropEmptyMemoryCard('qunguard-cloud', dir)).toBe(false)
    expect(fs.readFileSync(kept, 'utf8')).toBe('{"puppet":{}}')
  })
})
