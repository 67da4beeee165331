/**
 * What the console's analytics need on Node: jieba's segmentation (the dictionary `@node-rs/jieba`
 * ships) and the Chinese stop words of `stopwords-iso`, with the owners' UTC offset.
 */
import { createRequire } from 'node:module'
import { jiebaWords } from '../../functions/adapters/local/jieba-words.ts'
import type { AnalyticsOptions } from '../../functions/domain/analytics.ts'

let stop: Set<string> | undefined

export function consoleAnalytics(utcOffsetMinutes: number): Omit<AnalyticsOptions, 'topPosters' | 'topWords'> {
  if (!stop) {
    const lists = createRequire(import.meta.url)('stopwords-iso') as Record<string, string[]>
    // Chinese stop words, and the chat filler the list does not hold.
    stop = new Set([...(lists.zh ?? []), ...['哈哈', '哈哈哈', '嗯嗯', '好的', '谢谢', '大家', '一下', '现在', '今天', '知道']])
  }
  return { segment: jiebaWords(), stop, utcOffsetMinutes }
}
