/**
 * A linear support-vector machine over sparse rows: L2-regularised squared-hinge loss, solved in
 * the dual by coordinate descent (Hsieh et al., "A dual coordinate descent method for large-scale
 * linear SVM", ICML 2008 — the method behind LIBLINEAR's default solver), with a cost per class
 * so that the rarer class weighs as much as the common one ("class-balanced"). Then Platt
 * scaling turns its margins into probabilities.
 *
 * Written here rather than taken from a package: npm has no maintained sparse linear SVM for
 * Node (the LIBLINEAR ports are unmaintained WebAssembly builds), and the method is short.
 *
 * @example
 *   const fit = trainLinearSvm(rows, labels, dim, { c: 1 })
 *   const margin = marginOf(fit, row)
 */

/** A sparse row: feature indexes and their values (same length). */
export interface SparseRow {
  readonly index: Int32Array
  readonly value: Float32Array
}

export interface SvmOptions {
  /** Cost: how much a margin violation weighs against the size of the weights. @default 1 */
  readonly c?: number
  /** Weigh each class by the inverse of its share (both count as half). @default true */
  readonly balanced?: boolean
  /** Passes over the data at most. @default 50 */
  readonly maxEpochs?: number
  /** Stop when the projected-gradient spread falls below this. @default 0.1 */
  readonly tolerance?: number
  /** Seed for the visiting order (deterministic). @default 1 */
  readonly seed?: number
  /**
   * A fixed margin added to each row's (another model's margin): the fit then learns only what
   * corrects that model — a layer over it. @default none
   */
  readonly offsets?: ArrayLike<number>
  /** Fit a bias (a constant feature of 1). @default true */
  readonly bias?: boolean
}

export interface LinearFit {
  readonly weights: Float64Array
  readonly bias: number
  /** Passes it took. */
  readonly epochs: number
}

/**
 * Fits w, b minimising ½‖w‖² + ½b² + Σ Cᵢ max(0, 1 − yᵢ(w·xᵢ + b))² (the bias is a constant
 * feature of 1, as LIBLINEAR's `-B 1`). `labels[i]` is true for the positive class.
 */
export function trainLinearSvm(rows: readonly SparseRow[], labels: readonly boolean[], dim: number, options: SvmOptions = {}): LinearFit {
  if (rows.length !== labels.length) throw new RangeError(`rows (${rows.length}) and labels (${labels.length}) differ in length`)
  const c = options.c ?? 1
  if (!(c > 0)) throw new RangeError(`c must be above 0 (got ${c})`)
  const positives = labels.filter(Boolean).length
  const negatives = labels.length - positives
  if (positives === 0 || negatives === 0) throw new RangeError(`training needs both classes (got ${positives} and ${negatives})`)
  const balanced = options.balanced ?? true
  const cPos = balanced ? (c * labels.length) / (2 * positives) : c
  const cNeg = balanced ? (c * labels.length) / (2 * negatives) : c
  const w = new Float64Array(dim)
  let b = 0
  const useBias = options.bias ?? true
  const offsets = options.offsets
  if (offsets && offsets.length !== rows.length)
    throw new RangeError(`offsets (${offsets.length}) and rows (${rows.length}) differ in length`)
  const n = rows.length
  const alpha = new Float64Array(n)
  const diag = new Float64Array(n) // 1 / (2 Cᵢ)
  const qii = new Float64Array(n)
  const y = new Int8Array(n)
  for (let i = 0; i < n; i++) {
    const row = rows[i] as SparseRow
    y[i] = labels[i] ? 1 : -1
    diag[i] = 1 / (2 * (labels[i] ? cPos : cNeg))
    let sq = useBias ? 1 : 0 // the bias feature
    for (let k = 0; k < row.value.length; k++) sq += (row.value[k] as number) ** 2
    qii[i] = sq + (diag[i] as number)
  }
  const order = Int32Array.from({ length: n }, (_, i) => i)
  let state = (options.seed ?? 1) >>> 0 || 1
  const random = () => {
    // xorshift32: a fixed, platform-independent order
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 4294967296
  }
  const maxEpochs = options.maxEpochs ?? 50
  const tolerance = options.tolerance ?? 0.1
  let epoch = 0
  for (; epoch < maxEpochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      const t = order[i] as number
      order[i] = order[j] as number
      order[j] = t
    }
    let maxPg = Number.NEGATIVE_INFINITY
    let minPg = Number.POSITIVE_INFINITY
    for (let o = 0; o < n; o++) {
      const i = order[o] as number
      const row = rows[i] as SparseRow
      const yi = y[i] as number
      let z = b + (offsets ? (offsets[i] as number) : 0)
      for (let k = 0; k < row.index.length; k++) z += (w[row.index[k] as number] as number) * (row.value[k] as number)
      const a = alpha[i] as number
      const g = yi * z - 1 + (diag[i] as number) * a
      const pg = a === 0 ? Math.min(g, 0) : g
      if (pg > maxPg) maxPg = pg
      if (pg < minPg) minPg = pg
      if (Math.abs(pg) < 1e-12) continue
      const next = Math.max(a - g / (qii[i] as number), 0)
      const step = (next - a) * yi
      alpha[i] = next
      for (let k = 0; k < row.index.length; k++) {
        const f = row.index[k] as number
        w[f] = (w[f] as number) + step * (row.value[k] as number)
      }
      if (useBias) b += step
    }
    if (maxPg - minPg < tolerance) {
      epoch++
      break
    }
  }
  return { weights: w, bias: b, epochs: epoch }
}

