/**
 * `npm run bench:vision-lambda` — the vision function with the embedded models (its container
 * image, `-c vision=local`): how long a cold start and each picture take through the real
 * handler code (`localEyes` + `visionRecord`: S3 read, QR, PaddleOCR, faces/NSFW, quality, the
 * picture remembered for 识别, the message on to moderate), and what that costs per thousand
 * pictures on Lambda, next to Textract + Rekognition (`-c vision=aws`). Prints figures; asserts
 * nothing.
 *
 * Pictures: every photo in ../shared/data/images (QR photos, licence plates, pay codes, an ID
 * card) and Chinese ads rendered here (plain and over a photo), whose characters read right are
 * counted (1 − edit distance / length).
 *
 * The run is pinned to one CPU (taskset), about what Lambda gives a 2,048 MB function (1,769 MB
 * is one vCPU). This machine is x86-64; the deployed function runs on Graviton (arm64) — treat the
 * time as an estimate of the same order, and check the function's Duration on the dashboard.
 *
 * usage: npm run bench:vision-lambda -- [--shared ../shared] [--ads 24] [--memory-mb 2048] [--all-cpus]
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import type { SQSRecord } from 'aws-lambda'
import { distance } from 'fastest-levenshtein'
import { MemoryFactsStore } from '../functions/adapters/memory/memory-facts-store.ts'
import type { ModerateRequest } from '../functions/domain/stage-messages.ts'
import { visionRecord } from '../functions/handlers/vision.ts'
import { localEyes } from '../functions/handlers/vision-local.ts'
import { cjkFont, textPicture } from '../test/helpers/pictures.ts'

const { values: args } = parseArgs({
  options: {
    shared: { type: 'string', default: path.resolve(import.meta.dirname, '../../shared') },
    ads: { type: 'string', default: '24' },
    'memory-mb': { type: 'string', default: '2048' },
    'all-cpus': { type: 'boolean', default: false },
    pinned: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
const USAGE = 'usage: npm run bench:vision-lambda -- [--shared ../shared] [--ads 24] [--memory-mb 2048] [--all-cpus]'
if (args.help) {
  console.log(USAGE)
  process.exit(0)
}

// One CPU, like the function: run again under taskset (util-linux) unless told otherwise.
if (!args['all-cpus'] && !args.pinned) {
  try {
    const runTs = path.resolve(import.meta.dirname, '../bin/run-ts.js')
    execFileSync('taskset', ['-c', '0', process.execPath, runTs, ...process.argv.slice(1), '--pinned'], { stdio: 'inherit' })
    process.exit(0)
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOENT') process.exit((e as { status?: number }).status ?? 1)
    console.log('(taskset not found: running on every CPU)')
  }
}

/** Lambda on arm64 (us-east-1, first 6 billion GB-s a month) and the picture APIs, USD. */
const PRICE = {
  gbSecond: 0.0000133334,
  request: 0.2 / 1e6,
  textract: 1.5 / 1000, // DetectDocumentText, per page
  rekognition: 1.0 / 1000, // per image per API (DetectLabels, DetectFaces, DetectModerationLabels)
}

const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? (s[Math.min(s.length - 1, Math.floor(q * s.length))] as number) : 0
}

const OPENERS = ['高薪招聘', '兼职日结', '免费领取', '扫码进群', '代理招募', '低价转让', '会员福利', '限时优惠']
const MIDDLES = ['日赚三百元', '在家就能做', '名额有限', '先到先得', '手机操作简单', '宝妈学生优先']
const contact = (n: number) =>
  [`微信 wx${1000 + n}abc`, `电话 1${38 + (n % 9)}${String(10_000_000 + n * 7919).slice(0, 8)}`][n % 2] as string

const pictures: { name: string; bytes: Uint8Array; truth?: string }[] = []
const root = path.join(args.shared, 'data/images')
if (fs.existsSync(root))
  for (const f of fs.readdirSync(root, { recursive: true }) as string[])
    if (/\.(jpe?g|png)$/i.test(f)) pictures.push({ name: f, bytes: new Uint8Array(fs.readFileSync(path.join(root, f))) })
const photos = pictures.filter((p) => p.name.startsWith('ccpd-demo')).map((p) => Buffer.from(p.bytes))
if (cjkFont())
  for (let i = 0; i < Number(args.ads); i++) {
    const lines = [`${OPENERS[i % OPENERS.length]} ${MIDDLES[i % MIDDLES.length]}`, contact(i)]
    const background = i % 2 && photos.length ? photos[i % photos.length] : undefined
    pictures.push({ name: `ad-${i}`, bytes: new Uint8Array(await textPicture(lines, { size: 28, background })), truth: lines.join('') })
  }
