/**
 * A generated multi-group history for the benchmarks: ../shared/bench/gen-group-history.mjs
 * with the shared text pools and images, written to a temporary folder the caller removes.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export interface HistoryOptions {
  readonly shared: string
  readonly seed: string
  readonly rooms: string
  readonly volume: string
  /** The generator's earlier, fixed simulator (`--fixed`) instead of per-room draws. */
  readonly fixed?: boolean | undefined
}

/** Generates the history and returns its folder (train.jsonl, test.jsonl, …); exits with a clear line when the shared folder is missing. */
export function generateHistory(bench: string, o: HistoryOptions): string {
  const generator = path.join(o.shared, 'bench/gen-group-history.mjs')
  if (!fs.existsSync(generator)) {
    console.error(`${bench} needs ${generator} (the shared bench folder); pass --shared DIR`)
    process.exit(2)
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qunguard-bench-'))
  execFileSync(process.execPath, [
    generator,
    ...['--pools', path.join(o.shared, 'data/text'), '--media', path.join(o.shared, 'data/images'), '--out', dir],
    ...['--seed', o.seed, '--rooms', o.rooms, '--volume', o.volume],
    ...(o.fixed ? ['--fixed'] : []),
  ])
  return dir
}
