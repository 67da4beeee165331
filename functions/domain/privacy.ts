/**
 * Personal numbers never get past the edge where events enter: `maskEvent` masks every string
 * an event carries — text, link, room topic, display names, sender name, media path — except the
 * ids that identify rooms, members and events. It runs in `parseEvent`, which every source of
 * events goes through (the Guard, Wechaty, history files and imports, the AWS ingest handler),
 * and once more in the Guard for events handed over already parsed.
 *
 * What a message's own content held is recorded before it is masked (`pii`: the kinds, never the
 * numbers), so the privacy rule still recalls or reports it.
 *
 * @example
 *   maskEvent({ kind: 'message', id: 'm1', text: '身份证 ５１３７０１１９９５０７１７６３４６', … })
 *   // { …, text: '身份证 5137************46', pii: ['id-card'] }
 */
import { findPii, maskPii, type PiiKind, piiKinds } from './vision/pii.ts'

export { maskPii }

/** Fields that identify something (ids, times, enums): kept as they are, or identity breaks. */
const IDENTITY_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'kind',
  'ts',
  'room',
  'sender',
  'owner',
  'admins',
  'members',
  'inviter',
  'remover',
  'messageId',
  'mentions',
  'self',
  'via',
  'type',
  'mentionAll',
  'pii',
])

/** A message's own content: personal numbers here are what the privacy rule acts on. */
const CONTENT_FIELDS = ['text', 'url'] as const

/** Masks every string inside (object keys are ids, e.g. `names{}`: kept). */
function maskValue(value: unknown): unknown {
  if (typeof value === 'string') return maskPii(value)
  if (Array.isArray(value)) {
    const out = value.map(maskValue)
    return out.every((v, i) => v === value[i]) ? value : out
  }
  if (value !== null && typeof value === 'object') {
    let changed = false
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      out[k] = maskValue(v)
      changed ||= out[k] !== v
    }
    return changed ? out : value
  }
  return value
}

/**
 * A path or key with personal numbers masked, except where it names the event's own ids (the
 * bot host's `media/<room>/<event id>.jpg`: ids are stored as they are anyway, and the key must
 * still find the file).
 */
function maskPointer(text: string, ids: readonly string[]): string {
  const keep = ids.filter((id) => id && text.includes(id)).sort((a, b) => b.length - a.length)
  if (!keep.length || !findPii(text).length) return maskPii(text)
  let out = ''
  let at = 0
  while (at < text.length) {
    let next = text.length
    let id = ''
    for (const k of keep) {
      const i = text.indexOf(k, at)
      if (i >= 0 && i < next) {
        next = i
        id = k
      }
    }
    out += maskPii(text.slice(at, next)) + id
    at = next + id.length
  }
  return out
}

/**
 * The event with personal numbers masked in every string but its ids; a message also records
 * the kinds its text and link held (`pii`). Masking twice changes nothing. Returns the same
 * object when there is nothing to mask.
 */
export function maskEvent<E extends { readonly kind: string }>(event: E): E {
  const record = event as unknown as Record<string, unknown>
  let out: Record<string, unknown> | undefined
  for (const [key, value] of Object.entries(record)) {
    if (IDENTITY_FIELDS.has(key)) continue
    const masked =
      key === 'media' && typeof value === 'string'
        ? maskPointer(
            value,
            [record.id, record.room].filter((v): v is string => typeof v === 'string'),
          )
        : maskValue(value)
    if (masked !== value) {
      out ??= { ...record }
      out[key] = masked
    }
  }
  if (event.kind === 'message') {
    const found = CONTENT_FIELDS.flatMap((f) => (typeof record[f] === 'string' ? piiKinds(record[f]) : []))
    if (found.length) {
      const before = Array.isArray(record.pii) ? (record.pii as PiiKind[]) : []
      out ??= { ...record }
      out.pii = [...new Set([...before, ...found])]
    }
  }
  return (out ?? event) as E
}
