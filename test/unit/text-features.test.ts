import { describe, expect, it } from 'vitest'
import { adFeatures, foldForModel } from '../../functions/domain/text-features.ts'

describe('Function: foldForModel', () => {
  it('writes digits disguised as Chinese numerals or homophones as digits, in runs of five or more', () => {
    expect(foldForModel('衣伍扒伍尔溜玲玲柒叁寺')).toBe('15852600734')
    expect(foldForModel('wx 一三八零零一三八零零零')).toBe('wx13800138000')
    // Mixed with real digits, the run still counts.
    expect(foldForModel('扣 1伍8伍2')).toBe('扣15852')
  })

  it('leaves ordinary words alone: fewer than five digit-like characters are words', () => {
    expect(foldForModel('三三两两')).toBe('三三两两')
    expect(foldForModel('我要去吧')).toBe('我要去吧')
  })

  it('folds full-width and look-alike letters, and drops emoji, symbols and spaces between characters', () => {
    expect(foldForModel('ＶＸ：ａｂｃ１２３')).toBe('vxabc123')
    expect(foldForModel('v x 号')).toBe('vx号')
    expect(foldForModel('加🌹微🌹信')).toBe('加微信')
    // Cyrillic о and х that pass for Latin.
    expect(foldForModel('kоu kоu vх')).toBe('koukouvx')
  })

  it('takes web addresses out of the text', () => {
    expect(foldForModel('看 www.abc.com/x 吧')).toBe('看吧')
    expect(foldForModel('点 https://t.cn/AbC 领')).toBe('点领')
  })
})

describe('Function: adFeatures', () => {
  it('gives a disguised ad the n-grams of the plain one', () => {
    const plain = adFeatures('加微信15852600734')
    const disguised = adFeatures('加🌹微🌹信：衣伍扒伍尔溜玲玲柒叁寺')
    for (const f of ['加微', '微信', '158', '#11', '@contact']) {
      expect(plain.has(f)).toBe(true)
      expect(disguised.has(f)).toBe(true)
    }
  })

  it('counts character 1–3 grams, symbols and emoji as themselves, digit runs by length, and addresses', () => {
    const f = adFeatures('领券￥ 领券 www.x.com')
    expect(f.get('领')).toBe(2)
    expect(f.get('领券')).toBe(2)
    expect(f.get('券领券')).toBe(1)
    expect(f.get('s:¥')).toBe(1) // NFKC: full-width ￥ is ¥
    expect(f.get('#url')).toBe(1)
    expect(adFeatures('QQ 12345').get('#5')).toBe(1)
  })

  it('marks contact words in any of their disguises', () => {
    for (const t of ['加微信', '加V信', 'ＶＸ', 'w x', '威信', '扣扣', '企鹅号', 'koukou', '电报'])
      expect(adFeatures(t).get('@contact'), t).toBe(1)
    expect(adFeatures('今天天气不错').has('@contact')).toBe(false)
  })

  it('without folding, takes the n-grams as written (what the bench compares against)', () => {
    const f = adFeatures('衣伍扒伍尔溜玲玲柒叁寺', false)
    expect(f.has('158')).toBe(false)
    expect(f.has('衣伍扒')).toBe(true)
  })
})
