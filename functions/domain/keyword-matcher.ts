/**
 * KeywordMatcher: the owner's keyword rules (any / all / exclude), matched safely and fast.
 *
 * - Safe: keywords are literal strings found by one Aho-Corasick automaton; no user-written
 *   regular expression is ever compiled or run.
 * - Normalised: text and keywords go through `normalizeText` (NFKC full-width → half-width,
 *   lower case, spaces, punctuation, symbols and zero-width characters dropped), so the usual
 *   evasions — `加 微 信`, `加-微-信`, `ｖ．ｘ`, `V X` — match `加微信` and `vx`.
 * - Cost independent of the number of keywords: one pass over the text finds every keyword of
 *   every rule; only the rules whose keywords were hit (and rules without keywords) are looked at.
 *
 * Latin keywords keep a word edge: `vx` does not match inside `tvxq` when the letters touch in
 * the original text, but does match `v.x`, `vx123` and `加vx`.
 *
 * @example
 *   const m = new KeywordMatcher([{ id: 'ads', any: ['加微信'], all: [], exclude: ['团购接龙'] }])
 *   m.match('加 微 信 领红包') // ['ads']
 */
import { AhoCorasick } from './aho-corasick.ts'
import type { KeywordRule } from './config.ts'
import { normalise, normalizeText } from './text-normal.ts'

export { normalizeText }

type RuleKeywords = Pick<KeywordRule, 'id' | 'any' | 'all' | 'exclude'>

const ASCII_LETTER = /^[a-z]$/

interface Keyword {
  readonly original: string
  readonly length: number
  readonly latinStart: boolean
  readonly latinEnd: boolean
}

/** Where a keyword is used: rule index and role. */
interface Use {
  readonly rule: number
  readonly role: 'any' | 'all' | 'exclude'
}

export class KeywordMatcher {
  private readonly rules: readonly RuleKeywords[]
  private readonly automaton: AhoCorasick
  private readonly keywords: Keyword[] = []
  private readonly uses: Use[][] = []
  private readonly keywordless: number[] = []
  /** Per rule: how many different `all` keywords must be found. */
  private readonly allNeeded: readonly number[]
  readonly keywordCount: number

  constructor(rules: readonly RuleKeywords[]) {
    this.rules = rules
    const index = new Map<string, number>()
    const allNeeded: number[] = rules.map(() => 0)
    this.allNeeded = allNeeded
    rules.forEach((rule, r) => {
      let words = 0
      for (const role of ['any', 'all', 'exclude'] as const) {
        for (const original of rule[role]) {
          const norm = normalizeText(original)
          if (role !== 'exclude') words++
          if (!norm) {
            // A keyword of separators only (an emoji, a zero-width space) is never found; it must
            // not leave its rule keywordless, or the rule would match every message. The schema
            // rejects such keywords; this is the second line of defence.
            if (role === 'all') allNeeded[r] = (allNeeded[r] ?? 0) + 1
            continue
          }
          let k = index.get(norm)
          if (k === undefined) {
            k = this.keywords.length
            index.set(norm, k)
            const cps = [...norm]
            this.keywords.push({
              original,
              length: cps.length,
              latinStart: ASCII_LETTER.test(cps[0] ?? ''),
              latinEnd: ASCII_LETTER.test(cps[cps.length - 1] ?? ''),
            })
            this.uses.push([])
          }
          const uses = this.uses[k] as Use[]
          // The same keyword written twice (e.g. 加微信 and 加 微信) counts once for its rule.
          if (uses.some((u) => u.rule === r && u.role === role)) continue
          uses.push({ rule: r, role })
          if (role === 'all') allNeeded[r] = (allNeeded[r] ?? 0) + 1
        }
      }
      if (words === 0) this.keywordless.push(r)
    })
    this.keywordCount = this.keywords.length
    this.automaton = new AhoCorasick([...index.keys()])
  }

  /** Indexes of the keywords found in the text (respecting Latin word edges). */
  private found(text: string): Set<number> {
    const found = new Set<number>()
    if (this.keywordCount === 0) return found
    const { chars, gapBefore } = normalise(text)
    this.automaton.search(chars.join(''), (k, end) => {
      if (found.has(k)) return
      const kw = this.keywords[k] as Keyword
      const start = end - kw.length
      if (kw.latinStart && start > 0 && !gapBefore[start] && ASCII_LETTER.test(chars[start - 1] ?? '')) return
      if (kw.latinEnd && end < chars.length && !gapBefore[end] && ASCII_LETTER.test(chars[end] ?? '')) return
      found.add(k)
    })
    return found
  }

  /** Ids of the rules whose keyword conditions hold for this text, in rule order. */
  match(text: string): string[] {
    return this.evaluate(text).map((r) => (this.rules[r] as RuleKeywords).id)
  }

  /** For explanations: per matching rule, the keywords (as written in the config) that were found. */
  hits(text: string): Map<string, string[]> {
    const found = this.found(text)
    const out = new Map<string, string[]>()
    for (const k of found) {
      for (const use of this.uses[k] as Use[]) {
        if (use.role === 'exclude') continue
        const id = (this.rules[use.rule] as RuleKeywords).id
        const list = out.get(id) ?? []
        list.push((this.keywords[k] as Keyword).original)
        out.set(id, list)
      }
    }
    return out
  }

  private evaluate(text: string): number[] {
    const found = this.found(text)
    // Per touched rule: how many distinct any/all keywords hit, and whether an exclude did.
    const anyHit = new Set<number>()
    const allHits = new Map<number, number>()
    const excluded = new Set<number>()
    for (const k of found) {
      for (const use of this.uses[k] as Use[]) {
        if (use.role === 'any') anyHit.add(use.rule)
        else if (use.role === 'all') allHits.set(use.rule, (allHits.get(use.rule) ?? 0) + 1)
        else excluded.add(use.rule)
      }
    }
    const candidates = new Set<number>([...anyHit, ...allHits.keys(), ...this.keywordless])
    const matched: number[] = []
    for (const r of candidates) {
      if (excluded.has(r)) continue
      const rule = this.rules[r] as RuleKeywords
      const anyOk = rule.any.length === 0 || anyHit.has(r)
      const allOk = (allHits.get(r) ?? 0) >= (this.allNeeded[r] ?? 0)
      if (anyOk && allOk) matched.push(r)
    }
    return matched.sort((a, b) => a - b)
  }
}
