import { describe, expect, it } from 'vitest'
import { NearDuplicateIndex, normaliseForDuplicates } from '../../functions/domain/learning/near-duplicates.ts'

const copy = '本店新品到货，欢迎各位朋友前来选购，数量有限先到先得，详情请联系王经理'

describe('NearDuplicateIndex', () => {
  it('finds the same copy with another phone number, punctuation and a changed word', () => {
    const index = new NearDuplicateIndex({ windowMs: 86_400_000 })
    expect(index.add(`${copy} 13800000001`, { room: 'r1', sender: 'a', ms: 0 })).toEqual([])
    const seen = index.add(`${copy.replace('王', '李').replace(/，/g, '!')}13900000002`, { room: 'r2', sender: 'b', ms: 1000 })
    expect(seen).toEqual([{ room: 'r1', sender: 'a', ms: 0 }])
  })

  it('does not match different texts, nor short ones', () => {
    const index = new NearDuplicateIndex({ windowMs: 86_400_000 })
    index.add(copy, { room: 'r1', sender: 'a', ms: 0 })
    expect(index.add('今天下午三点在公司楼下集合，大家别迟到，记得带上工牌和雨伞', { room: 'r1', sender: 'b', ms: 1 })).toEqual([])
    index.add('好的好的', { room: 'r1', sender: 'a', ms: 2 })
    expect(index.add('好的好的', { room: 'r1', sender: 'b', ms: 3 })).toEqual([])
  })

  it('forgets what is older than the window, so memory stays bounded', () => {
    const index = new NearDuplicateIndex({ windowMs: 10_000 })
    index.add(copy, { room: 'r1', sender: 'a', ms: 0 })
    expect(index.add(copy, { room: 'r2', sender: 'b', ms: 20_000 })).toEqual([])
    for (let i = 0; i < 10_000; i++) index.add(`第${i}条消息：${copy.slice(i % 20)}`, { room: 'r1', sender: `m${i}`, ms: 30_000 + i * 100 })
    expect(index.size).toBeLessThanOrEqual(101)
  })

  it('normalises case, width, spaces, punctuation and digit runs', () => {
    expect(normaliseForDuplicates('ＡＢＣ 加V：123-456！')).toBe('abc加v0')
  })
})
