/**
 * What the console's analytics need on Node: jieba's segmentation (the dictionary `@node-rs/jieba`
 * ships) and the Chinese stop words (functions/console/icu-words.ts), with the owners' UTC offset.
 */
import { jiebaWords } from '../../functions/adapters/local/jieba-words.ts'
import { CHINESE_STOP_WORDS } from '../../functions/console/icu-words.ts'
import type { AnalyticsOptions } from '../../functions/domain/analytics.ts'

export function consoleAnalytics(utcOffsetMinutes: number): Omit<AnalyticsOptions, 'topPosters' | 'topWords'> {
  return { segment: jiebaWords(), stop: CHINESE_STOP_WORDS, utcOffsetMinutes }
}
