/**
 * `npm run bench:learn` — how well qunguard learns groups' rules and spots ads. Prints figures;
 * asserts nothing. Two parts:
 *
 * 1. Group-rule learning: for each seed, ../shared/bench/gen-group-history.mjs makes a
 *    multi-room history; `learnPolicy` learns from train.jsonl (the owner's actions are the
 *    only labels; QR codes in its pictures decoded as `qunguard learn` does), the learned
 *    shadow rules run over test.jsonl, and score-decisions.mjs scores
 *    the decisions against truth.jsonl. Precision, recall, F1 per seed and on average, recall
 *    per violation kind. Again with a labelled corpus for the classifier (the shared text sets
 *    minus every text of the test period), as an operator may supply one. For scale: flagging
 *    every newcomer's messages, run the same way.
 * 2. The ad classifier: for every labelled set in ../shared/data/text, a deterministic 80/20
 *    split by id; qunguard's AdClassifier trains on the 80% and is scored on the 20% (logistic,
 *    the default, and naive Bayes, the method the rule learner uses on weak labels); side by
 *    side, both it and natural's BayesClassifier train on the same sample of `--natural-max` lines
 *    of the 80% (natural needs ~5 minutes for 16,000) with the same tokens; then training time on
 *    100,000 messages and classification throughput on one core; each again with jieba words
 *    (`--words`) added to the features.
 *
 * The generator draws each room's rules and owner at random (flood limit and window, tenure
 * limits, file and long-text rules, owner reaction delays and styles); its `policy.json` says
 * what it drew, and part 1 also prints recall by drawn parameter (flood recall by window, the
 * recall of tenure rules by limit, recall by the owner's reaction delay). `--fixed` runs the
 * generator's earlier fixed simulator instead.
 *
 * usage: npm run bench:learn -- [--seeds 1-12] [--rooms 4] [--volume 1] [--fixed] [--part rules|classifier|warnings|all]
 *        [--stress rephrase|late|admins|kinds] [--shared ../shared] [--skip-natural] [--natural-max 4000] [--no-corpus]
 * `--stress` applies one of our own stress generators (bench/stress.ts) to the training period;
 * `kinds` adds to the test period too (each room's extra forbidden kind, with its truth lines).
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { qrFacts, readHistories } from '../bin/commands/history-input.ts'
import { jiebaWords } from '../functions/adapters/local/jieba-words.ts'
import { AdClassifier, type LabelledText, spamF1 } from '../functions/domain/ad-classifier.ts'
import type { Decision, GroupEvent } from '../functions/domain/events.ts'
import { fnv1a as hash } from '../functions/domain/fnv.ts'
import { FeatureTracker } from '../functions/domain/learning/features.ts'
import { PolicyRunner } from '../functions/domain/learning/policy-runner.ts'
import { learnPolicy } from '../functions/domain/learning/rule-learner.ts'
import { learnedWarnings } from '../functions/domain/learning/weak-labels.ts'
import { modelTokens } from '../functions/domain/training-set.ts'

import { generateHistory } from './history.ts'
import { type Forbids, STRESSES, type Stress, stress, stressTest } from './stress.ts'
import type { TruthLine } from './stress-kinds.ts'

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1-12' },
    fixed: { type: 'boolean', default: false },
    stress: { type: 'string' },
    part: { type: 'string', default: 'all' },
    'no-corpus': { type: 'boolean', default: false },
    rooms: { type: 'string', default: '4' },
    volume: { type: 'string', default: '1' },
    shared: { type: 'string', default: path.resolve(import.meta.dirname, '../../shared') },
    'skip-natural': { type: 'boolean', default: false },
    // natural's BayesClassifier needs ~5 minutes for 16,000 lines: compare on a capped subset.
    'natural-max': { type: 'string', default: '4000' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (args.help) {
  console.log(
    'usage: npm run bench:learn -- [--seeds 1-12 | 1,2,3] [--rooms 4] [--volume 1] [--fixed] [--stress rephrase|late|admins|kinds] [--part rules|classifier|warnings|all] [--shared ../shared] [--skip-natural] [--natural-max 4000] [--no-corpus]',
  )
  process.exit(0)
}

interface Score {
  precision: number
  recall: number
  f1: number
  recallByKind: Record<string, number>
}

function score(dir: string, decisions: Decision[], name: string): Score {
  const file = path.join(dir, `${name}.jsonl`)
  fs.writeFileSync(file, `${decisions.map((d) => JSON.stringify(d)).join('\n')}\n`)
  const scorer = path.join(args.shared, 'bench/score-decisions.mjs')
  return JSON.parse(execFileSync(process.execPath, [scorer, path.join(dir, 'truth.jsonl'), file, '--json'], { encoding: 'utf8' })) as Score
}

/** `1-12` or `1,2,5`. */
function seedList(spec: string): string[] {
  return spec.split(',').flatMap((part) => {
    const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part)
    if (!m) return [part.trim()]
    const [from, to] = [Number(m[1]), Number(m[2])]
    return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => String(from + i))
  })
}

