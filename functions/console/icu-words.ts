/**
 * Chinese words for the console's analytics where jieba's native binary is not at hand (the AWS
 * console function): ICU's dictionary-based word breaker (`Intl.Segmenter`, built into Node), and
 * the Chinese stop words of `stopwords-iso` with common chat filler. Coarser than jieba on
 * compounds (加微信 → 加 / 微 / 信), so the word cloud on AWS differs from the embedded one.
 *
 * @example
 *   icuWords('今晚一起去公园散步') // ['今晚', '一起去', '公园', '散步']
 */
import stopwords from 'stopwords-iso/stopwords-iso.json' with { type: 'json' }

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' })

export function icuWords(text: string): string[] {
  return [...segmenter.segment(text)].filter((s) => s.isWordLike && s.segment.length >= 2).map((s) => s.segment)
}

/** Chinese stop words, and the chat filler the list does not hold. */
export const CHINESE_STOP_WORDS: ReadonlySet<string> = new Set([
  ...((stopwords as Record<string, string[]>).zh ?? []),
  ...['哈哈', '哈哈哈', '嗯嗯', '好的', '谢谢', '大家', '一下', '现在', '今天', '知道'],
])
