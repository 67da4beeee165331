/**
 * Group events and decisions, exactly as in the docs/format.md line formats.
 *
 * Every edge that takes events in (history files, Wechaty, queues) validates them here, so the
 * rest of the code can trust their shape — and finds personal numbers already masked (privacy.ts).
 * Unknown fields are dropped (forward compatibility).
 *
 * @example
 *   const r = parseEvent(JSON.parse(line))
 *   if (!r.ok) console.error(r.error) // "message.sender: required"
 */
import { z } from 'zod'
import { maskEvent, maskPii } from './privacy.ts'
import { PII_KINDS } from './vision/pii.ts'

const isoWithOffset = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: 'must be an ISO-8601 time with an offset, e.g. 2026-03-01T20:15:00+08:00',
  })

const id = z.string().min(1, 'must be a non-empty string')
const ids = z.array(id)

export const MESSAGE_TYPES = [
  'text',
  'image',
  'voice',
  'video',
  'emoji',
  'link',
  'miniprogram',
  'card',
  'file',
  'redpacket',
  'transfer',
  'location',
  'other',
] as const
export type MessageType = (typeof MESSAGE_TYPES)[number]

const base = { id, ts: isoWithOffset }

export const AccountEventSchema = z.object({ ...base, kind: z.literal('account'), self: id })
export const RoomEventSchema = z.object({
  ...base,
  kind: z.literal('room'),
  room: id,
  topic: z.string().default(''),
  owner: id.optional(),
  admins: ids.default([]),
  members: ids.default([]),
  names: z.record(z.string(), z.string()).default({}),
})
export const MessageEventSchema = z.object({
  ...base,
  kind: z.literal('message'),
  room: id,
  sender: id,
  senderName: z.string().optional(),
  type: z.enum(MESSAGE_TYPES),
  text: z.string().optional(),
  url: z.string().optional(),
  media: z.string().optional(),
  mentions: ids.optional(),
  mentionAll: z.boolean().optional(),
  /** Kinds of personal numbers the text or link held before they were masked (see privacy.ts). */
  pii: z.array(z.enum(PII_KINDS)).optional(),
})
export const JoinEventSchema = z.object({
  ...base,
  kind: z.literal('join'),
  room: id,
  members: ids.min(1, 'must name at least one member'),
  names: z.record(z.string(), z.string()).optional(),
  inviter: id.optional(),
  via: z.enum(['invite', 'qrcode', 'unknown']).default('unknown'),
})
export const LeaveEventSchema = z.object({
  ...base,
  kind: z.literal('leave'),
  room: id,
  members: ids.min(1, 'must name at least one member'),
  remover: id.optional(),
})
export const RecallEventSchema = z.object({
  ...base,
  kind: z.literal('recall'),
  room: id,
  sender: id,
  messageId: id.optional(),
})
export const AnnouncementEventSchema = z.object({
  ...base,
  kind: z.literal('announcement'),
  room: id,
  sender: id,
  text: z.string(),
})
export const PrivateEventSchema = z.object({ ...base, kind: z.literal('private'), sender: id, text: z.string() })

export const GroupEventSchema = z.discriminatedUnion('kind', [
  AccountEventSchema,
  RoomEventSchema,
  MessageEventSchema,
  JoinEventSchema,
  LeaveEventSchema,
  RecallEventSchema,
  AnnouncementEventSchema,
  PrivateEventSchema,
])

export type GroupEvent = z.infer<typeof GroupEventSchema>
export type AccountEvent = z.infer<typeof AccountEventSchema>
export type RoomEvent = z.infer<typeof RoomEventSchema>
export type MessageEvent = z.infer<typeof MessageEventSchema>
export type JoinEvent = z.infer<typeof JoinEventSchema>
export type LeaveEvent = z.infer<typeof LeaveEventSchema>
export type RecallEvent = z.infer<typeof RecallEventSchema>
export type AnnouncementEvent = z.infer<typeof AnnouncementEventSchema>
export type PrivateEvent = z.infer<typeof PrivateEventSchema>
export type EventKind = GroupEvent['kind']
/** Events that belong to a room. */
export type RoomScopedEvent = Exclude<GroupEvent, AccountEvent | PrivateEvent>

export const DECISION_ACTIONS = ['warn', 'remove', 'recall', 'alert-owner', 'ask-owner', 'reply'] as const
export type DecisionAction = (typeof DECISION_ACTIONS)[number]

export const DecisionSchema = z.object({
  event: id,
  room: id,
  target: id,
  action: z.enum(DECISION_ACTIONS),
  mode: z.enum(['active', 'shadow']),
  rule: id,
  score: z.number().min(0).max(1),
  reason: z.string(),
})
export type Decision = z.infer<typeof DecisionSchema>

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string }

/** Formats zod issues as `kind.field: problem`, naming the field that is wrong. */
function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: string): string {
  return issues
    .map((i) => {
      const where = [prefix, ...i.path.map(String)].filter(Boolean).join('.')
      if (i.code === 'invalid_type' && i.message.includes('received undefined')) return `${where}: required`
      return `${where}: ${i.message}`
    })
    .join('; ')
}

/**
 * Validates one event and masks the personal numbers in it (`maskEvent`): the edge every event
 * passes, whatever its source. Never throws. The error names the offending field and quotes no
 * personal number.
 */
export function parseEvent(input: unknown): Parsed<GroupEvent> {
  const r = validateEvent(input)
  return r.ok ? { ok: true, value: maskEvent(r.value) } : { ok: false, error: maskPii(r.error) }
}

function validateEvent(input: unknown): Parsed<GroupEvent> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, error: 'event: must be a JSON object' }
  }
  const kind = (input as { kind?: unknown }).kind
  const r = GroupEventSchema.safeParse(input)
  if (r.success) return { ok: true, value: r.data }
  const prefix = typeof kind === 'string' ? kind : 'event'
  const issues = r.error.issues.map((i) =>
    i.code === 'invalid_union' && i.path.length === 0
      ? { ...i, path: ['kind'], message: `must be one of ${GroupEventSchema.options.map((o) => o.shape.kind.value).join(', ')}` }
      : i,
  )
  return { ok: false, error: describeIssues(issues as z.core.$ZodIssue[], prefix) }
}

/** Validates one decision line. */
export function parseDecision(input: unknown): Parsed<Decision> {
  const r = DecisionSchema.safeParse(input)
  return r.success ? { ok: true, value: r.data } : { ok: false, error: describeIssues(r.error.issues, 'decision') }
}

/** Epoch milliseconds of an event time. */
export const toMillis = (ts: string): number => Date.parse(ts)
