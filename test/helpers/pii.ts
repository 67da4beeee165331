/**
 * A resident ID number in the disguises an attacker (or an odd keyboard) uses, and a check that
 * text holds it in none of them: full-width digits, zero-width characters and separators between
 * its digits, JSON `\u` escapes.
 */
/** A well-formed resident ID number (region, birth date and check digit valid). */
export const ID = '513701199507176346'
export const ID_X = '11010519491231002X'

const FULL_WIDTH = (s: string) => s.replace(/[0-9A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))

export const DISGUISES = {
  'full-width': FULL_WIDTH(ID),
  'zero-width': ID.replace(/(\d{4})(?=\d)/g, '$1\u200b'),
  'mixed separators': `${FULL_WIDTH(ID.slice(0, 6))}\u200c ${ID.slice(6, 10)}-${FULL_WIDTH(ID.slice(10, 14))}\u3000${ID.slice(14)}`,
  'full-width X': FULL_WIDTH(ID_X).replace(/(\d{6})/, '$1\u2060'),
} as const

/** Whether the text holds one of the two numbers, however disguised (checked independently of the code under test). */
export function holdsRawId(text: string): boolean {
  const unescaped = text.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)))
  const compact = unescaped
    .normalize('NFKC')
    .replace(/\p{Default_Ignorable_Code_Point}/gu, '')
    .replace(/[\s\-_.·]/g, '')
  return compact.includes(ID) || compact.toUpperCase().includes(ID_X)
}
