/** F1 of the positive class: `truth[i]` whether text i is an ad, `predicted[i]` whether it was called one. */
export function f1Of(truth: readonly boolean[], predicted: readonly boolean[]): number {
  let tp = 0
  let fp = 0
  let fn = 0
  for (const [i, y] of truth.entries()) {
    const p = predicted[i]
    if (p && y) tp++
    else if (p) fp++
    else if (y) fn++
  }
  return tp ? (2 * tp) / (2 * tp + fp + fn) : 0
}
