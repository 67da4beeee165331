/**
 * Keyword matching cost with 10 versus 10,000 keywords on the same messages.
 * Run alone (`node bin/run-ts.js bench/keyword-matcher.bench.ts`) or through bench:pipeline.
 * Prints figures; asserts nothing.
 */
import fs from 'node:fs'
import path from 'node:path'
import { KeywordMatcher } from '../functions/domain/keyword-matcher.ts'
import { seeded } from './seeded.ts'

const COMMON =
  '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质'
const messagesFromShared = (): string[] | undefined => {
  const file = path.resolve(import.meta.dirname, '../../shared/data/text/zh-msglog.jsonl')
  if (!fs.existsSync(file)) return undefined
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, 20_000)
    .map((l) => String((JSON.parse(l) as { text: unknown }).text))
}

function keywords(n: number, rand: () => number): string[] {
  const out = new Set<string>()
  while (out.size < n) {
    if (rand() < 0.1) out.add(`${'abcdefghijklmnopqrstuvwxyz'[Math.floor(rand() * 26)]}x${Math.floor(rand() * 1000)}`)
    else out.add(Array.from({ length: 2 + Math.floor(rand() * 5) }, () => COMMON[Math.floor(rand() * COMMON.length)]).join(''))
  }
  return [...out]
}

function timeMatching(matcher: KeywordMatcher, messages: readonly string[]): number {
  let sink = 0
  for (const m of messages.slice(0, 2000)) sink += matcher.match(m).length // warm-up
  const rounds = 3
  const t0 = performance.now()
  for (let r = 0; r < rounds; r++) for (const m of messages) sink += matcher.match(m).length
  const seconds = (performance.now() - t0) / 1000
  if (sink < 0) console.log(sink)
  return (messages.length * rounds) / seconds
}

export async function runKeywordBench(): Promise<{ small: number; large: number; ratio: number; messages: number }> {
  // Seeded, so every run measures the same keywords and messages.
  const rand = seeded(7)
  const messages =
    messagesFromShared() ??
    Array.from({ length: 20_000 }, () =>
      Array.from({ length: 5 + Math.floor(rand() * 60) }, () => COMMON[Math.floor(rand() * COMMON.length)]).join(''),
    )
  const all = keywords(10_000, rand)
  const small = new KeywordMatcher([{ id: 'small', any: all.slice(0, 10), all: [], exclude: [] }])
  const large = new KeywordMatcher([
    { id: 'large-a', any: all.slice(0, 5000), all: [], exclude: [] },
    { id: 'large-b', any: all.slice(5000), all: [], exclude: [] },
  ])
  const s = timeMatching(small, messages)
  const l = timeMatching(large, messages)
  return { small: s, large: l, ratio: s / l, messages: messages.length }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const r = await runKeywordBench()
  console.log(`keyword matching over ${r.messages} messages`)
  console.log(`  10 keywords      ${Math.round(r.small)} messages/s`)
  console.log(`  10,000 keywords  ${Math.round(r.large)} messages/s`)
  console.log(`  cost ratio       ${r.ratio.toFixed(2)}× (10,000 vs 10)`)
}