else console.log('(no CJK font: the rendered Chinese ads are left out; apt-get install fonts-wqy-microhei)')
if (!pictures.length) {
  console.error(`no pictures: ${root} is missing and no CJK font to render any`)
  process.exit(1)
}

const rss0 = process.memoryUsage().rss
const t0 = performance.now()
const eyes = await localEyes()
const coldMs = performance.now() - t0

const media = new Map<string, Uint8Array>()
const sent: ModerateRequest[] = []
const deps = {
  media: { get: async (key: string) => media.get(key), put: async () => {} },
  moderate: { send: async (m: { body: ModerateRequest }) => void sent.push(m.body) },
  facts: new MemoryFactsStore(),
  ...eyes,
} as unknown as Parameters<typeof visionRecord>[0]

const times: number[] = []
const readRight: number[] = []
let first = 0
for (const [i, p] of pictures.entries()) {
  const key = `media/bench/${i}`
  media.set(key, p.bytes)
  const event = {
    kind: 'message',
    id: `p${i}`,
    ts: new Date(Date.UTC(2026, 11, 1, 0, i)).toISOString(),
    room: 'r1',
    sender: 'wxid_a',
    type: 'image',
    media: key,
  }
  const record = { messageId: `m${i}`, body: JSON.stringify({ event }), attributes: { MessageGroupId: 'r1' } } as unknown as SQSRecord
  const t = performance.now()
  await visionRecord(deps, record)
  const ms = performance.now() - t
  if (i === 0) first = ms
  else times.push(ms)
  const text = (sent.at(-1)?.imageText ?? '').replace(/\s+/g, '')
  if (p.truth) {
    const truth = p.truth.replace(/\s+/g, '')
    // The masked phone number reads as *: compare with the truth masked the same way.
    const masked = truth.replace(/(1\d{2})\d{4}(\d{4})/g, '$1****$2')
    readRight.push(1 - Math.min(distance(text.slice(0, masked.length + 40), masked), masked.length) / masked.length)
  }
}
const peakMiB = Math.max(process.memoryUsage().rss, rss0) / 2 ** 20

const gb = Number(args['memory-mb']) / 1024
const p50 = quantile(times, 0.5) / 1000
const p90 = quantile(times, 0.9) / 1000
const mean = times.reduce((a, b) => a + b, 0) / Math.max(1, times.length) / 1000
const perThousand = (seconds: number) => 1000 * (seconds * gb * PRICE.gbSecond + PRICE.request)
const awsApis = 1000 * (PRICE.textract + 3 * PRICE.rekognition)

console.log(`vision function, embedded models (container image), ${args.pinned ? 'one CPU' : 'every CPU'}, ${pictures.length} pictures`)
console.log(`  cold start      models loaded in ${(coldMs / 1000).toFixed(2)} s; first picture ${(first / 1000).toFixed(2)} s`)
console.log(`  per picture     p50 ${(p50 * 1000).toFixed(0)} ms, p90 ${(p90 * 1000).toFixed(0)} ms, mean ${(mean * 1000).toFixed(0)} ms`)
if (readRight.length)
  console.log(
    `  Chinese ads     ${readRight.length} rendered: characters read right ${((100 * readRight.reduce((a, b) => a + b, 0)) / readRight.length).toFixed(1)}% (mean)`,
  )
console.log(`  memory          peak RSS ${peakMiB.toFixed(0)} MiB`)
console.log(`cost per 1,000 pictures at ${args['memory-mb']} MB (arm64 $${PRICE.gbSecond}/GB-s):`)
console.log(
  `  local models    $${perThousand(mean).toFixed(3)} (mean duration; p90 $${perThousand(p90).toFixed(3)}); a cold start adds $${((coldMs / 1000) * gb * PRICE.gbSecond).toFixed(5)}`,
)
console.log(
  `  vision=aws      $${(awsApis + perThousand(0.5)).toFixed(2)} (Textract $${(1000 * PRICE.textract).toFixed(2)} + Rekognition 3 × $${(1000 * PRICE.rekognition).toFixed(2)}, + ~0.5 s at 1 GB of Lambda; Textract reads no Chinese)`,
)
