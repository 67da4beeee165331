/**
 * `qunguard learn`: learns each room's rulebook from docs/format.md histories (the owner's past
 * warnings and removals, the announcements, the rhythm) and writes policy.json; and
 * `qunguard rules`: prints a policy's rules, one a line, with their evidence.
 */
import fs from 'node:fs'
import { useConfig } from '../../functions/adapters/local/config-file.ts'
import { jiebaWords } from '../../functions/adapters/local/jieba-words.ts'
import { SqliteSupervisionStore } from '../../functions/adapters/local/sqlite-supervision-store.ts'
import { policyFromJson, policyToJson } from '../../functions/domain/learning/policy-file.ts'
import { learnFromHistory } from '../../functions/domain/learning/relearn.ts'
import type { LearnedPolicy } from '../../functions/domain/learning/rule-learner.ts'
import { type OwnerVerdict, ownerVerdicts } from '../../functions/domain/learning/weak-labels.ts'
import { qrFacts, readCorpus, readHistories } from './history-input.ts'
import { Progress } from './progress.ts'

export interface LearnOptions {
  readonly history: readonly string[]
  readonly out: string
  /** Labelled texts (`{"text","label":"spam"|"ham"}` lines) to train the ad classifier on as well. */
  readonly corpus?: readonly string[] | undefined
  /** qunguard.yaml: its owner, admins and whitelist count as staff (never labelled, never judged). */
  readonly config?: string | undefined
  /** Where ./qunguard.yaml is looked for when `config` is not given. @default process.cwd() */
  readonly cwd?: string | undefined
  /** Chinese words (jieba) as classifier features besides the character n-grams. */
  readonly words?: boolean
  /** The guard's store (SQLite): the owners' Y / N answers in it are learned from as their own labels. */
  readonly store?: string | undefined
  readonly log?: (line: string) => void
  readonly progress?: boolean
}

export async function learn(options: LearnOptions): Promise<LearnedPolicy> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const show = options.progress ?? process.stderr.isTTY === true
  const { events, media } = await readHistories(options.history, log)
  const qr = await qrFacts(events, media, log, show)
  const corpus = (options.corpus ?? []).flatMap((f) => readCorpus(f, log))
  let bar: Progress | undefined
  let stage = ''
  const config = useConfig(options.config, log, { cwd: options.cwd }).config
  const answers = options.store ? await storedAnswers(options.store, log) : undefined
  const policy = learnFromHistory(events, config, {
    corpus,
    answers,
    segment: options.words ? jiebaWords() : undefined,
    qr: (m) => qr.get(m.id),
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

/** The owners' answers kept in a guard store, as verdicts per message. */
async function storedAnswers(file: string, log: (line: string) => void): Promise<Map<string, OwnerVerdict>> {
  if (!fs.existsSync(file)) throw new Error(`--store ${file}: no such file (the guard's SQLite store, e.g. qunguard.db)`)
  const store = SqliteSupervisionStore.open(file)
  try {
    const verdicts = ownerVerdicts(await store.listAnswered('1970-01-01T00:00:00Z'))
    log(
      `owners' answers in ${file}: ${[...verdicts.values()].filter((v) => v === 'violation').length} Y, ${[...verdicts.values()].filter((v) => v === 'fine').length} N`,
    )
    return verdicts
  } finally {
    await store.closeStore()
  }
}

export { formatRules } from '../../functions/domain/learning/rulebook-text.ts'

export function readPolicy(file: string): LearnedPolicy {
  return policyFromJson(fs.readFileSync(file, 'utf8'), jiebaWords)
}
