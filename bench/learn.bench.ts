/**
 * `npm run bench:learn` — how well qunguard learns groups' rules and spots ads. Prints figures;
 * asserts nothing. Two parts:
 *
 * 1. Group-rule learning: for each seed, ../shared/bench/gen-group-history.mjs makes a
 *    multi-room history; `learnPolicy` learns from train.jsonl (the owner's actions are the
 *    only labels), the learned shadow rules run over test.jsonl, and score-decisions.mjs scores
 *    the decisions against truth.jsonl. Precision, recall, F1 per seed and on average, recall
 *    per violation kind. For scale: flagging every newcomer's messages, run the same way.
 * 2. The ad classifier: for every labelled set in ../shared/data/text, a deterministic 80/20
 *    split by id; qunguard's AdClassifier and natural's BayesClassifier train on the same
 *    tokens of the same 80% and are scored on the 20%, side by side; then training time on
 *    100,000 messages and classification throughput on one core.
 *
 * usage: npm run bench:learn -- [--seeds 1,2,3] [--rooms 4] [--volume 1] [--shared ../shared] [--skip-natural]
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { readHistory } from '../functions/adapters/local/jsonl-history.ts'
import { AdClassifier, type LabelledText } from '../functions/domain/ad-classifier.ts'
import type { Decision, GroupEvent } from '../functions/domain/events.ts'
import { FeatureTracker } from '../functions/domain/learning/features.ts'
import { PolicyRunner } from '../functions/domain/learning/policy-runner.ts'
import { learnPolicy } from '../functions/domain/learning/rule-learner.ts'
import { modelTokens } from '../functions/domain/training-set.ts'
import { generateHistory } from './history.ts'

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    rooms: { type: 'string', default: '4' },
    volume: { type: 'string', default: '1' },
    shared: { type: 'string', default: path.resolve(import.meta.dirname, '../../shared') },
    'skip-natural': { type: 'boolean', default: false },
  },
})

interface Score {
  precision: number
  recall: number
  f1: number
  recallByKind: Record<string, number>
}

async function read(file: string): Promise<GroupEvent[]> {
  const out: GroupEvent[] = []
  for await (const r of readHistory(file)) if (r.event) out.push(r.event)
  return out
}

function score(dir: string, decisions: Decision[], name: string): Score {
  const file = path.join(dir, `${name}.jsonl`)
  fs.writeFileSync(file, decisions.map((d) => JSON.stringify(d)).join('\n') + '\n')
  const scorer = path.join(args.shared, 'bench/score-decisions.mjs')
  return JSON.parse(execFileSync(process.execPath, [scorer, path.join(dir, 'truth.jsonl'), file, '--json'], { encoding: 'utf8' })) as Score
}

const fmt = (s: Score) => `P ${s.precision.toFixed(3)}  R ${s.recall.toFixed(3)}  F1 ${s.f1.toFixed(3)}`

async function groupRules(): Promise<void> {
  const seeds = args.seeds.split(',').map((s) => s.trim())
  const learned: Score[] = []
  const newcomers: Score[] = []
  const kinds: Record<string, number[]> = {}
  console.log(`group-rule learning: ${seeds.length} seeds, ${args.rooms} rooms, volume ${args.volume}`)
  for (const seed of seeds) {
    const dir = generateHistory('bench:learn', { shared: args.shared, seed, rooms: args.rooms, volume: args.volume })
    try {
      const [train, test] = await Promise.all([read(path.join(dir, 'train.jsonl')), read(path.join(dir, 'test.jsonl'))])
      const t0 = performance.now()
      const policy = learnPolicy(train)
      const ms = performance.now() - t0
      const runner = new PolicyRunner(policy)
      const decisions = test.flatMap((e) => runner.observe(e))
      const s = score(dir, decisions, 'decisions')
      learned.push(s)
      for (const [k, v] of Object.entries(s.recallByKind)) {
        kinds[k] ??= []
        kinds[k].push(v)
      }
      // Baseline: every message of a member who joined under a day ago.
      const tracker = new FeatureTracker()
      const naive: Decision[] = []
      for (const e of test) {
        const f = tracker.observe(e)
        if (f?.newcomer && !f.staff)
          naive.push({
            event: f.id,
            room: f.room,
            target: f.sender,
            action: 'ask-owner',
            mode: 'shadow',
            rule: 'newcomer',
            score: 0.5,
            reason: '',
          })
      }
      const n = score(dir, naive, 'newcomers')
      newcomers.push(n)
      const rules = Object.values(policy.rooms).reduce((k, r) => k + r.rules.length, 0)
      console.log(
        `  seed ${seed}: learned ${rules} rules in ${(ms / 1000).toFixed(1)} s from ${train.length} events — ${fmt(s)}   (every newcomer: ${fmt(n)})`,
      )
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
  const avg = (ss: Score[]): Score => ({
    precision: mean(ss.map((s) => s.precision)),
    recall: mean(ss.map((s) => s.recall)),
    f1: mean(ss.map((s) => s.f1)),
    recallByKind: {},
  })
  console.log(`  average: ${fmt(avg(learned))}   (every newcomer: ${fmt(avg(newcomers))}; goal F1 ≥ 0.90 with P ≥ 0.95)`)
  console.log(
    `  recall by kind: ${Object.entries(kinds)
      .map(([k, v]) => `${k} ${mean(v).toFixed(2)}`)
      .join(', ')}`,
  )
}

/** FNV-1a, for a split that is the same on every run. */
function hash(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0
  return h
}

