/**
 * Wechaty keeps a login in `<name>.memory-card.json` in the working directory. A run stopped
 * while still connecting leaves that file empty, and the next start would log
 * "MemoryCard load() exception: Unexpected end of JSON input" for it. An empty card holds
 * nothing, so it is removed before the bot starts; a card with content is never touched.
 */
import fs from 'node:fs'
import path from 'node:path'

/** Removes `<name>.memory-card.json` in `dir` if it is empty; says whether it did. */
export function dropEmptyMemoryCard(name: string, dir = process.cwd()): boolean {
  const file = path.join(dir, `${name}.memory-card.json`)
  try {
    if (fs.statSync(file).size > 0) return false
    fs.rmSync(file)
    return true
  } catch {
    return false // none there (or not ours to remove): Wechaty makes a new one
  }
}
