import { describe, expect, it } from 'vitest'
import { marginOf, plattScale, type SparseRow, trainLinearSvm } from '../../functions/domain/linear-svm.ts'

const row = (pairs: [number, number][]): SparseRow => ({
  index: Int32Array.from(pairs.map(([i]) => i)),
  value: Float32Array.from(pairs.map(([, v]) => v)),
})

describe('Function: trainLinearSvm', () => {
  // Feature 0 says positive, feature 1 negative, feature 2 is noise on both.
  const rows = [
    row([[0, 1]]),
    row([
      [0, 0.8],
      [2, 0.6],
    ]),
    row([[1, 1]]),
    row([
      [1, 0.8],
      [2, 0.6],
    ]),
    row([
      [1, 0.9],
      [2, 0.4],
    ]),
    row([[1, 0.7]]),
  ]
  const labels = [true, true, false, false, false, false]

  it('separates the classes and weighs the telling features, not the noise', () => {
    const fit = trainLinearSvm(rows, labels, 3, { c: 10 })
    for (const [i, r] of rows.entries()) expect(marginOf(fit.weights, fit.bias, r) > 0).toBe(labels[i])
    expect(fit.weights[0]).toBeGreaterThan(0)
    expect(fit.weights[1]).toBeLessThan(0)
    expect(Math.abs(fit.weights[2] ?? 0)).toBeLessThan(Math.abs(fit.weights[0] ?? 0))
  })

  it('gives the rarer class as much weight as the common one when balanced', () => {
    const balanced = trainLinearSvm(rows, labels, 3, { c: 0.05 })
    const plain = trainLinearSvm(rows, labels, 3, { c: 0.05, balanced: false })
    const positive = row([[0, 1]])
    expect(marginOf(balanced.weights, balanced.bias, positive)).toBeGreaterThan(marginOf(plain.weights, plain.bias, positive))
  })

  it('learns only a correction over given margins (a layer over another model)', () => {
    // Another model already gets every row right by a wide margin: nothing left to learn.
    const offsets = labels.map((l) => (l ? 5 : -5))
    const layer = trainLinearSvm(rows, labels, 3, { c: 1, offsets, bias: false })
    expect([...layer.weights].every((w) => w === 0)).toBe(true)
  })

  it('is deterministic, and refuses what it cannot fit', () => {
    const a = trainLinearSvm(rows, labels, 3)
    const b = trainLinearSvm(rows, labels, 3)
    expect([...a.weights]).toEqual([...b.weights])
    expect(() =>
      trainLinearSvm(
        rows,
        labels.map(() => true),
        3,
      ),
    ).toThrow(/both classes/)
    expect(() => trainLinearSvm(rows, labels.slice(1), 3)).toThrow(/differ in length/)
    expect(() => trainLinearSvm(rows, labels, 3, { c: 0 })).toThrow(/c must be above 0/)
  })
})

describe('Function: plattScale', () => {
  it('maps margins to probabilities that rise with the margin and match the observed rate', () => {
    // Margin 1: three in four positive; margin −1: one in four.
    const margins = [1, 1, 1, 1, -1, -1, -1, -1]
    const labels = [true, true, true, false, true, false, false, false]
    const { a, b } = plattScale(margins, labels)
    const p = (m: number) => 1 / (1 + Math.exp(a * m + b))
    expect(p(1)).toBeGreaterThan(p(-1))
    expect(p(1)).toBeCloseTo(0.7, 1)
    expect(p(-1)).toBeCloseTo(0.3, 1)
  })
})
