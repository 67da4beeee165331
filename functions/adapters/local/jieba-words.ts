/**
 * Chinese word segmentation for the ad classifier, with `@node-rs/jieba` and the dictionary it
 * ships (nothing downloaded). Words of two or more characters only: single characters and
 * punctuation are already the classifier's own tokens. The dictionary loads once, on first use
 * (about half a second).
 *
 * @example
 *   const words = jiebaWords()
 *   words('加微信领取优惠券') // ['领取', '优惠券']
 */
import { Jieba } from '@node-rs/jieba'
import { dict } from '@node-rs/jieba/dict.js'
import type { Segmenter } from '../../domain/ad-classifier.ts'

let jieba: Jieba | undefined

export function jiebaWords(): Segmenter {
  jieba ??= Jieba.withDict(dict)
  const j = jieba
  return (text) => j.cut(text, false).filter((w) => w.length >= 2 && /[\p{L}\p{N}]/u.test(w))
}
