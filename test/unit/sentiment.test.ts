import { describe, expect, it } from 'vitest'
import { sentiment } from '../../functions/domain/sentiment.ts'

describe('sentiment (the console’s mood lexicon)', () => {
  it('reads pleased, annoyed and plain messages, with negation and the longest word winning', () => {
    expect(sentiment('太棒了，谢谢群主👍').label).toBe('positive')
    expect(sentiment('这个不好用，垃圾').label).toBe('negative')
    expect(sentiment('没问题').label).toBe('positive') // 没问题, not 问题
    expect(sentiment('不开心').label).toBe('negative') // 开心 turned over
    expect(sentiment('笑死我了').label).toBe('positive') // 笑死, not 死
    expect(sentiment('明天九点在东门集合').label).toBe('neutral')
    expect(sentiment('[强][强]').label).toBe('positive') // WeChat's emoji codes
    expect(sentiment('').score).toBe(0)
  })

  it('keeps the score between -1 and 1', () => {
    for (const t of ['非常非常好好好', '太太太差了垃圾垃圾', '好 坏 好 坏']) {
      const { score } = sentiment(t)
      expect(score).toBeGreaterThanOrEqual(-1)
      expect(score).toBeLessThanOrEqual(1)
    }
  })
})
