/**
 * The mood of a group's chat, message by message: a small Chinese sentiment lexicon for group
 * chat (words, internet slang and emoji that say someone is pleased or annoyed), with negation
 * (不好, 没意思) and degree words (很, 太, 非常), matched in one pass (Aho-Corasick) so that both
 * runtimes score the same without a segmenter. No maintained Chinese sentiment package or model
 * is available from npm; this lexicon was written for qunguard and measured on chat messages
 * labelled by hand (`npm run bench:sentiment`; figures in docs/console.md#sentiment).
 *
 * It reads mood, not meaning: sarcasm, questions about complaints and long arguments fool it.
 * Use it for trends over many messages (the console's sentiment line), not to judge one member.
 *
 * @example
 *   sentiment('太棒了，谢谢群主👍') // { score: 1, label: 'positive' }
 *   sentiment('这个不好用，垃圾')   // { score: -1, label: 'negative' }
 */
import { AhoCorasick } from './aho-corasick.ts'

/** Pleased, thankful, amused, agreeing. */
const POSITIVE = [
  '好',
  '好的',
  '很好',
  '真好',
  '挺好',
  '不错',
  '可以',
  '行',
  '棒',
  '厉害',
  '牛',
  '牛逼',
  '给力',
  '赞',
  '点赞',
  '优秀',
  '完美',
  '漂亮',
  '好看',
  '美',
  '帅',
  '可爱',
  '喜欢',
  '爱',
  '开心',
  '高兴',
  '快乐',
  '幸福',
  '满意',
  '舒服',
  '好吃',
  '好玩',
  '有趣',
  '有意思',
  '精彩',
  '感谢',
  '谢谢',
  '多谢',
  '谢啦',
  '辛苦',
  '辛苦了',
  '感恩',
  '支持',
  '加油',
  '恭喜',
  '祝贺',
  '生日快乐',
  '新年快乐',
  '哈哈',
  '嘿嘿',
  '嘻嘻',
  '哈哈哈',
  '笑死',
  '太好了',
  '真棒',
  '靠谱',
  '放心',
  '期待',
  '值得',
  '划算',
  '顺利',
  '成功',
  '收到',
  '好嘞',
  '好滴',
  '没问题',
  '欢迎',
  '666',
  '优惠',
  '温暖',
  '感动',
  'nice',
  'good',
  'great',
  'thanks',
  'thank',
  'love',
  'cool',
  'ok',
  'yes',
  'lol',
  'haha',
  '👍',
  '😄',
  '😀',
  '😁',
  '😊',
  '☺',
  '😍',
  '🥰',
  '❤',
  '💕',
  '🎉',
  '👏',
  '🙏',
  '💪',
  '🌹',
  '😘',
  '🤣',
  '😂',
  '✌',
  '👌',
  '🥳',
  '[强]',
  '[微笑]',
  '[呲牙]',
  '[愉快]',
  '[玫瑰]',
  '[爱心]',
  '[鼓掌]',
  '[抱拳]',
  '[庆祝]',
  '[偷笑]',
  '[憨笑]',
  '[耶]',
]

/** Annoyed, angry, sad, disappointed, insulting. */
const NEGATIVE = [
  '不好',
  '差',
  '很差',
  '太差',
  '垃圾',
  '烂',
  '坑',
  '坑人',
  '骗',
  '骗子',
  '骗人',
  '假',
  '假的',
  '讨厌',
  '烦',
  '烦人',
  '烦死',
  '恶心',
  '生气',
  '气死',
  '愤怒',
  '火大',
  '难受',
  '难过',
  '伤心',
  '痛苦',
  '失望',
  '郁闷',
  '无语',
  '无聊',
  '崩溃',
  '累',
  '惨',
  '糟糕',
  '倒霉',
  '麻烦',
  '问题',
  '投诉',
  '退款',
  '退货',
  '维权',
  '举报',
  '滚',
  '傻',
  '傻逼',
  'sb',
  '煞笔',
  '蠢',
  '笨',
  '脑残',
  '白痴',
  '神经病',
  '有病',
  '去死',
  '死',
  '妈的',
  '他妈',
  '卧槽',
  '我靠',
  '靠',
  '操',
  '草',
  '尼玛',
  '呵呵',
  '哎',
  '唉',
  '可惜',
  '遗憾',
  '抱歉',
  '对不起',
  '担心',
  '害怕',
  '怕',
  '慌',
  '急',
  '着急',
  '贵',
  '太贵',
  '慢',
  '太慢',
  '卡',
  '错',
  '错了',
  '不行',
  '没用',
  '不靠谱',
  '后悔',
  '吵',
  '闹',
  '病',
  '疼',
  '痛',
  '哭',
  'bad',
  'hate',
  'shit',
  'fuck',
  'damn',
  'sorry',
  'wtf',
  '😡',
  '😠',
  '🤬',
  '😭',
  '😢',
  '😞',
  '😔',
  '😩',
  '😫',
  '💔',
  '👎',
  '😤',
  '🙄',
  '😒',
  '😓',
  '😰',
  '😱',
  '[发怒]',
  '[流泪]',
  '[大哭]',
  '[难过]',
  '[撇嘴]',
  '[抓狂]',
  '[衰]',
  '[弱]',
  '[鄙视]',
  '[委屈]',
  '[快哭了]',
  '[汗]',
  '[囧]',
]

