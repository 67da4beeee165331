/**
 * Personal numbers in text (typed, or read from a picture): mainland resident ID numbers (with
 * the ISO 7064 MOD 11-2 check digit and a real birth date), bank card numbers (Luhn check),
 * mobile numbers and licence plates. The guard acts on them (recall or alert, per config),
 * never echoes them: `redactPii` replaces each with a mask before any text is stored, logged,
 * replied or sent to an owner.
 *
 * @example
 *   findPii('身份证 513701199507176346') // [{ kind: 'id-card', start: 4, end: 22 }]
 *   redactPii('电话13812345678') // '电话138****5678'
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

/** Every personal number in the text, by position (overlaps resolved: the longest, then the first). */
export function findPii(text: string): PiiMatch[] {
  const t = text
  const found: PiiMatch[] = []
  // Digit runs, allowing single spaces or dashes inside (card numbers are often grouped).
  for (const m of t.matchAll(/(?<![\dA-Za-z])\d(?:[ -]?\d){10,22}[Xx]?(?![\dA-Za-z])/g)) {
    const raw = m[0]
    const digits = raw.replace(/[ -]/g, '')
    const start = m.index ?? 0
    const end = start + raw.length
    if (digits.length === 18 && isResidentId(digits)) found.push({ kind: 'id-card', start, end })
    else if (/^\d{16,19}$/.test(digits) && luhn(digits) && !/^1[3-9]/.test(digits)) found.push({ kind: 'bank-card', start, end })
    else if (/^1[3-9]\d{9}$/.test(digits)) found.push({ kind: 'phone', start, end })
  }
  // Mobile numbers glued to other digits or letters are still numbers someone can call.
  for (const m of t.matchAll(/(?<!\d)1[3-9]\d{9}(?!\d)/g)) {
    const start = m.index ?? 0
    if (!found.some((f) => f.start <= start && start < f.end)) found.push({ kind: 'phone', start, end: start + 11 })
  }
  for (const m of t.matchAll(PLATE)) found.push({ kind: 'plate', start: m.index ?? 0, end: (m.index ?? 0) + m[0].length })
  return found.sort((a, b) => a.start - b.start)
}

/** The kinds of personal numbers in the text, once each. */
export const piiKinds = (text: string): PiiKind[] => [...new Set(findPii(text).map((m) => m.kind))]

/** The text with every personal number masked: the first and last few characters kept, for a person to recognise. */
export function redactPii(text: string): string {
  const found = findPii(text)
  if (!found.length) return text
  let out = ''
  let at = 0
  for (const f of found) {
    if (f.start < at) continue
    const raw = text.slice(f.start, f.end)
    const keep = f.kind === 'phone' ? [3, 4] : f.kind === 'plate' ? [2, 0] : [4, 2]
    const [head, tail] = keep as [number, number]
    out += text.slice(at, f.start) + raw.slice(0, head) + '*'.repeat(Math.max(4, raw.length - head - tail)) + raw.slice(raw.length - tail)
    at = f.end
  }
  return out + text.slice(at)
}

const ID_CARD_WORDS = /公民身份号码|居民身份证|身份证号/

/**
 * What a picture's text (OCR) says about personal numbers: the text masked, the kinds found,
 * and whether it reads like a resident ID card (its printed labels, or an ID number).
 */
export function pictureTextFacts(raw: string): { text: string; pii: PiiKind[]; idCardLike: boolean } {
  const pii = piiKinds(raw)
  return { text: redactPii(raw), pii, idCardLike: pii.includes('id-card') || ID_CARD_WORDS.test(raw) }
}
