/**
 * `npm run bench:flood` — a message flood on wechaty-puppet-mock through the embedded guard
 * (SQLite file store and inbox): events stored and judged, spilled to the inbox, the most events
 * held in memory, and peak RSS — next to the RSS of the mock puppet alone under the same flood.
 * Each run is its own process, so that peak RSS is its own. Prints figures; asserts nothing.
 *
 * usage: npm run bench:flood -- [--counts 5000,20000] [--small 200,300]
 *   --small: memoryPerLane,memoryTotal of the small-limit runs (default 100,200; the default runs use 1000,10000)
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { runFlood } from '../test/helpers/flood.ts'

const { values: args } = parseArgs({
  options: {
    counts: { type: 'string', default: '5000,20000' },
    small: { type: 'string', default: '100,200' },
    help: { type: 'boolean', short: 'h', default: false },
    // internal: one run in this process
    one: { type: 'string' },
  },
})
if (args.help) {
  console.log('usage: npm run bench:flood -- [--counts 5000,20000] [--small 100,200]')
  console.log(
    '  --counts: messages per flood; --small: memoryPerLane,memoryTotal of the small-limit runs (the default runs use 1000,10000)',
  )
  process.exit(0)
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`

if (args.one) {
  const run = JSON.parse(args.one) as { count: number; queue?: { memoryPerLane: number; memoryTotal: number }; puppetOnly?: boolean }
  let peakRss = process.memoryUsage.rss()
  const started = performance.now()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qunguard-flood-bench-'))
  const figures = await runFlood({
    count: run.count,
    dir,
    queue: run.queue,
    puppetOnly: run.puppetOnly,
    sample: () => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss())
    },
  })
  fs.rmSync(dir, { recursive: true, force: true })
  process.stdout.write(
    `${JSON.stringify({ ...figures, errors: figures.errors.length, peakRss, seconds: (performance.now() - started) / 1000 })}\n`,
  )
  process.exit(0)
}

const [perLane, total] = (args.small ?? '100,200').split(',').map(Number)
console.log('flood on wechaty-puppet-mock: one room, 10 加微信 ads from 10 marketers, SQLite file store')
console.log(
  'messages  limits (per lane/total)   stored  ads judged  spilled  peak in memory  peak converting  left in inbox  errors  peak RSS  (puppet alone: RSS, time)  seconds',
)
for (const count of (args.counts ?? '').split(',').map(Number)) {
  const alone = runOne({ count, puppetOnly: true })
  for (const queue of [undefined, { memoryPerLane: perLane ?? 100, memoryTotal: total ?? 200 }]) {
    const f = runOne({ count, queue })
    const limits = queue ? `${queue.memoryPerLane}/${queue.memoryTotal}` : '1000/10000 (default)'
    console.log(
      [
        String(count).padStart(8),
        limits.padEnd(24),
        String(f.messagesStored).padStart(7),
        `${f.adsJudged}/10`.padStart(10),
        String(f.spilled).padStart(8),
        String(f.peakInMemory).padStart(15),
        String(f.peakConverting).padStart(16),
        String(f.leftInInbox).padStart(14),
        String(f.errors).padStart(7),
        mib(f.peakRss).padStart(9),
        `(${mib(alone.peakRss)}, ${alone.seconds.toFixed(0)} s)`.padStart(15),
        f.seconds.toFixed(1).padStart(8),
      ].join('  '),
    )
  }
}

function runOne(run: object): Record<string, number> & { seconds: number; peakRss: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--one', JSON.stringify(run)], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  })
  const line = r.stdout.trim().split('\n').at(-1) ?? ''
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`flood run failed: ${r.stderr.slice(-2000)}`)
  return JSON.parse(line) as Record<string, number> & { seconds: number; peakRss: number }
}