/** A word just before a sentiment word turns it over (不好 is scored by its own entry). */
const NEGATORS = ['不', '没', '没有', '别', '无', '非', '不是', '不太', '不怎么', '并不', '毫不', '未']

/** Degree words: the sentiment word after them counts more. */
const INTENSIFIERS = ['很', '太', '非常', '特别', '超', '超级', '真', '真的', '好', '最', '十分', '极', '巨', '贼', '挺', '蛮']

export type SentimentLabel = 'positive' | 'negative' | 'neutral'

export interface Sentiment {
  /** From -1 (annoyed) to 1 (pleased); 0 when no sentiment word was found or they cancel out. */
  readonly score: number
  readonly label: SentimentLabel
}

const NEUTRAL: Sentiment = { score: 0, label: 'neutral' }

interface Entry {
  readonly polarity: 1 | -1
  readonly length: number
}

const entries: Entry[] = []
const patterns: string[] = []
for (const [words, polarity] of [
  [POSITIVE, 1],
  [NEGATIVE, -1],
] as const)
  for (const w of words) {
    patterns.push(w.toLowerCase())
    entries.push({ polarity, length: [...w].length })
  }
const matcher = new AhoCorasick(patterns)

/** The negators and degree words as code points, split once. */
const NEGATOR_CHARS = NEGATORS.map((w) => [...w])
const INTENSIFIER_CHARS = INTENSIFIERS.map((w) => [...w])

/** Whether one of `words` ends just before `start` in `chars` (the code points of the text). */
function endsWith(chars: readonly string[], start: number, words: readonly (readonly string[])[]): boolean {
  return words.some((w) => start >= w.length && w.every((c, i) => chars[start - w.length + i] === c))
}

/**
 * A message's mood: each sentiment word found counts ±1 (±1.5 after a degree word), turned over
 * by a negator just before it; a word inside a longer matched word (好 in 不好, 好 in 好吃) counts
 * only as the longer one. Score = sum / (number of words found), label by sign.
 */
export function sentiment(text: string): Sentiment {
  const lower = text.toLowerCase()
  // The matcher reports where each word ends (code points, exclusive): it covers [start, end).
  const found: { start: number; end: number; polarity: 1 | -1 }[] = []
  let last = 0
  matcher.search(lower, (index, end) => {
    const e = entries[index]
    if (e) found.push({ start: end - e.length, end, polarity: e.polarity })
    last = end
  })
  // Most chat messages hold no sentiment word: nothing more to read.
  if (!found.length) return NEUTRAL
  const chars = [...lower]
  // Longest match wins where matches overlap.
  found.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start)
  const taken = new Uint8Array(last + 1)
  let sum = 0
  let count = 0
  for (const f of found) {
    let free = true
    for (let i = f.start; i < f.end; i++) if (taken[i]) free = false
    if (!free) continue
    for (let i = f.start; i < f.end; i++) taken[i] = 1
    let weight: number = f.polarity
    if (endsWith(chars, f.start, NEGATOR_CHARS)) weight = -weight * 0.8
    else if (endsWith(chars, f.start, INTENSIFIER_CHARS)) weight *= 1.5
    sum += weight
    count++
  }
  if (!count) return NEUTRAL
  const score = Math.max(-1, Math.min(1, sum / count))
  return { score, label: score > 0.1 ? 'positive' : score < -0.1 ? 'negative' : 'neutral' }
}