/** What the generator drew for one room (its policy.json; absent with --fixed). */
interface DrawnRoom {
  room: string
  enabled?: string[]
  flood?: { forbidden: boolean; threshold: number; windowS: number }
  newcomer?: { hours: number; kinds: string[] }
  longText?: { forbidden: boolean; maxChars: number }
  owner?: { reactionMedianMin: number; style: string }
}

/** Each room's drawn rules and owner, by room (none with --fixed). */
function readDrawn(dir: string): Map<string, DrawnRoom> {
  const file = path.join(dir, 'policy.json')
  if (!fs.existsSync(file)) return new Map()
  return new Map((JSON.parse(fs.readFileSync(file, 'utf8')) as { policies: DrawnRoom[] }).policies.map((p) => [p.room, p] as const))
}

/** Violations caught and in all, per bucket of a drawn parameter ("flood window 10 s" → [caught, all]). */
type Buckets = Record<string, [number, number]>

function byParameter(
  dir: string,
  drawn: ReadonlyMap<string, DrawnRoom>,
  test: readonly GroupEvent[],
  decisions: readonly Decision[],
  into: Buckets,
): void {
  if (!drawn.size) return
  const roomOf = new Map(test.map((e) => [e.id, 'room' in e ? e.room : '']))
  const flagged = new Set(decisions.map((d) => d.event))
  const add = (bucket: string, hit: boolean) => {
    const b = into[bucket] ?? [0, 0]
    into[bucket] = [b[0] + (hit ? 1 : 0), b[1] + 1]
  }
  for (const line of fs.readFileSync(path.join(dir, 'truth.jsonl'), 'utf8').split('\n')) {
    if (!line) continue
    const t = JSON.parse(line) as TruthLine
    if (!t.violation) continue
    const p = drawn.get(roomOf.get(t.event) ?? '')
    if (!p) continue
    const hit = flagged.has(t.event)
    if (t.kind === 'flood' && p.flood) add(`flood: window ${p.flood.windowS} s`, hit)
    if (t.kind === 'flood' && p.flood) add(`flood: limit ${p.flood.threshold <= 5 ? '3-5' : p.flood.threshold <= 8 ? '6-8' : '9+'}`, hit)
    if (t.kind?.startsWith('newcomer-') && p.newcomer) add(`newcomer rules: under ${p.newcomer.hours} h`, hit)
    if (t.kind === 'long-text' && p.longText) add(`long text: over ${p.longText.maxChars} chars`, hit)
    if (p.owner) add(`owner reacts after ~${p.owner.reactionMedianMin} min`, hit)
    if (p.owner) add(`owner style ${p.owner.style}`, hit)
  }
}

const fmt = (s: Score) => `P ${s.precision.toFixed(3)}  R ${s.recall.toFixed(3)}  F1 ${s.f1.toFixed(3)}`