/** w·x + b. */
export function marginOf(weights: ArrayLike<number>, bias: number, row: SparseRow): number {
  let z = bias
  for (let k = 0; k < row.index.length; k++) z += (weights[row.index[k] as number] ?? 0) * (row.value[k] as number)
  return z
}

/**
 * Platt scaling: the a, b of P(positive | margin) = 1 / (1 + exp(a·margin + b)), fitted by
 * Newton's method on margins of examples the model did not train on, with Platt's smoothed
 * targets (so that a perfectly separated set does not push the slope to infinity).
 */
export function plattScale(margins: readonly number[], labels: readonly boolean[]): { a: number; b: number } {
  const positives = labels.filter(Boolean).length
  const negatives = labels.length - positives
  const hi = (positives + 1) / (positives + 2)
  const lo = 1 / (negatives + 2)
  const t = labels.map((l) => (l ? hi : lo))
  let a = 0
  let b = Math.log((negatives + 1) / (positives + 1))
  const fval = (a0: number, b0: number) => {
    let f = 0
    for (let i = 0; i < margins.length; i++) {
      const z = (margins[i] as number) * a0 + b0
      const ti = t[i] as number
      f += z >= 0 ? ti * z + Math.log1p(Math.exp(-z)) : (ti - 1) * z + Math.log1p(Math.exp(z))
    }
    return f
  }
  let f = fval(a, b)
  for (let iter = 0; iter < 100; iter++) {
    let h11 = 1e-12
    let h22 = 1e-12
    let h21 = 0
    let g1 = 0
    let g2 = 0
    for (let i = 0; i < margins.length; i++) {
      const m = margins[i] as number
      const z = m * a + b
      const p = z >= 0 ? Math.exp(-z) / (1 + Math.exp(-z)) : 1 / (1 + Math.exp(z))
      const q = 1 - p
      const d2 = p * q
      h11 += m * m * d2
      h22 += d2
      h21 += m * d2
      const d1 = (t[i] as number) - p
      g1 += m * d1
      g2 += d1
    }
    if (Math.abs(g1) < 1e-5 && Math.abs(g2) < 1e-5) break
    const det = h11 * h22 - h21 * h21
    const da = -(h22 * g1 - h21 * g2) / det
    const db = -(-h21 * g1 + h11 * g2) / det
    const gd = g1 * da + g2 * db
    let step = 1
    while (step >= 1e-10) {
      const na = a + step * da
      const nb = b + step * db
      const nf = fval(na, nb)
      if (nf < f + 1e-4 * step * gd) {
        a = na
        b = nb
        f = nf
        break
      }
      step /= 2
    }
    if (step < 1e-10) break
  }
  return { a, b }
}
