/**
 * The text normalisation keyword rules use (see keyword-matcher.ts): NFKC (full-width →
 * half-width), lower case, and every character that is not a letter, digit or combining mark
 * dropped as a separator. Its own module so the config schema can show a keyword's normalised
 * form without importing the matcher.
 *
 * @example
 *   normalizeText('加 微 信 ｖ．ｘ') // '加微信vx'
 */
/** Characters kept by normalisation: letters, digits and combining marks; everything else is a separator. */
const KEPT = /[\p{L}\p{N}\p{M}]/u

export interface Normalised {
  /** The kept characters, one per code point. */
  readonly chars: string[]
  /** gapBefore[i]: at least one separator was dropped between chars[i-1] and chars[i]. */
  readonly gapBefore: Uint8Array
}

export function normalise(text: string): Normalised {
  const chars: string[] = []
  const gaps: number[] = []
  let gap = false
  for (const ch of text.normalize('NFKC').toLowerCase()) {
    if (KEPT.test(ch)) {
      chars.push(ch)
      gaps.push(gap ? 1 : 0)
      gap = false
    } else {
      gap = true
    }
  }
  return { chars, gapBefore: Uint8Array.from(gaps) }
}

/** What the matcher actually compares: the text without separators, folded. */
export function normalizeText(text: string): string {
  return normalise(text).chars.join('')
}
