/**
 * Personal numbers in text (typed, or read from a picture): mainland resident ID numbers (with
 * the ISO 7064 MOD 11-2 check digit and a real birth date), bank card numbers (Luhn check),
 * mobile numbers and licence plates. The guard acts on them (recall or alert, per config),
 * never echoes them: `maskPii` replaces each with a mask before any text is stored, logged,
 * replied or sent to an owner. Numbers are found in normalised text (NFKC, zero-width characters
 * dropped, separators between digit groups allowed), so `１３８ １２３４ ５６７８` is a mobile number.
 *
 * @example
 *   findPii('身份证 513701199507176346') // [{ kind: 'id-card', start: 4, end: 22 }]
 *   maskPii('电话13812345678') // '电话138****5678'
 */
export const PII_KINDS = ['id-card', 'bank-card', 'phone', 'plate'] as const
export type PiiKind = (typeof PII_KINDS)[number]

export interface PiiMatch {
  readonly kind: PiiKind
  readonly start: number
  readonly end: number
}

const PII_NAMES: Record<PiiKind, string> = { 'id-card': '身份证号', 'bank-card': '银行卡号', phone: '手机号', plate: '车牌号' }
export const piiKindName = (kind: PiiKind): string => PII_NAMES[kind]

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'

/** Whether an 18-character resident ID number is well formed: region, birth date, check digit. */
export function isResidentId(id: string): boolean {
  if (!/^[1-9]\d{16}[\dX]$/i.test(id)) return false
  const y = Number(id.slice(6, 10))
  const m = Number(id.slice(10, 12))
  const d = Number(id.slice(12, 14))
  const date = new Date(Date.UTC(y, m - 1, d))
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return false
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * (ID_WEIGHTS[i] as number)
  return ID_CHECK[sum % 11] === id[17]?.toUpperCase()
}

/** Luhn check of a card number (digits only). */
export function luhn(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let n = Number(digits[digits.length - 1 - i])
    if (i % 2 === 1) {
      n *= 2
      if (n > 9) n -= 9
    }
    sum += n
  }
  return sum % 10 === 0
}

const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼'
const PLATE = new RegExp(
  `[${PROVINCES}][A-HJ-NP-Z][·•・.\\s-]?[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳](?:[A-HJ-NP-Z0-9](?![A-Za-z0-9]))?`,
  'g',
)

/**
 * Text as the detector reads it, with a map back to the original: every code point NFKC-normalised
 * on its own (full-width `１３８` → `138`, `Ｘ` → `X`, the ideographic space → a space) and
 * invisible ones (zero-width spaces and joiners, soft hyphens, direction marks, variation
 * selectors: Unicode's default-ignorable code points) dropped. `start[i]`/`end[i]` are the span
 * of the original that produced character `i` of `text`, so a match masks the original span.
 */
export interface NormalisedText {
  readonly text: string
  /** Where each character of `text` came from in the original; undefined: the same place (nothing changed). */
  readonly start?: readonly number[] | undefined
  readonly end?: readonly number[] | undefined
}

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u

export function normaliseForPii(original: string): NormalisedText {
  // Most text is already normal: one native check, and no map.
  if (!IGNORABLE.test(original) && original.normalize('NFKC') === original) return { text: original }
  let text = ''
  const start: number[] = []
  const end: number[] = []
  let at = 0
  for (const cp of original) {
    const next = at + cp.length
    if (!IGNORABLE.test(cp)) {
      const n = cp.normalize('NFKC')
      text += n
      for (let k = 0; k < n.length; k++) {
        start.push(at)
        end.push(next)
      }
    }
    at = next
  }
  return { text, start, end }
}

/** The span of the original text that normalised characters [from, to) came from. */
function originalSpan(n: NormalisedText, from: number, to: number): { start: number; end: number } {
  return { start: n.start?.[from] ?? from, end: n.end?.[to - 1] ?? to }
}

/** What may separate the groups of one number: spaces, dashes, dots, underscores — up to three in a row. */
const SEPARATOR = /^[\s\-‐‑‒–—―−ー_.·•・‧∙]{1,3}$/
const MAX_DIGITS = 19
const CHECK_X = /^[\s\-‐‑‒–—―−ー_.·•・‧∙]{0,3}[Xx]/

interface DigitGroup {
  readonly from: number
  readonly to: number
  readonly digits: string
  /** Where an X right after the group ends (a resident ID number's check character; separators allowed before it). */
  readonly xEnd: number | undefined
}

/** The kind of personal number these digits are, if any (check digit, Luhn, mobile prefix). */
function numberKind(digits: string): PiiKind | undefined {
  if (digits.length === 18 && isResidentId(digits)) return 'id-card'
  if (/^\d{16,19}$/.test(digits) && luhn(digits) && !/^1[3-9]/.test(digits)) return 'bank-card'
  if (/^1[3-9]\d{9}$/.test(digits)) return 'phone'
  return undefined
}