async function groupRules(): Promise<void> {
  const seeds = seedList(args.seeds)
  const buckets: Buckets = {}
  const learned: Score[] = []
  const corpusScores: Score[] = []
  const newcomers: Score[] = []
  const kinds: Record<string, number[]> = {}
  console.log(
    `group-rule learning: ${seeds.length} seeds, ${args.rooms} rooms, volume ${args.volume}, ${args.fixed ? 'the fixed simulator (--fixed)' : 'rules and owners drawn per room'}`,
  )
  for (const seed of seeds) {
    const dir = generateHistory('bench:learn', { shared: args.shared, seed, rooms: args.rooms, volume: args.volume, fixed: args.fixed })
    try {
      const quiet = () => {}
      const trainIn = await readHistories([path.join(dir, 'train.jsonl')], quiet)
      const testIn = await readHistories([path.join(dir, 'test.jsonl')], quiet)
      const drawn = readDrawn(dir)
      // What each room's drawn rules forbid, for the kinds stress (unknown with --fixed).
      const forbids: Forbids | undefined = drawn.size ? (room) => drawn.get(room)?.enabled : undefined
      const train = args.stress ? stress(args.stress as Stress, trainIn.events, forbids) : trainIn.events
      let test = testIn.events
      if (args.stress) {
        const stressed = stressTest(args.stress as Stress, test, forbids)
        test = stressed.events
        if (stressed.truth.length)
          fs.appendFileSync(path.join(dir, 'truth.jsonl'), stressed.truth.map((t) => `${JSON.stringify(t)}\n`).join(''))
      }
      // QR codes in the pictures, as `qunguard learn` and `replay --policy` decode them.
      const qr = new Map([...(await qrFacts(train, trainIn.media, quiet)), ...(await qrFacts(test, testIn.media, quiet))])
      const t0 = performance.now()
      const policy = learnPolicy(train, { qr: (m) => qr.get(m.id) })
      const ms = performance.now() - t0
      const runner = new PolicyRunner(policy, { qr: (m) => qr.get(m.id) })
      const decisions = test.flatMap((e) => runner.observe(e))
      const s = score(dir, decisions, 'decisions')
      learned.push(s)
      byParameter(dir, drawn, test, decisions, buckets)
      for (const [k, v] of Object.entries(s.recallByKind)) {
        kinds[k] ??= []
        kinds[k].push(v)
      }
      // The same, with an operator's labelled corpus for the classifier: the shared text sets
      // minus every text that appears in this test period.
      if (args['no-corpus']) {
        const rules = Object.values(policy.rooms).reduce((k, r) => k + r.rules.length, 0)
        console.log(`  seed ${seed}: learned ${rules} rules in ${(ms / 1000).toFixed(1)} s from ${train.length} events — ${fmt(s)}`)
        continue
      }
      const seen = new Set(test.flatMap((e) => (e.kind === 'message' && e.text ? [e.text] : [])))
      const corpus = sharedCorpus().filter((r) => !seen.has(r.text))
      const withCorpus = learnPolicy(train, { qr: (m) => qr.get(m.id), corpus })
      const runner2 = new PolicyRunner(withCorpus, { qr: (m) => qr.get(m.id) })
      const c = score(
        dir,
        test.flatMap((e) => runner2.observe(e)),
        'decisions-corpus',
      )
      corpusScores.push(c)
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
      console.log(`  seed ${seed}: learned ${rules} rules in ${(ms / 1000).toFixed(1)} s from ${train.length} events — ${fmt(s)}`)
      console.log(`    with a labelled corpus of ${corpus.length} texts: ${fmt(c)};  every newcomer: ${fmt(n)}`)
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
  console.log(`  average: ${fmt(avg(learned))}   (goal F1 ≥ 0.90 with P ≥ 0.95)`)
  if (corpusScores.length) console.log(`  average with a labelled corpus: ${fmt(avg(corpusScores))}`)
  if (newcomers.length) console.log(`  average, every newcomer's messages: ${fmt(avg(newcomers))}`)
  console.log(
    `  recall by kind: ${Object.entries(kinds)
      .map(([k, v]) => `${k} ${mean(v).toFixed(2)}`)
      .join(', ')}`,
  )
  if (Object.keys(buckets).length) {
    console.log('  recall by drawn parameter (caught / violations):')
    for (const [k, [hit, all]] of Object.entries(buckets).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })))
      console.log(`    ${k.padEnd(36)} ${(hit / all).toFixed(2)}  (${hit}/${all})`)
  }
}

let corpusCache: LabelledText[] | undefined
/** Every labelled line of the shared text sets. */
function sharedCorpus(): LabelledText[] {
  const dir = path.join(args.shared, 'data/text')
  corpusCache ??= fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      fs
        .readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as LabelledText),
    )
  return corpusCache
}

