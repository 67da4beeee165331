/**
 * `qunguard learn`: learns each room's rulebook from FORMAT.md histories (the owner's past
 * warnings and removals, the announcements, the rhythm) and writes policy.json; and
 * `qunguard rules`: prints a policy's rules, one a line, with their evidence.
 */
import fs from 'node:fs'
import { readHistory } from '../../functions/adapters/local/jsonl-history.ts'
import type { LabelledText } from '../../functions/domain/ad-classifier.ts'
import { type GroupEvent, toMillis } from '../../functions/domain/events.ts'
import { policyFromJson, policyToJson } from '../../functions/domain/learning/policy-file.ts'
import { type LearnedPolicy, learnPolicy } from '../../functions/domain/learning/rule-learner.ts'
import { Progress } from './progress.ts'

export interface LearnOptions {
  readonly history: readonly string[]
  readonly out: string
  /** Labelled texts (`{"text","label":"spam"|"ham"}` lines) to train the ad classifier on as well. */
  readonly corpus?: readonly string[] | undefined
  readonly log?: (line: string) => void
  readonly progress?: boolean
}

/** Reads histories into one time-ordered list, reporting malformed lines with their numbers. */
export async function readHistories(
  files: readonly string[],
  log: (line: string) => void,
): Promise<{ events: GroupEvent[]; malformed: number }> {
  const events: GroupEvent[] = []
  let malformed = 0
  for (const file of files) {
    for await (const row of readHistory(file)) {
      if (row.event) events.push(row.event)
      else if (++malformed <= 50) log(`${file}:${row.line}: skipped: ${row.error}`)
    }
  }
  if (malformed > 50) log(`… and ${malformed - 50} more malformed lines`)
  const keyed = events.map((e, i) => ({ e, t: toMillis(e.ts), i }))
  keyed.sort((a, b) => a.t - b.t || a.i - b.i)
  return { events: keyed.map((k) => k.e), malformed }
}

/** Reads `{"text","label"}` lines; lines without a spam/ham label are skipped and counted. */
export function readCorpus(file: string, log: (line: string) => void): LabelledText[] {
  const out: LabelledText[] = []
  let skipped = 0
  for (const [i, line] of fs.readFileSync(file, 'utf8').split('\n').entries()) {
    if (!line.trim()) continue
    try {
      const r = JSON.parse(line) as { text?: unknown; label?: unknown }
      if (typeof r.text === 'string' && (r.label === 'spam' || r.label === 'ham')) out.push({ text: r.text, label: r.label })
      else if (++skipped <= 10) log(`${file}:${i + 1}: skipped: needs "text" and "label": "spam" | "ham"`)
    } catch {
      if (++skipped <= 10) log(`${file}:${i + 1}: skipped: not JSON`)
    }
  }
  return out
}

export async function learn(options: LearnOptions): Promise<LearnedPolicy> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const { events } = await readHistories(options.history, log)
  const corpus = (options.corpus ?? []).flatMap((f) => readCorpus(f, log))
  const show = options.progress ?? process.stderr.isTTY === true
  let bar: Progress | undefined
  let stage = ''
  const policy = learnPolicy(events, {
    corpus,
    onProgress: (s, done, total) => {
      if (s !== stage) {
        bar?.done()
        stage = s
        bar = new Progress(`learn: ${s}`, total, show)
      }
      if (bar) bar.tick(done - bar.n)
    },
  })
  bar?.done()
  fs.writeFileSync(options.out, policyToJson(policy))
  return policy
}

/** One line a rule: room, id, mode, sentence. */
export function formatRules(policy: LearnedPolicy): string {
  const lines: string[] = []
  for (const [room, p] of Object.entries(policy.rooms)) {
    lines.push(`${room}  (owner acts on ~${Math.round(p.actionRate * 100)}% of violations)`)
    if (!p.rules.length) lines.push('  (no rules)')
    for (const r of p.rules) lines.push(`  [${r.mode}] ${r.id}: ${r.sentence}`)
  }
  return lines.join('\n')
}

export function readPolicy(file: string): LearnedPolicy {
  return policyFromJson(fs.readFileSync(file, 'utf8'))
}