const KIND_ORDER: Record<PiiKind, number> = { 'id-card': 0, 'bank-card': 1, phone: 2, plate: 3 }

/** Numbers in normalised text: every run of digit groups joined by separators, tried group-aligned. */
function findNumbers(t: string): PiiMatch[] {
  const groups: DigitGroup[] = []
  for (const m of t.matchAll(/\d+/g)) {
    const from = m.index ?? 0
    const to = from + m[0].length
    const x = CHECK_X.exec(t.slice(to, to + 5))
    groups.push({ from, to, digits: m[0], xEnd: x ? to + x[0].length : undefined })
  }
  const candidates: PiiMatch[] = []
  for (let i = 0; i < groups.length; i++) {
    let digits = ''
    for (let j = i; j < groups.length; j++) {
      const g = groups[j] as DigitGroup
      if (j > i && !SEPARATOR.test(t.slice((groups[j - 1] as DigitGroup).to, g.from))) break
      digits += g.digits
      if (digits.length > MAX_DIGITS) break
      const kind = numberKind(digits)
      if (kind) candidates.push({ kind, start: (groups[i] as DigitGroup).from, end: g.to })
      // Also when the 17 digits are a card number by themselves: the longer ID number wins below.
      if (g.xEnd !== undefined && digits.length === 17 && isResidentId(`${digits}X`))
        candidates.push({ kind: 'id-card', start: (groups[i] as DigitGroup).from, end: g.xEnd })
    }
  }
  // An ID number (the surest check) wins an overlap, then the longest number (a card over the phone-like digits inside it).
  const idFirst = (m: PiiMatch) => (m.kind === 'id-card' ? 0 : 1)
  candidates.sort(
    (a, b) =>
      idFirst(a) - idFirst(b) || b.end - b.start - (a.end - a.start) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.start - b.start,
  )
  const kept: PiiMatch[] = []
  for (const c of candidates) if (!kept.some((k) => c.start < k.end && k.start < c.end)) kept.push(c)
  return kept
}

/**
 * Every personal number in the text, by position in the original text (overlaps resolved: the
 * longest, then the first). The text is read normalised — full-width digits, zero-width
 * characters and the usual separators between digit groups do not hide a number.
 */
export function findPii(text: string): PiiMatch[] {
  const n = normaliseForPii(text)
  const found = findNumbers(n.text)
  for (const m of n.text.matchAll(PLATE)) {
    const start = m.index ?? 0
    const end = start + m[0].length
    if (!found.some((f) => start < f.end && f.start < end)) found.push({ kind: 'plate', start, end })
  }
  return found.map((f) => ({ kind: f.kind, ...originalSpan(n, f.start, f.end) })).sort((a, b) => a.start - b.start)
}

/** The kinds of personal numbers in the text, once each. */
export const piiKinds = (text: string): PiiKind[] => [...new Set(findPii(text).map((m) => m.kind))]

/** How a number is shown once masked: its first and last few characters, for a person to recognise it. */
function masked(kind: PiiKind, shown: string): string {
  const [head, tail] = (kind === 'phone' ? [3, 4] : kind === 'plate' ? [2, 0] : [4, 2]) as [number, number]
  return shown.slice(0, head) + '*'.repeat(Math.max(4, shown.length - head - tail)) + shown.slice(shown.length - tail)
}

/**
 * The text with every personal number masked (the original span replaced, whatever hid it:
 * `５１３７…４６` or `5137\u200b0119…` both become `5137************46`). Masked text holds no
 * number the detector finds again, so masking twice changes nothing.
 *
 * @example
 *   maskPii('身份证 ５１３７０１１９９５０７１７６３４６') // '身份证 5137************46'
 */
export function maskPii(text: string): string {
  const found = findPii(text)
  if (!found.length) return text
  let out = ''
  let at = 0
  for (const f of found) {
    if (f.start < at) continue
    // Shown from the normalised characters, without the separators or invisible ones that split it.
    const norm = normaliseForPii(text.slice(f.start, f.end)).text
    const shown = f.kind === 'plate' ? norm.replace(/[·•・.\s-]/g, '') : norm.replace(/[^\dXx]/g, '').toUpperCase()
    out += text.slice(at, f.start) + masked(f.kind, shown)
    at = f.end
  }
  return out + text.slice(at)
}

/** The same as maskPii (its earlier name). */
export const redactPii = maskPii

const ID_CARD_WORDS = /公民身份号码|居民身份证|身份证号/

/**
 * What a picture's text (OCR) says about personal numbers: the text masked, the kinds found,
 * and whether it reads like a resident ID card (its printed labels, or an ID number).
 */
export function pictureTextFacts(raw: string): { text: string; pii: PiiKind[]; idCardLike: boolean } {
  const pii = piiKinds(raw)
  return { text: maskPii(raw), pii, idCardLike: pii.includes('id-card') || ID_CARD_WORDS.test(raw) }
}