async function classifier(): Promise<void> {
  const dir = path.join(args.shared, 'data/text')
  const sets = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl'))
  const words = jiebaWords()
  const natural = args['skip-natural']
    ? undefined
    : (((m) => (m as { default?: unknown }).default ?? m)(await import('natural')) as { BayesClassifier: new () => NaturalBayes })
  console.log(
    `ad classifier: 80/20 split by id hash; F1 on the 20%${natural ? `; side by side with natural's BayesClassifier on a sample of ${args['natural-max']} training lines, same tokens` : ''}`,
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
    const f1 = spamF1(
      truth,
      test.map((r) => model.score(r.text) >= 0.5),
    )
    const segmented = AdClassifier.train(train, { segment: words })
    const wf1 = spamF1(
      truth,
      test.map((r) => segmented.score(r.text) >= 0.5),
    )
    // The method the rule learner uses on a history's few hundred weak labels, here on a corpus.
    const bayes = AdClassifier.train(train, { method: 'naive-bayes' })
    const bf1 = spamF1(
      truth,
      test.map((r) => bayes.score(r.text) >= 0.5),
    )
    let line = `  ${file.replace('.jsonl', '').padEnd(14)} ${String(train.length).padStart(6)} train / ${String(test.length).padStart(5)} test — qunguard F1 ${f1.toFixed(3)} (${(ours / 1000).toFixed(1)} s), with jieba words ${wf1.toFixed(3)}, naive Bayes ${bf1.toFixed(3)}`
    if (natural) {
      // Side by side on the same (capped) training lines and the same tokens.
      // A deterministic sample (files are often sorted by label).
      const same = [...train].sort((a, b) => hash(`s${a.id}`) - hash(`s${b.id}`)).slice(0, Number(args['natural-max']))
      const nb = new natural.BayesClassifier()
      t0 = performance.now()
      for (const r of same) nb.addDocument(modelTokens(r.text).split(' '), r.label)
      nb.train()
      const theirs = performance.now() - t0
      const nf1 = spamF1(
        truth,
        test.map((r) => nb.classify(modelTokens(r.text).split(' ')) === 'spam'),
      )
      const small = AdClassifier.train(same)
      const of1 = spamF1(
        truth,
        test.map((r) => small.score(r.text) >= 0.5),
      )
      line += ` | on ${same.length} lines: qunguard ${of1.toFixed(3)}, natural ${nf1.toFixed(3)} (${(theirs / 1000).toFixed(1)} s)`
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
  t0 = performance.now()
  const bigWords = AdClassifier.train(hundredK, { segment: words })
  const wordsTrain = (performance.now() - t0) / 1000
  t0 = performance.now()
  for (const t of texts) bigWords.score(t)
  const wordsRate = texts.length / ((performance.now() - t0) / 1000)
  console.log(`  with jieba words (--words): training ${wordsTrain.toFixed(1)} s, ${Math.round(wordsRate)} messages/s`)
}

/**
 * How long reading the owner's own warnings takes in a busy room: 8,000 staff @-mentions of 300
 * members over 8,000 member messages, said in 60 phrasings, then each said in words of its own.
 */
function warningsAtScale(): void {
  console.log('learned warnings (learnedWarnings), one room, 8,000 member messages and 8,000 staff mentions:')
  for (const distinct of [false, true]) {
    const events: GroupEvent[] = [
      { kind: 'account', id: 'a', ts: new Date(0).toISOString(), self: 'wxid_bot' },
      {
        kind: 'room',
        id: 'r',
        ts: new Date(0).toISOString(),
        room: 'r1',
        topic: '群',
        owner: 'wxid_owner',
        admins: [],
        members: [],
        names: {},
      },
    ]
    const cjk = (code: number) => String.fromCharCode(0x4e00 + (code % 20_000))
    let t = Date.parse('2026-01-01T00:00:00Z')
    for (let i = 0; i < 8000; i++) {
      const m = `wxid_m${i % 300}`
      t += 60_000
      const link = i % 17 === 0
      events.push({
        kind: 'message',
        id: `m${i}`,
        ts: new Date(t).toISOString(),
        room: 'r1',
        sender: m,
        type: link ? 'link' : 'text',
        text: `聊天${i}`,
        ...(link ? { url: 'https://x.cn' } : {}),
      })
      const words = `说法${cjk(i % 60)}${cjk(7 * (i % 60))}${distinct ? `${cjk(1000 + (i % 3000))}${cjk(5000 + Math.floor(i / 7))}` : ''}`
      events.push({
        kind: 'message',
        id: `o${i}`,
        ts: new Date(t + 1000).toISOString(),
        room: 'r1',
        sender: 'wxid_owner',
        type: 'text',
        text: `@${m} ${words}`,
        mentions: [m],
      })
    }
    const t0 = performance.now()
    learnedWarnings(events)
    console.log(`  ${distinct ? 'every mention in words of its own' : '60 phrasings'}: ${Math.round(performance.now() - t0)} ms`)
  }
}

interface NaturalBayes {
  addDocument(tokens: string[], label: string): void
  train(): void
  classify(tokens: string[]): string
}

if (args.stress && !(STRESSES as readonly string[]).includes(args.stress)) {
  console.error(`--stress must be one of ${STRESSES.join(', ')} (got ${args.stress})`)
  process.exit(2)
}
if (!['rules', 'classifier', 'warnings', 'all'].includes(args.part)) {
  console.error(`--part must be rules, classifier, warnings or all (got ${args.part})`)
  process.exit(2)
}
if (args.part === 'rules' || args.part === 'all') await groupRules()
if (args.part === 'classifier' || args.part === 'all') await classifier()
if (args.part === 'warnings' || args.part === 'all') warningsAtScale()
