/**
 * The messages between the AWS pipeline's stages (one SQS FIFO queue each), validated at
 * every consumer like group events are:
 *
 *   ingest ──VisionRequest──► vision ──ModerateRequest──► moderate ──ApprovalsRequest──► approvals
 *     └──────────ModerateRequest───────────────────────────┘   ingest ──(owner's private message)──┘
 *
 * Pictures never travel inside them: a message event names its media by key (S3).
 */
import { z } from 'zod'
import { DecisionSchema, MessageEventSchema, PrivateEventSchema } from './events.ts'
import { PII_KINDS } from './vision/pii.ts'

export const ImageFactsSchema = z.object({
  labels: z.array(z.object({ name: z.string(), confidence: z.number() })),
  faces: z.number().int().min(0),
  nsfw: z.number().min(0).max(1),
  unsafeLabels: z.array(z.string()),
})

export const VisionRequestSchema = z.object({ event: MessageEventSchema })
export type VisionRequest = z.infer<typeof VisionRequestSchema>

export const ModerateRequestSchema = z.object({
  event: MessageEventSchema,
  /** Text read from the picture (OCR), personal numbers masked. */
  imageText: z.string().optional(),
  image: ImageFactsSchema.optional(),
  /** The QR codes' contents (zxing). */
  qr: z.array(z.string()).optional(),
  /** What a voice message said (Amazon Transcribe). */
  voiceText: z.string().optional(),
  /** Kinds of personal numbers the picture holds (an ID-card-like picture counts as an ID number). */
  pii: z.array(z.enum(PII_KINDS)).optional(),
  /** Why vision could not read the picture; the message is judged without it. */
  visionError: z.string().optional(),
})
export type ModerateRequest = z.infer<typeof ModerateRequestSchema>

const ActionRequestSchema = z.object({
  decisionId: z.number().int(),
  decision: DecisionSchema,
  messageId: z.string(),
  text: z.string(),
  ownerId: z.string().optional(),
  invite: z.boolean().optional(),
  cleanup: z.object({ text: z.string(), items: z.array(z.object({ id: z.string(), line: z.string() })).readonly() }).optional(),
})

/** What a decision about no message (a blacklisted member joining) is about. */
const AboutSchema = z.object({ name: z.string().optional(), what: z.string() })

const ProposalSchema = z.object({
  request: ActionRequestSchema,
  message: MessageEventSchema.optional(),
  about: AboutSchema.optional(),
  roomTopic: z.string(),
})

export const ApprovalsRequestSchema = z.discriminatedUnion('kind', [
  /** Every decision moderate stored (the Guard's HandledDecision): counted in its rule's record; a shadow one is put to the owner, an active one kept for review. */
  z.object({
    kind: z.literal('decision'),
    decision: z.object({
      id: z.number().int(),
      decision: DecisionSchema,
      request: ActionRequestSchema.optional(),
      proposal: ProposalSchema.optional(),
      message: MessageEventSchema.optional(),
      about: AboutSchema.optional(),
    }),
    imageText: z.string().optional(),
  }),
  /** Sent by earlier versions of moderate (a shadow decision only); still read, so none in flight is lost. */
  z.object({ kind: z.literal('proposal'), proposal: ProposalSchema, imageText: z.string().optional() }),
  z.object({ kind: z.literal('answer'), event: PrivateEventSchema }),
])
export type ApprovalsRequest = z.infer<typeof ApprovalsRequestSchema>

/** Parses a stage message; the error names the field, for the poison-record log. */
export function parseStageMessage<T>(schema: z.ZodType<T>, body: string): { ok: true; value: T } | { ok: false; error: string } {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return { ok: false, error: 'not JSON' }
  }
  const r = schema.safeParse(json)
  if (r.success) return { ok: true, value: r.data }
  return { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') }
}
