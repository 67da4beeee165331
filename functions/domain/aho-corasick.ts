/**
 * A multi-pattern string matcher (Aho-Corasick): finds every occurrence of any of N patterns
 * in one pass over the text, in time linear in the text plus the matches, whatever N is.
 *
 * The text is read once, left to right, never re-read: on a mismatch the automaton follows
 * failure links (amortised constant work per character), so no input can make it backtrack.
 *
 * @example
 *   const ac = new AhoCorasick(['he', 'she', 'his'])
 *   ac.search('ushers', (pattern, end) => console.log(pattern, end)) // 1 at 3 ('she'), 0 at 3 ('he')
 */
export class AhoCorasick {
  /** transitions[state] maps a character code to the next state. */
  private readonly transitions: Map<number, number>[] = [new Map()]
  /** outputs[state]: indexes of the patterns that end in this state (own and via failure links). */
  private readonly outputs: number[][] = [[]]
  /** fail[state]: the state of the longest proper suffix that is also a pattern prefix. */
  private fail: Int32Array = new Int32Array(1)
  readonly patternCount: number

  constructor(patterns: readonly string[]) {
    this.patternCount = patterns.length
    patterns.forEach((p, index) => {
      if (!p) return
      let state = 0
      for (const ch of p) {
        const code = ch.codePointAt(0) ?? 0
        const row = this.transitions[state] as Map<number, number>
        let next = row.get(code)
        if (next === undefined) {
          next = this.transitions.length
          this.transitions.push(new Map())
          this.outputs.push([])
          row.set(code, next)
        }
        state = next
      }
      ;(this.outputs[state] as number[]).push(index)
    })
    this.link()
  }

  /** Failure links, breadth-first; each state's outputs also include those of its failure state. */
  private link(): void {
    const fail = new Int32Array(this.transitions.length)
    const queue: number[] = [...(this.transitions[0] as Map<number, number>).values()]
    for (let i = 0; i < queue.length; i++) {
      const state = queue[i] as number
      for (const [code, next] of this.transitions[state] as Map<number, number>) {
        queue.push(next)
        let f = fail[state] as number
        while (f !== 0 && !(this.transitions[f] as Map<number, number>).has(code)) f = fail[f] as number
        const target = (this.transitions[f] as Map<number, number>).get(code)
        const nf = target !== undefined && target !== next ? target : 0
        fail[next] = nf
        const inherited = this.outputs[nf] as number[]
        if (inherited.length) this.outputs[next] = (this.outputs[next] as number[]).concat(inherited)
      }
    }
    this.fail = fail
  }

  /** Calls `onMatch(patternIndex, endIndex)` for every occurrence (endIndex: code-point index after the match). */
  search(text: string, onMatch: (pattern: number, end: number) => void): void {
    let state = 0
    let i = 0
    for (const ch of text) {
      i++
      const code = ch.codePointAt(0) ?? 0
      let next = (this.transitions[state] as Map<number, number>).get(code)
      while (next === undefined && state !== 0) {
        state = this.fail[state] as number
        next = (this.transitions[state] as Map<number, number>).get(code)
      }
      state = next ?? 0
      const out = this.outputs[state] as number[]
      for (const p of out) onMatch(p, i)
    }
  }
}
