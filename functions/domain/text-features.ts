/**
 * What the ad classifier reads in a text: character n-grams over a folded form of it, the
 * symbols and emoji it holds, and a few tokens for what marketers disguise.
 *
 * Marketers write so that keyword filters miss them: digits as Chinese numerals or homophones
 * (衣伍扒伍尔溜玲玲柒叁寺 = 15852600734), full-width and look-alike letters (ＶＸ, ｖ х), words split by
 * emoji or spaces (加🌹微🌹信, v x), contact words in pinyin initials or near-homophones (wx, 威信,
 * 扣扣). `foldForModel` undoes those so that the n-grams of a disguised ad are the n-grams of a
 * plain one; `adFeatures` lists the features, each with its count in the text.
 *
 * The features:
 *   - character 1–3 grams of the folded text (letters, digits, CJK; separators, emoji and
 *     symbols dropped so that they cannot split a word);
 *   - every emoji or symbol, as itself (￥, 【, 🦌, ➕ say something on their own);
 *   - `#n` for a run of n digits (after folding), so that phone and QQ numbers generalise
 *     without being learnt one by one, and `#url` for a web address;
 *   - `@contact` for a contact word in any of its disguises (微信, vx, 威信, 扣扣, 企鹅号, 飞机 …).
 *
 * @example
 *   foldForModel('加 V❤信：衣伍扒伍尔溜玲玲柒叁寺') // '加v信15852600734'
 *   adFeatures('加vx').get('@contact') // 1
 */

/** A character read as a digit when it stands in a run of them (see `DIGIT_RUN`). */
const DIGIT_LIKE: Readonly<Record<string, string>> = {
  零: '0',
  〇: '0',
  玲: '0',
  铃: '0',
  灵: '0',
  令: '0',
  洞: '0',
  一: '1',
  壹: '1',
  衣: '1',
  依: '1',
  伊: '1',
  医: '1',
  幺: '1',
  妖: '1',
  腰: '1',
  要: '1',
  二: '2',
  贰: '2',
  两: '2',
  尔: '2',
  而: '2',
  耳: '2',
  儿: '2',
  三: '3',
  叁: '3',
  参: '3',
  山: '3',
  伞: '3',
  散: '3',
  四: '4',
  肆: '4',
  寺: '4',
  似: '4',
  死: '4',
  思: '4',
  斯: '4',
  五: '5',
  伍: '5',
  午: '5',
  舞: '5',
  吴: '5',
  无: '5',
  武: '5',
  六: '6',
  陆: '6',
  溜: '6',
  留: '6',
  流: '6',
  柳: '6',
  七: '7',
  柒: '7',
  漆: '7',
  妻: '7',
  期: '7',
  琪: '7',
  奇: '7',
  八: '8',
  捌: '8',
  扒: '8',
  巴: '8',
  爸: '8',
  吧: '8',
  疤: '8',
  九: '9',
  玖: '9',
  久: '9',
  酒: '9',
  旧: '9',
  就: '9',
}

/**
 * How many digit-like characters in a row make a number. Five: QQ numbers have at least five
 * digits and phone numbers eleven, while ordinary words rarely string five of these characters
 * together (三三两两 is four). Real digits count towards the run.
 */
const DIGIT_RUN = 5

/** Look-alike letters NFKC leaves alone (Cyrillic and Greek that pass for Latin). */
const LOOK_ALIKE: Readonly<Record<string, string>> = {
  а: 'a',
  в: 'b',
  с: 'c',
  е: 'e',
  н: 'h',
  і: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  о: 'o',
  р: 'p',
  ѕ: 's',
  т: 't',
  х: 'x',
  у: 'y',
  α: 'a',
  β: 'b',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
}

/** Contact words and their disguises, matched in the folded text. */
const CONTACT =
  /微信|威信|薇信|徽信|维信|v信|vx|wx|weixin|vx号|扣扣|蔻蔻|koukou|企鹅|qq|tg|telegram|电报|飞机号|纸飞机|私聊|私我|私信|加我|加好友/

const KEPT = /[\p{L}\p{N}\p{M}]/u
const URL_SOURCE = String.raw`(?:https?://|www\.)\S+|[a-z0-9-]+\.(?:com|cn|net|top|vip|xyz|cc|me|io)\b\S*`
const URLS = new RegExp(URL_SOURCE, 'giu')
const A_URL = new RegExp(URL_SOURCE, 'iu')

/**
 * The text as the model reads it: NFKC (full-width → half-width), lower case, look-alike letters
 * mapped to Latin, web addresses out, every separator, emoji and symbol out, and runs of five or
 * more digit-like characters written as digits.
 */
export function foldForModel(text: string): string {
  return foldNormalised(text.normalize('NFKC'))
}

/** `foldForModel` of a text already in NFKC. */
function foldNormalised(nfkc: string): string {
  const chars: string[] = []
  for (const raw of nfkc.toLowerCase().replace(URLS, ' ')) {
    const ch = LOOK_ALIKE[raw] ?? raw
    if (KEPT.test(ch)) chars.push(ch)
  }
  // Digit runs: a stretch of digit-like characters (real digits among them) at least DIGIT_RUN long.
  let i = 0
  while (i < chars.length) {
    let j = i
    while (j < chars.length && (isDigit(chars[j]) || DIGIT_LIKE[chars[j] ?? ''] !== undefined)) j++
    if (j - i >= DIGIT_RUN) for (let k = i; k < j; k++) chars[k] = DIGIT_LIKE[chars[k] ?? ''] ?? (chars[k] as string)
    i = Math.max(j, i + 1)
  }
  return chars.join('')
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9'
}

/** The cues of a text that are not its characters: a web address, contact words (after folding). */
export function adCues(text: string): string[] {
  const nfkc = text.normalize('NFKC')
  const out: string[] = []
  if (A_URL.test(nfkc)) out.push('#url')
  if (CONTACT.test(foldNormalised(nfkc))) out.push('@contact')
  return out
}

/**
 * The features of a text and how often each occurs in it. `fold: false` takes the n-grams of
 * the lower-cased text with separators dropped but nothing else undone (to measure what folding
 * gains).
 */
export function adFeatures(text: string, fold = true): Map<string, number> {
  const out = new Map<string, number>()
  const add = (f: string) => out.set(f, (out.get(f) ?? 0) + 1)
  const nfkc = text.normalize('NFKC')
  const folded = fold ? foldNormalised(nfkc) : [...text.toLowerCase()].filter((ch) => KEPT.test(ch)).join('')
  const chars = [...folded]
  for (let n = 1; n <= 3; n++) for (let i = 0; i + n <= chars.length; i++) add(chars.slice(i, i + n).join(''))
  for (const ch of nfkc) if (!KEPT.test(ch) && !/\s/u.test(ch)) add(`s:${ch}`)
  for (const run of folded.match(/\d+/g) ?? []) add(`#${Math.min(run.length, 20)}`)
  if (A_URL.test(nfkc)) add('#url')
  if (fold && CONTACT.test(folded)) add('@contact')
  return out
}
