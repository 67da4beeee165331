/**
 * Wilson score intervals for a share seen in few trials: how sure a record of "k of n" is. The
 * supervisor promotes rules on the lower bound of their approvals; the rule learner drops a
 * stated rule only when the upper bound of its acted-on share is low.
 *
 * @example
 *   wilsonLowerBound(5, 5, 0.9) // 0.649
 *   wilsonUpperBound(0, 6, 0.9) // 0.311
 */

/** The z of a two-sided normal interval at this confidence (0.8, 0.9, 0.95, 0.99 exactly; others approximated). */
function zFor(confidence: number): number {
  const table: Record<string, number> = { '0.8': 1.2816, '0.9': 1.6449, '0.95': 1.96, '0.99': 2.5758 }
  const known = table[String(confidence)]
  if (known !== undefined) return known
  // Acklam-free approximation of the normal quantile (Abramowitz–Stegun 26.2.23), good to 4.5e-4.
  const p = (1 - confidence) / 2
  const t = Math.sqrt(-2 * Math.log(p))
  return t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t)
}

/** Wilson score interval's lower bound for `successes` out of `n` at a two-sided `confidence`. */
export function wilsonLowerBound(successes: number, n: number, confidence = 0.9): number {
  if (n <= 0) return 0
  const z = zFor(confidence)
  const p = successes / n
  const z2 = z * z
  const centre = p + z2 / (2 * n)
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))
  return Math.max(0, (centre - margin) / (1 + z2 / n))
}

/** Wilson score interval's upper bound for `successes` out of `n` at a two-sided `confidence`. */
export function wilsonUpperBound(successes: number, n: number, confidence = 0.9): number {
  return n <= 0 ? 1 : 1 - wilsonLowerBound(n - successes, n, confidence)
}
