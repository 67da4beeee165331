import { describe, expect, it } from 'vitest'
import { MentionResolver } from '../../functions/domain/import/mentions.ts'

const resolver = (names: Record<string, string>) => {
  const m = new MentionResolver()
  for (const [name, id] of Object.entries(names)) m.add(name, id)
  return m
}

describe('MentionResolver', () => {
  const m = resolver({ 小明: 'wxid_xm', 小明妈妈: 'wxid_mama', 'Lucy Wang': 'wxid_lucy', Lucy: 'wxid_other' })

  it('resolves @name followed by a space, by WeChat’s U+2005, or by nothing', () => {
    expect(m.resolve('@小明 请勿发广告')).toEqual({ mentions: ['wxid_xm'], mentionAll: false })
    expect(m.resolve('@小明\u2005请勿发广告')).toEqual({ mentions: ['wxid_xm'], mentionAll: false })
    expect(m.resolve('@小明')).toEqual({ mentions: ['wxid_xm'], mentionAll: false })
    expect(m.resolve('＠小明，别发了')).toEqual({ mentions: ['wxid_xm'], mentionAll: false })
  })

  it('takes the longest name, names with spaces included, and several mentions in order', () => {
    expect(m.resolve('@小明妈妈\u2005@Lucy Wang\u2005周六见').mentions).toEqual(['wxid_mama', 'wxid_lucy'])
    expect(m.resolve('@Lucy 你好').mentions).toEqual(['wxid_other'])
    expect(m.resolve('@小明 @小明 @小明').mentions).toEqual(['wxid_xm'])
  })

  it('prefers a name that ends at a space over a longer one that runs into the text', () => {
    const n = resolver({ 阿强: 'wxid_a', 阿强哥: 'wxid_b' })
    expect(n.resolve('@阿强 哥们别发了').mentions).toEqual(['wxid_a'])
    expect(n.resolve('@阿强哥 别发了').mentions).toEqual(['wxid_b'])
  })

  it('reads @所有人 as mentioning everyone, and ignores e-mail addresses and unknown names', () => {
    expect(m.resolve('@所有人 周六见')).toEqual({ mentions: [], mentionAll: true })
    expect(m.resolve('发到 abc@小明.com')).toEqual({ mentions: [], mentionAll: false })
    expect(m.resolve('@路人甲 你好')).toEqual({ mentions: [], mentionAll: false })
  })

  it('resolves a name two members share to no one, and lets a real id replace a placeholder', () => {
    const n = resolver({ 豆豆: 'wxid_1' })
    n.add('豆豆', 'wxid_2')
    expect(n.resolve('@豆豆 你好').mentions).toEqual([])
    n.add('阿珍', 'name:阿珍')
    expect(n.resolve('@阿珍 你好').mentions).toEqual(['name:阿珍'])
    n.add('阿珍', 'wxid_zhen')
    n.add('阿珍', 'name:阿珍')
    expect(n.resolve('@阿珍 你好').mentions).toEqual(['wxid_zhen'])
  })
})
