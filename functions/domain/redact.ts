/**
 * Redaction of personal numbers in text that leaves the guard (logs, stored summaries): the
 * same detector and masks as everything else (`maskPii`), so full-width or zero-width-split
 * numbers are masked in logs too.
 *
 * @example
 *   redact('call 13812345678') // 'call 138****5678'
 */
import { maskPii } from './vision/pii.ts'

export const redact = (text: string): string => maskPii(text)

/** A JSON.stringify replacer that redacts every string value. */
export function redactingReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? redact(value) : value
}
