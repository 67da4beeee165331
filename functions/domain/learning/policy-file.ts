/**
 * policy.json: a learned policy as a file — every room's rules with their evidence and
 * sentences, and the ad classifier's weights (base64) — validated when read.
 *
 * @example
 *   const text = policyToJson(learnPolicy(events))
 *   const policy = policyFromJson(text) // throws PolicyFileError naming the bad field
 */
import { z } from 'zod'
import { AdClassifier, type Segmenter } from '../ad-classifier.ts'
import type { LearnedPolicy } from './rule-learner.ts'
import { WHATS, WHOS } from './rules.ts'

export class PolicyFileError extends Error {
  override name = 'PolicyFileError'
}

const RuleSchema = z.object({
  id: z.string().min(1),
  room: z.string().min(1),
  what: z.enum(WHATS),
  who: z.enum(WHOS),
  threshold: z.number().optional(),
  windowS: z.number().int().positive().optional(),
  textChars: z.number().int().positive().optional(),
  value: z.string().optional(),
  tenureH: z.number().positive().optional(),
  action: z.enum(['warn', 'remove']),
  mode: z.enum(['shadow', 'active']),
  evidence: z.object({
    matched: z.number().min(0),
    labelled: z.number().min(0),
    rate: z.number().min(0),
    precision: z.number().min(0).max(1),
    announced: z.boolean(),
    preset: z.boolean().optional(),
  }),
  sentence: z.string(),
})

const PolicySchema = z.object({
  format: z.literal('qunguard-policy'),
  version: z.literal(1),
  createdAt: z.string(),
  rooms: z.record(
    z.string(),
    z.object({
      rules: z.array(RuleSchema),
      actionRate: z.number().min(0).max(1),
      actionRateEstimated: z.boolean().optional(),
      ownerActions: z.number().min(0).optional(),
      topic: z.string().optional(),
      announcement: z.string().optional(),
      rhythm: z.array(z.number().int().min(0)).length(24).optional(),
    }),
  ),
  classifier: z.string().optional(),
  stats: z.object({ events: z.number(), messages: z.number(), labelled: z.number() }),
})

const CHUNK = 0x8000
function toBase64(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK))
  return btoa(s)
}
function fromBase64(text: string): Uint8Array {
  const s = atob(text)
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

export function policyToJson(policy: LearnedPolicy): string {
  const { classifier, ...rest } = policy
  return `${JSON.stringify({ format: 'qunguard-policy', ...rest, ...(classifier ? { classifier: toBase64(classifier.toBytes()) } : {}) }, null, 1)}\n`
}

/** `words` supplies a word segmenter when the policy's classifier was trained with one. */
export function policyFromJson(text: string, words?: () => Segmenter): LearnedPolicy {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new PolicyFileError(`not JSON: ${(e as Error).message}`)
  }
  const r = PolicySchema.safeParse(json)
  if (!r.success) throw new PolicyFileError(r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '))
  const { classifier, format: _format, ...rest } = r.data
  let model: AdClassifier | undefined
  try {
    model = classifier ? AdClassifier.fromBytes(fromBase64(classifier), words) : undefined
  } catch (e) {
    throw new PolicyFileError(`classifier: ${(e as Error).message}`)
  }
  return { ...rest, classifier: model }
}
