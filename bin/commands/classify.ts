/**
 * `qunguard train` and `qunguard classify`: the ad classifier on its own — train it on a
 * labelled corpus (`{"text","label":"spam"|"ham"}` lines) into a model folder, and classify
 * `{"id","text"}` lines into `{"id","label","score"}` lines.
 */
import fs from 'node:fs'
import path from 'node:path'
import { jiebaWords } from '../../functions/adapters/local/jieba-words.ts'
import { JsonlWriter } from '../../functions/adapters/local/jsonl-history.ts'
import { AdClassifier } from '../../functions/domain/ad-classifier.ts'
import { readCorpus } from './history-input.ts'

const MODEL_FILE = 'ad-classifier.bin'

export interface TrainSummary {
  readonly spam: number
  readonly ham: number
  readonly seconds: number
  readonly file: string
}

export function train(options: {
  corpus: readonly string[]
  out: string
  /** Chinese words (jieba) as features besides the character n-grams. */
  words?: boolean
  log?: (line: string) => void
}): TrainSummary {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const examples = options.corpus.flatMap((f) => readCorpus(f, log))
  const t0 = performance.now()
  const model = AdClassifier.train(examples, { segment: options.words ? jiebaWords() : undefined })
  fs.mkdirSync(options.out, { recursive: true })
  const file = path.join(options.out, MODEL_FILE)
  fs.writeFileSync(file, model.toBytes())
  return { ...model.trainedOn, seconds: (performance.now() - t0) / 1000, file }
}

export async function classify(options: {
  model: string
  input: string
  out: string
  log?: (line: string) => void
}): Promise<{ classified: number; spam: number; skipped: number }> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const file = fs.statSync(options.model).isDirectory() ? path.join(options.model, MODEL_FILE) : options.model
  const model = AdClassifier.fromBytes(new Uint8Array(fs.readFileSync(file)), jiebaWords)
  const out = new JsonlWriter(options.out)
  let spam = 0
  let skipped = 0
  try {
    for (const [i, line] of fs.readFileSync(options.input, 'utf8').split('\n').entries()) {
      if (!line.trim()) continue
      let row: { id?: unknown; text?: unknown }
      try {
        row = JSON.parse(line) as typeof row
      } catch {
        if (++skipped <= 20) log(`${options.input}:${i + 1}: skipped: not JSON`)
        continue
      }
      if (typeof row.text !== 'string' || (typeof row.id !== 'string' && typeof row.id !== 'number')) {
        if (++skipped <= 20) log(`${options.input}:${i + 1}: skipped: needs "id" and "text"`)
        continue
      }
      const score = model.score(row.text)
      const label = score >= 0.5 ? 'spam' : 'ham'
      if (label === 'spam') spam++
      await out.write({ id: row.id, label, score: Math.round(score * 10_000) / 10_000 })
    }
  } finally {
    await out.close()
  }
  return { classified: out.count, spam, skipped }
}
