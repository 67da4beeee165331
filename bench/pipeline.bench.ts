/**
 * `npm run bench:pipeline` — throughput and latency of the embedded pipeline, and the cost of
 * keyword matching with 10 versus 10,000 keywords. Prints figures; asserts nothing.
 *
 * It generates a multi-group history with ../shared/bench/gen-group-history.mjs, then runs every
 * event through the Guard with a SQLite file store (WAL), timing each event.
 *
 * usage: npm run bench:pipeline -- [--seed 1] [--rooms 8] [--volume 4] [--shared ../shared]
 */
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import YAML from 'yaml'
import { readHistory } from '../functions/adapters/local/jsonl-history.ts'
import { SqliteGuardStore } from '../functions/adapters/local/sqlite-guard-store.ts'
import { parseConfig } from '../functions/domain/config.ts'
import { type GroupEvent, toMillis } from '../functions/domain/events.ts'
import { Guard } from '../functions/domain/guard.ts'
import { generateHistory } from './history.ts'
import { runKeywordBench } from './keyword-matcher.bench.ts'

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    rooms: { type: 'string', default: '8' },
    volume: { type: 'string', default: '4' },
    shared: { type: 'string', default: path.resolve(import.meta.dirname, '../../shared') },
  },
})

const BENCH_CONFIG = `
groups:
  "*":
    rules:
      - id: ads
        any: ["加微信", "加我微信", "代购", "兼职", "日赚", "返利", "刷单", "优惠券", "vx", "威信", "砍一刀", "助力"]
        exclude: ["团购接龙"]
      - id: newcomer-links
        types: [link, miniprogram]
        newcomerHours: 24
        action: alert-owner
`

const quantile = (sorted: Float64Array, q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0

async function main() {
  const dir = generateHistory('bench:pipeline', args)

  const events: GroupEvent[] = []
  for (const file of ['train.jsonl', 'test.jsonl']) {
    for await (const row of readHistory(path.join(dir, file))) if (row.event) events.push(row.event)
  }
  events.sort((a, b) => toMillis(a.ts) - toMillis(b.ts))

  const store = SqliteGuardStore.open(path.join(dir, 'bench.db'))
  const guard = new Guard({ store, config: parseConfig(YAML.parse(BENCH_CONFIG)) })
  const latencies = new Float64Array(events.length)
  let decisions = 0
  const started = performance.now()
  for (const [i, e] of events.entries()) {
    const t0 = performance.now()
    const r = await guard.handleEvent(e)
    latencies[i] = performance.now() - t0
    if (r.status === 'stored') decisions += r.decisions.length
  }
  const seconds = (performance.now() - started) / 1000
  await store.close()
  latencies.sort()

  console.log(`pipeline (Guard + SQLite file, WAL, synchronous=NORMAL), seed ${args.seed}, ${args.rooms} rooms, volume ${args.volume}`)
  console.log(`  events          ${events.length}`)
  console.log(`  decisions       ${decisions}`)
  console.log(`  throughput      ${Math.round(events.length / seconds)} events/s (${seconds.toFixed(2)} s)`)
  console.log(`  latency p50     ${(quantile(latencies, 0.5) * 1000).toFixed(0)} µs`)
  console.log(`  latency p99     ${(quantile(latencies, 0.99) * 1000).toFixed(0)} µs`)
  console.log(`  latency max     ${(quantile(latencies, 1) * 1000).toFixed(0)} µs`)
  console.log(`  peak RSS        ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`)

  const kw = await runKeywordBench()
  console.log('keyword matching (one automaton, one pass per message)')
  console.log(`  10 keywords     ${Math.round(kw.small)} messages/s`)
  console.log(`  10,000 keywords ${Math.round(kw.large)} messages/s`)
  console.log(`  cost ratio      ${kw.ratio.toFixed(2)}× (10,000 vs 10 keywords)`)
  fs.rmSync(dir, { recursive: true, force: true })
}

await main()
