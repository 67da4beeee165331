/**
 * `npm run bench:console` — how long the owner's console takes to render a busy group's pages:
 * a SQLite store holding one group of `--messages` messages (default 100,000) over 90 days, from
 * 2,000 members, with a decision on one message in a hundred; each page requested `--runs` times
 * through the console app (as the browser would, with the token), median and slowest printed —
 * for the analytics, the first view (which summarises the days that are over and keeps them) apart
 * from the views after it.
 * Prints figures; asserts nothing.
 *
 * The messages' texts are the chat (ham) lines of `../shared/data/text` when it is there — tens of
 * thousands of different real chat lines, so word segmentation and counting see a real
 * vocabulary — and six built-in lines otherwise (or with `--texts builtin`).
 *
 * usage: npm run bench:console -- [--messages 100000] [--runs 5] [--texts shared|builtin] [--shared ../shared]
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { consoleAnalytics } from '../bot-host/console/console-words.ts'
import { SqliteAnalyticsStore } from '../functions/adapters/local/sqlite-analytics-store.ts'
import { SqliteGuardStore } from '../functions/adapters/local/sqlite-guard-store.ts'
import { MemoryApprovalStore } from '../functions/adapters/memory/memory-approval-store.ts'
import { consoleApp } from '../functions/console/console-app.ts'
import { parseConfig } from '../functions/domain/config.ts'
import type { GroupEvent } from '../functions/domain/events.ts'
import { supervisorFor } from '../functions/domain/supervision/catalogue.ts'

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '5' },
    texts: { type: 'string', default: 'shared' },
    shared: { type: 'string', default: path.resolve('../shared') },
  },
})
const total = Number(args.messages)
const runs = Number(args.runs)
if (!Number.isInteger(total) || total < 1 || !Number.isInteger(runs) || runs < 1 || !['shared', 'builtin'].includes(String(args.texts))) {
  console.error('usage: npm run bench:console -- [--messages 100000] [--runs 5] [--texts shared|builtin] [--shared ../shared]')
  process.exit(2)
}
const BUILTIN = ['今晚一起去公园散步吗', '周末带孩子去哪里玩', '这个作业怎么做', '谢谢大家的帮助', '明天学校放假吗', '有没有人一起拼车']
/** Chat lines of the shared labelled sets (label ham), or undefined when they are not there. */
function sharedChat(): string[] | undefined {
  const dir = path.join(String(args.shared), 'data/text')
  if (args.texts !== 'shared' || !fs.existsSync(dir)) return undefined
  const lines: string[] = []
  for (const f of fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .sort())
    for (const l of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      if (!l.trim()) continue
      const r = JSON.parse(l) as { text?: string; label?: string }
      if (r.label === 'ham' && r.text) lines.push(r.text)
    }
  return lines.length ? lines : undefined
}
const chat = sharedChat()
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qunguard-console-bench-'))
const store = SqliteGuardStore.open(path.join(dir, 'store.db'))
const start = Date.now() - 90 * 24 * 3_600_000
const texts = chat ?? BUILTIN
const members = Array.from({ length: 2000 }, (_, i) => `wxid_m${i}`)
const snapshot: GroupEvent = {
  kind: 'room',
  id: 'snap',
  ts: new Date(start).toISOString(),
  room: 'r1',
  topic: '宝妈群',
  owner: 'wxid_owner',
  admins: [],
  members: ['wxid_owner', ...members],
  names: Object.fromEntries(members.map((m, i) => [m, `成员${i}`])),
}
store.beginBatch()
await store.commit({ event: snapshot, room: snapshot as GroupEvent & { kind: 'room' } })
for (let i = 0; i < total; i++) {
  const sender = members[(i * 7919) % members.length] as string
  const event: GroupEvent = {
    kind: 'message',
    id: `m${i}`,
    ts: new Date(start + Math.floor((i / total) * 90 * 24 * 3_600_000)).toISOString(),
    room: 'r1',
    sender,
    senderName: `成员${members.indexOf(sender)}`,
    type: 'text',
    text: chat ? (texts[(i * 7919) % texts.length] as string) : `${texts[i % texts.length]} ${i % 13}`,
  }
  const decisions =
    i % 100 === 0
      ? [
          {
            event: event.id,
            room: 'r1',
            target: sender,
            action: 'warn' as const,
            mode: 'active' as const,
            rule: 'no-ads',
            score: 1,
            reason: '广告',
          },
        ]
      : []
  await store.commit({ event, decisions })
  if (i % 5000 === 4999) {
    store.endBatch()
    store.beginBatch()
  }
}
store.endBatch()
const config = parseConfig({})
const supervisor = supervisorFor(config, new MemoryApprovalStore(), { rooms: store, decisions: store, members: store, blacklist: store })
const token = 'bench-token-0123456789'
// As `qunguard console` runs it: the groups' days summarised once they are over, in the same file.
const days = SqliteAnalyticsStore.open(path.join(dir, 'store.db'))
const app = consoleApp({ viewer: 'wxid_owner', supervisor: () => supervisor, store, analytics: consoleAnalytics(480), days }, { token })
console.log(
  `console pages for one group of ${total} messages (${total / 100} decisions), ${runs} runs each, SQLite store; texts: ${chat ? `${new Set(chat).size} different chat lines of the shared sets` : 'six built-in lines'}`,
)
for (const page of ['/groups', '/rules', '/decisions', '/approvals', '/analytics']) {
  const times: number[] = []
  let bytes = 0
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now()
    const res = await app.request(page, { headers: { authorization: `Bearer ${token}` } })
    bytes = (await res.text()).length
    times.push(performance.now() - t0)
  }
  // The first view of the analytics summarises the 89 days that are over (kept for the views after it).
  const first = page === '/analytics' ? times.shift() : undefined
  times.sort((a, b) => a - b)
  console.log(
    `  ${page.padEnd(12)} ${first !== undefined ? `first view ${first.toFixed(0)} ms (days summarised and kept), then ` : ''}median ${times[Math.floor(times.length / 2)]?.toFixed(0)} ms, slowest ${times.at(-1)?.toFixed(0)} ms, ${(bytes / 1024).toFixed(0)} KiB`,
  )
}
await days.close()
await store.close()
fs.rmSync(dir, { recursive: true, force: true })
