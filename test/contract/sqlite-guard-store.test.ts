import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { SqliteBotRegistry } from '../../functions/adapters/local/sqlite-bot-registry.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { MIGRATIONS } from '../../functions/adapters/local/sqlite-migrations.ts'
import { isStoreLocked, lockStore, StoreLockedError } from '../../functions/adapters/local/store-lock.ts'
import { StoreError } from '../../functions/ports/guard-store.port.ts'
import { message } from '../helpers/factories.ts'
import { tempDir } from '../helpers/temp-dirs.ts'
import { botRegistryContract } from './bot-registry.contract.ts'
import { guardStoreContract } from './guard-store.contract.ts'

const tempFile = () => path.join(tempDir('qunguard-store-'), 'guard.db')

guardStoreContract('SqliteGuardStore (in memory)', async () => SqliteGuardStore.open(':memory:'))
guardStoreContract('SqliteGuardStore (file)', async () => SqliteGuardStore.open(tempFile()))
botRegistryContract('SqliteBotRegistry', async () => SqliteBotRegistry.open(':memory:'))

describe('SqliteGuardStore', () => {
  it('uses WAL and runs every migration once', async () => {
    const file = tempFile()
    const store = SqliteGuardStore.open(file)
    expect(store.journalMode).toBe('wal')
    expect(store.schemaVersion).toBe(MIGRATIONS.length)
    await store.close()
    const again = SqliteGuardStore.open(file)
    expect(again.schemaVersion).toBe(MIGRATIONS.length)
    await again.close()
  })

  it('migrates a version-3 store to the latest: offences stored before `counted` keep counting', async () => {
    const file = tempFile()
    const db = new Database(file)
    for (const sql of MIGRATIONS.slice(0, 3)) db.exec(sql)
    db.pragma('user_version = 3')
    const ts = Date.parse('2026-03-01T10:00:00Z')
    db.prepare("INSERT INTO events (id, kind, room, ts, ts_ms, json) VALUES ('e1', 'message', 'r1', '2026-03-01T10:00:00Z', ?, '{}')").run(
      ts,
    )
    db.prepare("INSERT INTO offences (room, member, rule, event, ts_ms, mode) VALUES ('r1', 'u', 'x', 'e1', ?, 'active')").run(ts)
    db.close()
    const store = SqliteGuardStore.open(file)
    expect(store.schemaVersion).toBe(MIGRATIONS.length)
    expect(await store.countOffences('r1', 'u', '2026-03-01T00:00:00Z', 'active')).toBe(1)
    await store.close()
  })

  it('keeps what was committed across close and reopen', async () => {
    const file = tempFile()
    const store = SqliteGuardStore.open(file)
    const m = message({ text: '你好' })
    await store.commit({ event: m })
    await store.close()
    const reopened = SqliteGuardStore.open(file)
    expect(await reopened.getEvent(m.id)).toEqual(m)
    await reopened.close()
  })

  it('keeps commits of a process killed with SIGKILL right after them', () => {
    const file = tempFile()
    const script = path.join(path.dirname(file), 'crash.mts')
    const storeUrl = new URL('../../functions/adapters/local/sqlite-guard-store.ts', import.meta.url).href
    fs.writeFileSync(
      script,
      `import { SqliteGuardStore } from ${JSON.stringify(storeUrl)}
const store = SqliteGuardStore.open(${JSON.stringify(file)})
for (let i = 0; i < 100; i++) {
  await store.commit({ event: { kind: 'private', id: 'p' + i, ts: '2026-03-01T20:00:00+08:00', sender: 'o', text: String(i) } })
}
process.stdout.write('acknowledged 100\\n')
process.kill(process.pid, 'SIGKILL')
`,
    )
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.signal).toBe('SIGKILL')
    expect(r.stdout).toContain('acknowledged 100')
    // The killed process's lock is still fresh, but its holder is gone from this machine: taken over at once.
    expect(fs.existsSync(`${file}.lock`)).toBe(true)
    expect(isStoreLocked(file)).toBe(false)
    const store = SqliteGuardStore.open(file)
    return store.countEvents().then(async (n) => {
      expect(n).toBe(100)
      await store.close()
    })
  })

  it('throws a StoreError naming the file when it cannot open it', () => {
    expect(() => SqliteGuardStore.open('/nonexistent-dir/x/guard.db')).toThrow(StoreError)
    expect(() => SqliteGuardStore.open('/nonexistent-dir/x/guard.db')).toThrow(/\/nonexistent-dir\/x\/guard\.db/)
  })
})

describe('SqliteGuardStore lock', () => {
  it('refuses a second writer on the same file with StoreLockedError, and lets it in once the first closes', async () => {
    const file = tempFile()
    const first = SqliteGuardStore.open(file)
    expect(() => SqliteGuardStore.open(file)).toThrow(StoreLockedError)
    expect(() => SqliteGuardStore.open(file)).toThrow(/in use by another qunguard/)
    const reader = SqliteGuardStore.open(file, { readOnly: true })
    expect(await reader.countEvents()).toBe(0)
    await reader.close()
    await first.close()
    const second = SqliteGuardStore.open(file)
    await second.close()
  })

  it('takes over a stale lock left by a killed process', async () => {
    const file = tempFile()
    const first = SqliteGuardStore.open(file)
    await first.close()
    // What a process killed with SIGKILL leaves: the lock directory, no longer refreshed.
    fs.mkdirSync(`${file}.lock`)
    expect(isStoreLocked(file)).toBe(true)
    const old = new Date(Date.now() - 60_000)
    fs.utimesSync(`${file}.lock`, old, old)
    expect(isStoreLocked(file)).toBe(false)
    const store = SqliteGuardStore.open(file)
    await store.close()
  })

  it("takes over at once a fresh lock whose holder on this machine is gone, and keeps a live holder's", async () => {
    const file = tempFile()
    fs.mkdirSync(`${file}.lock`)
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
    fs.writeFileSync(`${file}.lock-owner`, JSON.stringify({ pid: Number(dead.stdout), host: os.hostname() }))
    expect(isStoreLocked(file)).toBe(false)
    const store = SqliteGuardStore.open(file)
    await store.close()
    // A live process of this machine (the test runner's parent) keeps its lock.
    fs.mkdirSync(`${file}.lock`)
    fs.writeFileSync(`${file}.lock-owner`, JSON.stringify({ pid: process.ppid, host: os.hostname() }))
    expect(isStoreLocked(file)).toBe(true)
    expect(() => SqliteGuardStore.open(file)).toThrow(StoreLockedError)
    fs.rmSync(`${file}.lock`, { recursive: true })
  })

  it('keeps its lock past several refreshes (the owner record does not make it look taken over)', async () => {
    const file = tempFile()
    const compromised: unknown[] = []
    process.on('uncaughtException', (e) => compromised.push(e))
    const release = lockStore(file, 2000) // refreshed every second
    await new Promise((r) => setTimeout(r, 3500))
    expect(compromised).toEqual([])
    expect(isStoreLocked(file)).toBe(true)
    release()
    expect(isStoreLocked(file)).toBe(false)
    expect(fs.existsSync(`${file}.lock-owner`)).toBe(false)
  })
})
