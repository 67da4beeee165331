import { describe, expect, it } from 'vitest'
import { AhoCorasick } from '../../functions/domain/aho-corasick.ts'
import { KeywordMatcher, normalizeText } from '../../functions/domain/keyword-matcher.ts'

const rule = (id: string, any: string[], o: { all?: string[]; exclude?: string[] } = {}) => ({
  id,
  any,
  all: o.all ?? [],
  exclude: o.exclude ?? [],
})

describe('normalizeText', () => {
  it('folds full-width forms and case and drops separators and zero-width characters', () => {
    expect(normalizeText('Ｈｅｌｌｏ　ＷＯＲＬＤ！')).toBe('helloworld')
    expect(normalizeText('加\u200b微-信 😀 ｖ．ｘ')).toBe('加微信vx')
    expect(normalizeText('①②③')).toBe('123')
  })
})

describe('AhoCorasick', () => {
  it('finds overlapping patterns and patterns inside others in one pass', () => {
    const found: [number, number][] = []
    new AhoCorasick(['he', 'she', 'his', 'hers']).search('ushers', (p, end) => found.push([p, end]))
    expect(found.sort()).toEqual([
      [0, 4],
      [1, 4],
      [3, 6],
    ])
  })
})

describe('KeywordMatcher', () => {
  const m = new KeywordMatcher([
    rule('ads', ['加微信', '代购', 'vx'], { exclude: ['团购接龙'] }),
    rule('job', [], { all: ['兼职', '日结'] }),
  ])

  it('matches 加 微 信 against 加微信, and other separators', () => {
    for (const t of ['加 微 信', '加-微-信', '加.微.信', '加\u200b微\u200b信', '请加微信！']) expect(m.match(t)).toEqual(['ads'])
  })

  it('matches full-width and upper-case Latin keywords', () => {
    for (const t of ['ｖｘ：abc123', 'V X abc', 'v.x 123', 'VX123456', '加vx']) expect(m.match(t)).toEqual(['ads'])
  })

  it('keeps a word edge for Latin keywords', () => {
    expect(m.match('tvxq is a band')).toEqual([])
    expect(m.match('vxyz')).toEqual([])
  })

  it('leaves a text with an exclude word alone', () => {
    expect(m.match('团购接龙 加微信')).toEqual([])
  })

  it('needs every all keyword', () => {
    expect(m.match('兼职')).toEqual([])
    expect(m.match('兼职，日结，速来')).toEqual(['job'])
  })

  it('counts a keyword written twice once for all', () => {
    const twice = new KeywordMatcher([rule('x', [], { all: ['加微信', '加 微信', '代购'] })])
    expect(twice.match('加微信')).toEqual([])
    expect(twice.match('加微信 代购')).toEqual(['x'])
  })

  it('says which keywords were found, in the order they occur', () => {
    expect(m.hits('代购 加微信')).toEqual(new Map([['ads', ['代购', '加微信']]]))
  })

  it('matches nothing in an empty text, and a keywordless rule always', () => {
    expect(m.match('')).toEqual([])
    expect(new KeywordMatcher([{ id: 't', any: [], all: [], exclude: [] }]).match('')).toEqual(['t'])
  })

  it('matches nothing for a rule whose keywords normalise to nothing (never every message)', () => {
    const empty = new KeywordMatcher([
      { id: 'all-emoji', any: [], all: ['🚫'], exclude: [] },
      { id: 'any-zwsp', any: ['\u200b'], all: [], exclude: [] },
      { id: 'mixed', any: ['🚫', '代购'], all: [], exclude: [] },
    ])
    for (const text of ['今天天气不错', '🚫', '']) expect(empty.match(text)).toEqual([])
    expect(empty.match('代购')).toEqual(['mixed'])
  })

  it('returns matching rules in rule order', () => {
    const two = new KeywordMatcher([rule('b', ['广告']), rule('a', ['广'])])
    expect(two.match('广告')).toEqual(['b', 'a'])
  })

  it('stays correct with 10,000 keywords', () => {
    const words = Array.from({ length: 10_000 }, (_, i) => `词${i.toString(36)}号`)
    const big = new KeywordMatcher([rule('many', words), rule('ads', ['加微信'])])
    expect(big.keywordCount).toBe(10_001)
    expect(big.match('这是 词7pr 号')).toEqual(['many'])
    expect(big.match('加 微 信')).toEqual(['ads'])
    expect(big.match('普通聊天')).toEqual([])
  })
})
