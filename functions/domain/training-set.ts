/**
 * The retraining set: weak labels from what the guard and the owner did, written as the
 * line format of SageMaker's BlazingText text classifier (`__label__spam 加 微 信 …`).
 *
 * Labels:
 *   spam — a message an active keyword rule acted on, or one whose approval request the owner approved;
 *   ham  — a message from a non-staff member that no rule fired on, and any the owner rejected.
 * Messages with no text are skipped. Ham is sampled down to at most `hamPerSpam` per spam line
 * (deterministically, by id hash) so that the model does not learn to always answer "ham".
 *
 * `modelTokens` is the tokenizer both sides share: training (here) and inference
 * (SageMakerTextClassifier), so the endpoint sees the same tokens it was trained on.
 *
 * @example
 *   const set = buildTrainingSet({ messages, decisions, approved, rejected })
 *   await media.put(`training/${day}/train.txt`, new TextEncoder().encode(set.lines.join('\n')), 'text/plain')
 */
import type { Decision, MessageEvent } from './events.ts'
import { fnv1a as hash } from './fnv.ts'
import { CLASSIFIER_RULE_ID } from './policy.ts'

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/
const TOKEN = /[\u3400-\u9fff\uf900-\ufaff]|[a-z]+|\d+/g

/**
 * CJK characters and their bigrams, Latin words, and digit runs reduced to their length
 * (`#11` for a phone number), so that numbers generalise without being learnt one by one.
 */
export function modelTokens(text: string): string {
  const raw = text.normalize('NFKC').toLowerCase().match(TOKEN) ?? []
  const out: string[] = []
  let prev: string | undefined
  for (const t of raw) {
    if (/^\d/.test(t)) {
      out.push(`#${Math.min(t.length, 20)}`)
      prev = undefined
    } else if (CJK.test(t)) {
      out.push(t)
      if (prev) out.push(`${prev}${t}`)
      prev = t
    } else {
      out.push(t)
      prev = undefined
    }
  }
  return out.join(' ')
}

export interface LabelledText {
  readonly text: string
  readonly label: 'spam' | 'ham'
  /**
   * The group (room) it was posted in, when known. The SVM classifier learns a layer per group
   * from the texts that name one (see AdClassifier) on top of what all texts teach.
   */
  readonly group?: string | undefined
}

export interface TrainingInput {
  readonly messages: readonly MessageEvent[]
  readonly decisions: readonly Decision[]
  /** Event ids whose approval requests the owner approved / rejected. */
  readonly approved?: ReadonlySet<string> | undefined
  readonly rejected?: ReadonlySet<string> | undefined
  /** Members never counted as ham or spam (owners, admins, the bot). */
  readonly staff?: ReadonlySet<string> | undefined
  /** @default 3 */
  readonly hamPerSpam?: number | undefined
}

export interface TrainingSet {
  /** BlazingText lines (`__label__spam <tokens>`). */
  readonly lines: readonly string[]
  /**
   * The same examples as texts, each with its group, for the in-process classifier (which learns
   * a layer per group from them: the owner's answers in one group teach that group's layer).
   */
  readonly examples: readonly LabelledText[]
  readonly spam: number
  readonly ham: number
}

const ACTING = new Set(['warn', 'remove', 'recall', 'alert-owner'])

export function buildTrainingSet(input: TrainingInput): TrainingSet {
  const acted = new Set<string>()
  const flagged = new Set<string>()
  for (const d of input.decisions) {
    flagged.add(d.event)
    if (d.mode === 'active' && ACTING.has(d.action) && d.rule !== CLASSIFIER_RULE_ID) acted.add(d.event)
  }
  type Row = { text: string; tokens: string; group: string }
  const spam: Row[] = []
  const ham: Row[] = []
  for (const m of input.messages) {
    if (input.staff?.has(m.sender)) continue
    const text = [m.text, m.url].filter(Boolean).join(' ')
    const tokens = modelTokens(text)
    if (!tokens) continue
    if (input.rejected?.has(m.id)) ham.push({ text, tokens, group: m.room })
    else if (acted.has(m.id) || input.approved?.has(m.id)) spam.push({ text, tokens, group: m.room })
    else if (!flagged.has(m.id)) ham.push({ text, tokens, group: m.room })
  }
  const keep = Math.max(1, spam.length) * (input.hamPerSpam ?? 3)
  const sampledHam = ham.length <= keep ? ham : [...ham].sort((a, b) => hash(a.tokens) - hash(b.tokens)).slice(0, keep)
  const rows = [...spam.map((r) => ({ ...r, label: 'spam' as const })), ...sampledHam.map((r) => ({ ...r, label: 'ham' as const }))]
  // Interleave deterministically so that a training job reading the head sees both labels.
  const line = (r: (typeof rows)[number]) => `__label__${r.label} ${r.tokens}`
  rows.sort((a, b) => hash(line(a)) - hash(line(b)))
  return {
    lines: rows.map(line),
    examples: rows.map(({ text, label, group }) => ({ text, label, group })),
    spam: spam.length,
    ham: sampledHam.length,
  }
}
