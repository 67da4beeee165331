/**
 * FNV-1a, 32 bits: a fast, stable string hash for feature hashing, folds and deterministic
 * samples (the same on every run and every machine). Not for security.
 *
 * @example
 *   fnv1a('加微信') & 0xffff // a feature slot
 */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}