function f1Of(truth: boolean[], predicted: boolean[]): number {
  let tp = 0
  let fp = 0
  let fn = 0
  for (const [i, y] of truth.entries()) {
    const p = predicted[i]
    if (p && y) tp++
    else if (p) fp++
    else if (y) fn++
  }
  return tp ? (2 * tp) / (2 * tp + fp + fn) : 0
}

async function classifier(): Promise<void> {
  const dir = path.join(args.shared, 'data/text')
  const sets = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl'))
  const natural = args['skip-natural']
    ? undefined
    : (((m) => (m as { default?: unknown }).default ?? m)(await import('natural')) as { BayesClassifier: new () => NaturalBayes })
  console.log(
    `ad classifier: 80/20 split by id hash; F1 on the 20%${natural ? ', natural BayesClassifier on the same tokens alongside' : ''}`,
  )
  const allTrain: LabelledText[] = []
  for (const file of sets) {
    const rows = fs
      .readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { id: string; text: string; label: 'spam' | 'ham' })
    const train = rows.filter((r) => hash(r.id) % 5 !== 0)
    const test = rows.filter((r) => hash(r.id) % 5 === 0)
    allTrain.push(...train)
    let t0 = performance.now()
    const model = AdClassifier.train(train)
    const ours = performance.now() - t0
    const truth = test.map((r) => r.label === 'spam')
    const f1 = f1Of(
      truth,
      test.map((r) => model.score(r.text) >= 0.5),
    )
    let line = `  ${file.replace('.jsonl', '').padEnd(14)} ${String(train.length).padStart(6)} train / ${String(test.length).padStart(5)} test — qunguard F1 ${f1.toFixed(3)} (${(ours / 1000).toFixed(1)} s)`
    if (natural) {
      const nb = new natural.BayesClassifier()
      t0 = performance.now()
      for (const r of train) nb.addDocument(modelTokens(r.text).split(' '), r.label)
      nb.train()
      const theirs = performance.now() - t0
      const nf1 = f1Of(
        truth,
        test.map((r) => nb.classify(modelTokens(r.text).split(' ')) === 'spam'),
      )
      line += `   natural F1 ${nf1.toFixed(3)} (${(theirs / 1000).toFixed(1)} s)`
    }
    console.log(line)
  }
  const hundredK = Array.from({ length: 100_000 }, (_, i) => allTrain[i % allTrain.length] as LabelledText)
  let t0 = performance.now()
  const big = AdClassifier.train(hundredK)
  console.log(`  training on 100,000 messages: ${((performance.now() - t0) / 1000).toFixed(1)} s (goal < 20 s)`)
  const texts = hundredK.slice(0, 50_000).map((r) => r.text)
  t0 = performance.now()
  let spam = 0
  for (const t of texts) if (big.score(t) >= 0.5) spam++
  const rate = texts.length / ((performance.now() - t0) / 1000)
  console.log(`  classification: ${Math.round(rate)} messages/s on one core (goal ≥ 20,000; ${spam} of ${texts.length} called spam)`)
}

interface NaturalBayes {
  addDocument(tokens: string[], label: string): void
  train(): void
  classify(tokens: string[]): string
}

await groupRules()
await classifier()
