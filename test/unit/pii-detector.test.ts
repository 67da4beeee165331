/**
 * The normalising personal-number detector, by property: a number written however an attacker
 * likes (full-width digits, zero-width characters, separators between digits) inside any text is
 * found at its exact span of the original and masked there, and nothing else changes.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { maskEvent } from '../../functions/domain/privacy.ts'
import { findPii, isResidentId, maskPii } from '../../functions/domain/vision/pii.ts'
import { holdsRawId } from '../helpers/pii.ts'

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

/** A well-formed resident ID number: any region, a real birth date, any sequence, its check character. */
const residentId = fc
  .record({
    region: fc.integer({ min: 110000, max: 659999 }),
    born: fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true }),
    seq: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ region, born, seq }) => {
    const date = born.toISOString().slice(0, 10).replace(/-/g, '')
    const body = `${region}${date}${String(seq).padStart(3, '0')}`
    const sum = [...body].reduce((s, d, i) => s + Number(d) * (WEIGHTS[i] as number), 0)
    return body + ('10X98765432'[sum % 11] as string)
  })

const mobile = fc
  .tuple(fc.constantFrom('3', '5', '7', '8', '9'), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }))
  .map(([second, rest]) => `1${second}${rest.join('')}`)

const ZERO_WIDTH = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad']
const SEPARATORS = [' ', '-', '\u3000', '·', '_', '.', '－']
const fullWidth = (c: string) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)

/** The number with each character maybe full-width, and zero-width characters or one separator between characters. */
const disguised = (number: fc.Arbitrary<string>) =>
  number.chain((n) =>
    fc
      .tuple(
        fc.array(fc.boolean(), { minLength: n.length, maxLength: n.length }),
        fc.array(
          fc.oneof(
            fc.constant(''),
            fc.array(fc.constantFrom(...ZERO_WIDTH), { minLength: 1, maxLength: 3 }).map((a) => a.join('')),
            fc.constantFrom(...SEPARATORS),
          ),
          { minLength: n.length - 1, maxLength: n.length - 1 },
        ),
      )
      .map(([wide, gaps]) => ({
        number: n,
        text: [...n].map((c, i) => (wide[i] ? fullWidth(c) : c) + (gaps[i] ?? '')).join(''),
      })),
  )

/** Text around a number: no digits (they could join it), no letter X. */
const context = fc
  .array(fc.constantFrom('你', '好', '身', '份', '证', '号', '是', '：', '，', ' ', 'a', 'b', 'q', '😀', '。'), { maxLength: 12 })
  .map((a) => a.join(''))

/** Text of anything the detector must cope with: digits in every width, invisible characters, separators, astral characters. */
const anyText = fc
  .array(
    fc.constantFrom(
      ...'0123456789',
      ...'０１２３４５６７８９',
      'X',
      'Ｘ',
      'x',
      '𝟎',
      '①',
      '粤',
      'B',
      '😀',
      '身',
      ...ZERO_WIDTH,
      ...SEPARATORS,
    ),
    { maxLength: 60 },
  )
  .map((a) => a.join(''))

describe('findPii / maskPii (properties)', () => {
  it('finds a disguised resident ID number at its exact span of the original text', () => {
    fc.assert(
      fc.property(context, disguised(residentId), context, (before, id, after) => {
        const text = before + id.text + after
        const found = findPii(text).filter((m) => m.kind === 'id-card')
        expect(found).toEqual([{ kind: 'id-card', start: before.length, end: before.length + id.text.length }])
      }),
    )
  })

  it('masks a disguised ID or mobile number in place, leaving the rest of the text as it was', () => {
    fc.assert(
      fc.property(context, fc.oneof(disguised(residentId), disguised(mobile)), context, (before, n, after) => {
        const masked = maskPii(before + n.text + after)
        const shown =
          n.number.length === 18
            ? `${n.number.slice(0, 4)}${'*'.repeat(12)}${n.number.slice(16)}`
            : `${n.number.slice(0, 3)}****${n.number.slice(7)}`
        expect(masked).toBe(before + shown + after)
        expect(holdsRawId(masked)).toBe(false)
        expect(findPii(masked)).toEqual([]) // a mask is never read as a number again
      }),
    )
  })

  it('reports spans inside the text, never splitting a character, each of them a real number', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        for (const m of findPii(text)) {
          expect(0 <= m.start && m.start < m.end && m.end <= text.length).toBe(true)
          expect(/^[\udc00-\udfff]/.test(text.slice(m.start))).toBe(false)
          expect(/[\ud800-\udbff]$/.test(text.slice(0, m.end))).toBe(false)
          const digits = text
            .slice(m.start, m.end)
            .normalize('NFKC')
            .replace(/[^\dXx]/g, '')
          if (m.kind === 'id-card') expect(isResidentId(digits)).toBe(true)
          if (m.kind === 'phone') expect(digits).toMatch(/^1[3-9]\d{9}$/)
        }
      }),
    )
  })

  it('changes only the spans it found, and never text without numbers', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const found = findPii(text)
        const masked = maskPii(text)
        if (!found.length) expect(masked).toBe(text)
        else {
          expect(masked.startsWith(text.slice(0, found[0]?.start))).toBe(true)
          expect(masked.endsWith(text.slice(found.at(-1)?.end))).toBe(true)
        }
      }),
    )
  })
})

describe('maskEvent', () => {
  it('masks every string of an event but its ids, and records what the message text held', () => {
    const id = '５１３７０１１９９５０７１７６３４６'
    const event = {
      kind: 'message' as const,
      id: 'm1',
      ts: '2026-03-01T20:00:00+08:00',
      room: '13812345678@chatroom',
      sender: 'wxid_a',
      senderName: `张三${id}`,
      type: 'image' as const,
      text: `身份证 ${id}`,
      media: `media/13812345678@chatroom/m1-${id}.jpg`,
    }
    const masked = maskEvent(event)
    expect(masked).toEqual({
      ...event,
      senderName: '张三5137************46',
      text: '身份证 5137************46',
      // The room id inside the bot host's key stays (ids identify; the key must still find the file).
      media: 'media/13812345678@chatroom/m1-5137************46.jpg',
      pii: ['id-card'],
    })
    expect(maskEvent(masked)).toEqual(masked)
  })

  it('masks the names of a room snapshot, not the member ids they are keyed by', () => {
    const snapshot = {
      kind: 'room' as const,
      id: 'r',
      ts: '2026-03-01T20:00:00+08:00',
      room: 'r1',
      topic: '车主群 粤B12345',
      members: ['13812345678'],
      admins: [],
      names: { '13812345678': '老王 138 1234 5678' },
    }
    expect(maskEvent(snapshot)).toEqual({ ...snapshot, topic: '车主群 粤B*****', names: { '13812345678': '老王 138****5678' } })
  })

  it('returns the event itself when there is nothing to mask', () => {
    const e = { kind: 'private' as const, id: 'p', ts: '2026-03-01T20:00:00+08:00', sender: 'wxid_a', text: 'Y1' }
    expect(maskEvent(e)).toBe(e)
  })
})
