/**
 * One writer per SQLite store file, across processes: `qunguard start` (and `replay --store`)
 * take the lock when they open the store; a second process gets StoreLockedError instead of
 * splitting the work. The lock is proper-lockfile's `<store>.lock` directory, whose time the
 * holder refreshes every few seconds. The holder also writes its pid and host beside it
 * (`<store>.lock-owner`; not inside, where a new entry would change the time proper-lockfile
 * watches and make the lock look taken over): a lock whose holder is gone from this machine (killed, even with
 * `kill -9`) is taken over at once; any other lock is stale after `STALE_MS` and taken over, so
 * a crash never blocks the store for good.
 *
 * @example
 *   const release = lockStore('/srv/qunguard.db') // throws StoreLockedError if another qunguard has it
 *   release()
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import lockfile from 'proper-lockfile'
import { StoreError } from '../../ports/guard-store.port.ts'

/** The store file is held by another process (or another open store in this one). */
export class StoreLockedError extends StoreError {
  override name = 'StoreLockedError'
  constructor(
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(
      `the store ${file} is in use by another qunguard (lock ${file}.lock): stop that one first, or give this one its own \`store:\` file. A lock left by a killed process is taken over at once on this machine, else after ${Math.round(STALE_MS / 1000)} s`,
      options,
    )
  }
}

/** A lock not refreshed for this long belongs to a dead process. */
export const STALE_MS = 10_000

const lockOptions = (file: string, staleMs = STALE_MS) => ({ realpath: false, lockfilePath: `${file}.lock`, stale: staleMs })

const ownerFile = (abs: string) => `${abs}.lock-owner`

/** Whether the lock was left by a process of this machine that is no longer running. */
function holderIsGone(abs: string): boolean {
  let owner: { pid?: unknown; host?: unknown }
  try {
    owner = JSON.parse(fs.readFileSync(ownerFile(abs), 'utf8')) as { pid?: unknown; host?: unknown }
  } catch {
    return false // no owner written (yet, or by an older qunguard): only staleness decides
  }
  if (owner.host !== os.hostname() || typeof owner.pid !== 'number' || owner.pid === process.pid) return false
  try {
    process.kill(owner.pid, 0)
    return false
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/**
 * Takes the store's lock; returns its release.
 * @param staleMs after how long without refresh the lock counts as abandoned (tests shorten it)
 */
export function lockStore(file: string, staleMs = STALE_MS): () => void {
  const abs = path.resolve(file)
  if (holderIsGone(abs)) fs.rmSync(`${abs}.lock`, { recursive: true, force: true })
  let release: () => void
  try {
    release = lockfile.lockSync(abs, {
      ...lockOptions(abs, staleMs),
      onCompromised: (e: Error) => {
        // Another process took the lock over (this one stalled past STALE_MS): two writers
        // would split the work, so this one stops.
        throw new StoreLockedError(abs, { cause: e })
      },
    })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOCKED') throw new StoreLockedError(abs, { cause: e })
    throw new StoreError(`cannot lock the SQLite store ${abs}: ${(e as Error).message}`, { cause: e })
  }
  try {
    fs.writeFileSync(ownerFile(abs), JSON.stringify({ pid: process.pid, host: os.hostname() }))
  } catch {
    // Without an owner file the lock still works; a crash then waits STALE_MS instead.
  }
  let released = false
  return () => {
    if (released) return
    released = true
    try {
      release()
      fs.rmSync(ownerFile(abs), { force: true })
    } catch {
      // Already released or taken over: nothing of ours to remove.
    }
  }
}

/** Whether a live process holds the store's lock (a stale lock does not count). */
export function isStoreLocked(file: string): boolean {
  const abs = path.resolve(file)
  if (holderIsGone(abs)) return false
  try {
    return lockfile.checkSync(abs, lockOptions(abs))
  } catch {
    return false
  }
}
