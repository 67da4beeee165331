/**
 * Redaction of personal numbers in text that leaves the guard (logs, stored summaries):
 * mainland mobile numbers and resident ID numbers.
 *
 * @example
 *   redact('call 13812345678') // 'call 138****5678'
 */
const MOBILE = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g
const RESIDENT_ID = /(?<![\dXx])(\d{6})\d{8}(\d{3}[\dXx])(?![\dXx])/g

export function redact(text: string): string {
  return text.replace(RESIDENT_ID, '$1********$2').replace(MOBILE, '$1****$2')
}

/** A JSON.stringify replacer that redacts every string value. */
export function redactingReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? redact(value) : value
}
