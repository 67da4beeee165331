/**
 * Temporary directories for one test file, removed when the file's tests are done — tests
 * leave nothing behind in the system's temp directory.
 *
 * @example
 *   const file = path.join(tempDir('qunguard-store-'), 'guard.db')
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll } from 'vitest'

const made: string[] = []

// Registered when a test file first imports this module (each file has its own module copy).
afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  made.push(dir)
  return dir
}
