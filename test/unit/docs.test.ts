import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const SKIP = new Set(['node_modules', '.git', 'cdk.out', 'coverage', '.tmp', 'fixtures'])
const TEXT = /\.(ts|js|cjs|mjs|json|md|yaml|yml)$|^Dockerfile$|^run$/

/** Every text file of the project (not dependencies or generated output). */
function projectFiles(dir = root): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) return SKIP.has(e.name) ? [] : projectFiles(p)
    return e.isFile() && TEXT.test(e.name) && e.name !== 'package-lock.json' ? [p] : []
  })
}

describe('docs', () => {
  it('ship the history and decision line formats as docs/format.md', () => {
    const format = fs.readFileSync(path.join(root, 'docs/format.md'), 'utf8')
    expect(format).toContain('## 1. Group events')
    expect(format).toContain('## 2. Decisions')
  })

  it('refer to the line formats by docs/format.md, never by the shared file the repository does not have', () => {
    const missing = 'FORMAT' + '.md' // spelled apart so this file does not name it
    const offenders = projectFiles()
      .filter((f) => fs.readFileSync(f, 'utf8').includes(missing))
      .map((f) => path.relative(root, f))
    expect(offenders).toEqual([])
  })

  it('link only to files that exist (README and docs/)', () => {
    const docs = fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md'))
    const pages = [path.join(root, 'README.md'), ...docs.map((f) => path.join(root, 'docs', f))]
    const broken = pages.flatMap((page) =>
      [...fs.readFileSync(page, 'utf8').matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
        .map((m) => m[1] ?? '')
        .filter((target) => !/^[a-z]+:/.test(target) && !fs.existsSync(path.resolve(path.dirname(page), target)))
        .map((target) => `${path.relative(root, page)} → ${target}`),
    )
    expect(broken).toEqual([])
  })
})
