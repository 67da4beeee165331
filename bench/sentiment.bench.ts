/**
 * `npm run bench:sentiment` — how well the console's sentiment lexicon (functions/domain/sentiment.ts)
 * reads the mood of group-chat messages: 300 messages drawn at random from the shared chat sets'
 * ham (75 each from qq-mc-group, zh-telegram, zh-msglog and game-chat, 2–60 characters), labelled
 * positive / negative / neutral by hand after the lexicon was written and committed (6ff09c4),
 * and never used to change it. The labels (bench/data/sentiment-labels.jsonl) name each message
 * by its set and id; the texts are read from ../shared. Prints accuracy, per-class precision,
 * recall and F1, macro-F1, the confusion matrix and the same for always answering "neutral".
 *
 * usage: npm run bench:sentiment
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type SentimentLabel, sentiment } from '../functions/domain/sentiment.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const shared = path.resolve(here, '../../shared/data/text')
if (!fs.existsSync(shared)) {
  console.error(`bench:sentiment reads the shared chat sets from ${shared}; not found`)
  process.exit(2)
}
const labels = fs
  .readFileSync(path.join(here, 'data/sentiment-labels.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { source: string; id: string; label: SentimentLabel })
const texts = new Map<string, string>()
for (const source of new Set(labels.map((l) => l.source)))
  for (const line of fs.readFileSync(path.join(shared, `${source}.jsonl`), 'utf8').split('\n')) {
    if (!line) continue
    const row = JSON.parse(line) as { id: string; text: string }
    texts.set(`${source}/${row.id}`, row.text)
  }
const classes: SentimentLabel[] = ['positive', 'negative', 'neutral']

function report(name: string, predict: (text: string) => SentimentLabel): void {
  const confusion = new Map<string, number>()
  let right = 0
  let n = 0
  for (const l of labels) {
    const text = texts.get(`${l.source}/${l.id}`)
    if (text === undefined) throw new Error(`${l.source}/${l.id} is not in the shared set`)
    const got = predict(text)
    confusion.set(`${l.label}>${got}`, (confusion.get(`${l.label}>${got}`) ?? 0) + 1)
    if (got === l.label) right++
    n++
  }
  const f1s: number[] = []
  console.log(`\n${name}: accuracy ${(right / n).toFixed(3)} (${right}/${n})`)
  for (const c of classes) {
    const tp = confusion.get(`${c}>${c}`) ?? 0
    const predicted = classes.reduce((s, t) => s + (confusion.get(`${t}>${c}`) ?? 0), 0)
    const actual = classes.reduce((s, t) => s + (confusion.get(`${c}>${t}`) ?? 0), 0)
    const p = predicted ? tp / predicted : 0
    const r = actual ? tp / actual : 0
    const f1 = p + r ? (2 * p * r) / (p + r) : 0
    f1s.push(f1)
    console.log(`  ${c.padEnd(8)} precision ${p.toFixed(3)}  recall ${r.toFixed(3)}  F1 ${f1.toFixed(3)}  (${actual} labelled)`)
  }
  console.log(`  macro-F1 ${(f1s.reduce((a, b) => a + b, 0) / f1s.length).toFixed(3)}`)
  console.log(`  confusion (rows: labelled, columns: read as ${classes.join(' / ')}):`)
  for (const c of classes)
    console.log(`    ${c.padEnd(8)} ${classes.map((t) => String(confusion.get(`${c}>${t}`) ?? 0).padStart(4)).join(' ')}`)
}

report('lexicon', (t) => sentiment(t).label)
report('always neutral (baseline)', () => 'neutral')
