/**
 * A small seeded random generator (mulberry32) for benches and stress generators, so that every
 * run draws the same numbers: a function returning floats in [0, 1).
 *
 * @example
 *   const rnd = seeded(42)
 *   rnd() // 0.6011037519201636, every time
 */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
