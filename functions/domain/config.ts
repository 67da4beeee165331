/**
 * The guard's configuration (qunguard.yaml), validated with a schema.
 *
 * `groups["*"]` holds the defaults for every room; `groups["<room id>"]` overrides them for one
 * room (scalars replace, `rules` and `whitelist` are appended to the defaults).
 *
 * @example
 *   const cfg = parseConfig(YAML.parse(text))
 *   const roomCfg = resolveRoomConfig(cfg, 'r1@chatroom')
 */

import { closest, distance } from 'fastest-levenshtein'
import { z } from 'zod'
import { type GroupEvent, MESSAGE_TYPES, type MessageType } from './events.ts'
import { normalizeText } from './text-normal.ts'
import { PII_KINDS, type PiiKind } from './vision/pii.ts'

export const RULE_ACTIONS = ['escalate', 'warn', 'remove', 'recall', 'alert-owner'] as const
export type RuleAction = (typeof RULE_ACTIONS)[number]
export const LADDER_STEPS = ['warn', 'remove', 'recall', 'alert-owner'] as const
export type LadderStep = (typeof LADDER_STEPS)[number]
export const ROOM_MODES = ['active', 'shadow', 'off'] as const
export type RoomMode = (typeof ROOM_MODES)[number]

// Every number in the schema is bounded so that no accepted config can overflow a date or a
// timer (offenceWindowDays: 1e300 used to crash the guard at the first violation).
const HOURS_A_YEAR = 24 * 366
const TEN_MINUTES_MS = 600_000

/** Shows invisible characters (zero-width, controls) in a keyword as \u escapes. */
export function visible(text: string): string {
  return `"${text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|[^\P{Zs} ]/gu, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)}"`
}

/**
 * A keyword is compared after normalisation (text-normal.ts); one that normalises to nothing
 * (an emoji, a zero-width space, punctuation) could never be found, and used to leave its rule
 * matching every message.
 */
const keyword = z
  .string()
  .min(1, 'keywords must not be empty')
  .refine((k) => normalizeText(k) !== '', {
    error: (i) =>
      `keyword ${visible(String(i.input))} is nothing once normalised (normalised form: ""): keywords are compared without spaces, punctuation, symbols, emoji and zero-width characters — use letters or digits`,
  })
const keywordList = z.array(keyword).default([])

export const KeywordRuleSchema = z
  .strictObject({
    id: z
      .string()
      .min(1)
      .regex(/^[\w.:-]+$/, 'rule ids use letters, digits, _ . : -'),
    any: keywordList,
    all: keywordList,
    exclude: keywordList,
    types: z.array(z.enum(MESSAGE_TYPES)).optional(),
    newcomerHours: z.number().min(0).max(HOURS_A_YEAR).default(0),
    action: z.enum(RULE_ACTIONS).default('escalate'),
    /** `shadow`: the rule only proposes and the owner approves until it has earned acting alone. */
    mode: z.enum(['shadow', 'active']).default('active'),
    /** Free text shown to the owner and the member; defaults to a sentence built from the rule. */
    reason: z.string().optional(),
  })
  .refine((r) => r.any.length + r.all.length > 0 || r.types !== undefined || r.newcomerHours > 0, {
    message: 'a rule needs keywords (any/all), types or newcomerHours, or it would match every message',
  })
export type KeywordRule = z.infer<typeof KeywordRuleSchema>

/** Message types a group can lock (`limits.lock`): every type but plain text and `other`, and `qr`, a picture holding a QR code. */
export type Lockable = Exclude<MessageType, 'text' | 'other'> | 'qr'
export const LOCKABLE: readonly Lockable[] = [
  ...MESSAGE_TYPES.filter((t): t is Exclude<MessageType, 'text' | 'other'> => t !== 'text' && t !== 'other'),
  'qr',
]

const HOUR = z.number().int().min(0).max(23)
const LimitSetSchema = z.strictObject({
  /** `count` messages or more from one member within `windowS` seconds is a flood. */
  flood: z.strictObject({ count: z.number().int().min(2).max(1000), windowS: z.number().int().min(1).max(3600) }).optional(),
  /** A text of more characters than this. */
  maxChars: z.number().int().min(10).max(100_000).optional(),
  /** More members @-mentioned in one message than this (@所有人 counts as one). */
  mentions: z.number().int().min(0).max(500).optional(),
  /** Message types nobody may post (`qr`: a picture holding a QR code). */
  lock: z.array(z.enum(LOCKABLE as [Lockable, ...Lockable[]])).optional(),
  /** Link domains (a domain covers its subdomains): only these, or none of these. */
  domains: z.strictObject({ allow: z.array(z.string().min(1)).optional(), deny: z.array(z.string().min(1)).optional() }).optional(),
})
const LimitsSchema = LimitSetSchema.extend({
  /** Local hours (from, to; 23 → 7 spans midnight) with limits of their own over the day's (locks add up). */
  night: LimitSetSchema.extend({ from: HOUR, to: HOUR }).optional(),
  action: z.enum(RULE_ACTIONS).default('escalate'),
  mode: z.enum(['shadow', 'active']).default('active'),
})

/** The owner's own limits, as the config gives them (limits.ts reads them). */
export type LimitsConfig = z.infer<typeof LimitsSchema>

/** Settings that may appear under "*" or under a room id. Every field is optional here. */
const GroupSettingsSchema = z.strictObject({
  mode: z.enum(ROOM_MODES).optional(),
  escalation: z.array(z.enum(LADDER_STEPS)).min(1, 'needs at least one step').optional(),
  /** Offences older than this many days no longer count on the ladder. */
  offenceWindowDays: z.number().positive().max(3650).optional(),
  quiet: z.boolean().optional(),
  whitelist: z.array(z.string().min(1)).optional(),
  /** Extra staff (WeChat ids) treated like admins: never acted on. */
  admins: z.array(z.string().min(1)).optional(),
  /** Who gets private alerts; defaults to the room's WeChat owner. */
  owner: z.string().min(1).optional(),
  rules: z.array(KeywordRuleSchema).optional(),
  /** Personal numbers (typed, or read from a picture): what the guard does, and which kinds count. */
  privacy: z
    .strictObject({
      action: z.enum(['recall', 'alert-owner', 'off']).default('recall'),
      kinds: z.array(z.enum(PII_KINDS)).default(['id-card', 'bank-card', 'plate']),
    })
    .optional(),
  /**
   * The owner's cross-group blacklist (docs/blacklist.md): a member removed for a violation in one
   * of the owner's groups is, in this group, removed (`remove`), put to the owner (`ask-owner`,
   * `Y<n>`) or left alone (`off`: nobody is listed from here nor acted on here). `trust`: other
   * owners (WeChat ids) whose lists count here too.
   */
  blacklist: z
    .strictObject({
      action: z.enum(['remove', 'ask-owner', 'off']).default('ask-owner'),
      trust: z.array(z.string().min(1)).default([]),
    })
    .optional(),
  /** Limits the owner sets directly (docs/rules.md#limits), next to what is learned. */
  limits: LimitsSchema.optional(),
  /** Members' reports (举报): how many distinct members put a member to the owner (docs/rules.md#reports). */
  reports: z
    .strictObject({
      enabled: z.boolean().default(true),
      threshold: z.number().min(1).max(100).default(3),
      /** Reporters whose word weighs more (staff always do). */
      trusted: z.array(z.string().min(1)).default([]),
      trustedWeight: z.number().min(1).max(100).default(2),
      windowHours: z
        .number()
        .positive()
        .max(24 * 30)
        .default(24),
    })
    .optional(),
  /**
   * Newcomer verification (docs/rules.md#newcomer-verification), opt-in: a newcomer is @-asked to
   * type a short code (or answer `question`) within `minutes`; until then their links, QR codes,
   * cards and mini-programs are recalled; no answer → removed (or the owner alerted). `mode`: the
   * `verification` rule's mode at the start (its record moves it like any rule's).
   */
  verification: z
    .strictObject({
      enabled: z.boolean().default(false),
      minutes: z.number().min(1).max(1440).default(10),
      question: z.string().min(1).max(200).optional(),
      answers: z.array(z.string().min(1).max(50)).min(1).optional(),
      onTimeout: z.enum(['remove', 'alert-owner']).default('remove'),
      mode: z.enum(['active', 'shadow']).default('active'),
      exemptInvitedByStaff: z.boolean().default(true),
    })
    .refine((v) => (v.question === undefined) === (v.answers === undefined), {
      message: 'question and answers go together: a question needs the answers that count, answers need their question',
    })
    .optional(),
  /**
   * Cleanup on removal (docs/rules.md#cleanup-on-removal), opt-in: when the guard removes a member
   * for a message, their messages of the last `minutes` here are recalled (or listed to the owner
   * where the puppet cannot).
   */
  cleanup: z
    .strictObject({
      enabled: z.boolean().default(false),
      minutes: z.number().min(1).max(1440).default(10),
    })
    .optional(),
  /** A message to members who join, with the group's rules (docs/rules.md#welcome-and-群规). Opt-in. */
  welcome: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** The greeting before the rules. @default 欢迎加入「群名」！ */
      text: z.string().min(1).max(500).optional(),
    })
    .optional(),
  /** Answer a member's 群规 in the group with the rules enforced there. @default true */
  rulesOnRequest: z.boolean().optional(),
  /** Vision features members can ask for: `识别`/`OCR` (text of a picture), `评分` (a playful selfie score). */
  pictures: z
    .strictObject({
      ocrOnRequest: z.boolean().default(true),
      selfieScore: z.boolean().default(false),
      /** What to do with a picture the NSFW model flags. */
      nsfw: z.enum(['recall', 'alert-owner', 'off']).default('recall'),
      nsfwThreshold: z.number().min(0).max(1).default(0.8),
    })
    .optional(),
})
export type GroupSettings = z.infer<typeof GroupSettingsSchema>

/** How the owner supervises rules (see docs/supervision.md). Every field is optional. */
export const SupervisionSchema = z.strictObject({
  /** Hours an approval request can be answered. */
  expiryHours: z.number().positive().max(HOURS_A_YEAR).default(24),
  /** Requests sent to an owner one by one per hour; the rest wait for the digest. */
  maxPerHour: z.number().int().min(0).max(1000).default(5),
  /** Minutes between digests. */
  digestMinutes: z
    .number()
    .min(1)
    .max(7 * 24 * 60)
    .default(60),
  /** Requests one owner is asked in 24 hours (least-sure first). */
  dailyBudget: z.number().int().min(0).max(10_000).default(30),
  /** Local hour of the daily report; null: only on request (日报). */
  reportHour: z.number().int().min(0).max(23).nullable().default(21),
  /** Owners' time zone in minutes east of UTC (UTC−12:00 to UTC+14:00). */
  utcOffsetMinutes: z.number().int().min(-720).max(840).default(480),
  /** List active rules' decisions in digests so owners can mark mistakes (N<n>). */
  reviewActive: z.boolean().default(true),
  promote: z
    .strictObject({
      approvals: z.number().int().min(1).max(1000).default(5),
      lowerBound: z.number().min(0).max(1).default(0.6),
      confidence: z.number().gt(0).lt(1).default(0.9),
    })
    .default({ approvals: 5, lowerBound: 0.6, confidence: 0.9 }),
  demote: z
    .strictObject({
      rejections: z.number().int().min(1).max(1000).default(2),
      window: z.number().int().min(1).max(1000).default(10),
    })
    .default({ rejections: 2, window: 10 }),
})
export type SupervisionConfig = z.infer<typeof SupervisionSchema>

export const ConfigSchema = z.strictObject({
  /** SQLite file for the embedded store (relative to the working directory). */
  store: z.string().min(1).default('qunguard.db'),
  /** Deprecated alias of queue.memoryTotal (see queueSettings). */
  queueLimit: z.number().int().positive().max(10_000_000).optional(),
  /** The embedded queue: events held in memory; what does not fit waits in the store's inbox (never refused). */
  queue: z
    .strictObject({
      /** Most events of one room (or one private chat) held in memory. @default 1000 */
      memoryPerLane: z.number().int().positive().max(1_000_000).optional(),
      /** Most events held in memory over all rooms and chats. @default 10000 */
      memoryTotal: z.number().int().positive().max(10_000_000).optional(),
    })
    .default({}),
  groups: z.record(z.string(), GroupSettingsSchema).default({}),
  /** Pictures and voice in the embedded guard (docs/vision.md). */
  vision: z
    .strictObject({
      /** Read pictures at all. */
      enabled: z.boolean().default(true),
      /** OCR (PaddleOCR models, ~0.7 s to load, ~300 MB of memory). */
      ocr: z.boolean().default(true),
      /** Faces and NSFW (tfjs wasm models, ~0.6 s to load, ~400 MB of memory). */
      facts: z.boolean().default(true),
      /** Also label COCO objects in pictures (CenterNet, ~0.4 s a picture; needs facts). */
      objects: z.boolean().default(false),
      maxBytes: z
        .number()
        .int()
        .positive()
        .max(2 ** 30)
        .default(20 * 2 ** 20),
      maxPixels: z.number().int().positive().max(1_000_000_000).default(40_000_000),
      timeoutMs: z.number().int().positive().max(TEN_MINUTES_MS).default(10_000),
    })
    .default({ enabled: true, ocr: true, facts: true, objects: false, maxBytes: 20 * 2 ** 20, maxPixels: 40_000_000, timeoutMs: 10_000 }),
  voice: z
    .strictObject({
      /** A local speech-to-text program and its arguments, `{wav}` for the audio file (no model ships with qunguard). */
      command: z.array(z.string().min(1)).min(1).optional(),
      timeoutMs: z.number().int().positive().max(TEN_MINUTES_MS).default(30_000),
    })
    .default({ timeoutMs: 30_000 }),
  /** A learned policy (qunguard learn) whose rules run next to the keyword rules, under supervision. */
  policy: z.string().min(1).optional(),
  /**
   * Several WeChat accounts guarding the same groups from this process (docs/accounts.md). Absent:
   * one account, on the puppet `--puppet` or $WECHATY_PUPPET names.
   */
  accounts: z
    .strictObject({
      /** How often each account says it is alive; three missed beats and its work moves to another. */
      heartbeatSeconds: z.number().int().min(1).max(3600).default(30),
      /** An account that has not carried an action out within this is failed over. */
      actionTimeoutSeconds: z.number().int().min(1).max(600).default(30),
      list: z
        .array(
          z.strictObject({
            /** The account's name in the log and its login file (letters, digits, - and _). */
            name: z.string().regex(/^[\w-]{1,40}$/, 'letters, digits, - and _ only (at most 40)'),
            /** Puppet package. @default --puppet, $WECHATY_PUPPET or wechaty-puppet-wechat4u */
            puppet: z.string().min(1).optional(),
            /** The environment variable holding the puppet's token, if it needs one (the token is never written here). */
            tokenEnv: z
              .string()
              .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name')
              .optional(),
            /** What this account's puppet can do in WeChat, when known (removals go first to one that can). */
            can: z.strictObject({ remove: z.boolean(), recall: z.boolean(), invite: z.boolean() }).optional(),
          }),
        )
        .min(1)
        .max(20)
        .refine((l) => new Set(l.map((a) => a.name)).size === l.length, 'each account needs its own name'),
    })
    .optional(),
  supervision: SupervisionSchema.default(SupervisionSchema.parse({})),
})
export type Config = z.infer<typeof ConfigSchema>

/** The embedded queue's bounds with their defaults, and a warning for the deprecated `queueLimit`. */
export function queueSettings(config: Pick<Config, 'queue' | 'queueLimit'>): {
  memoryPerLane: number
  memoryTotal: number
  warnings: string[]
} {
  const warnings: string[] = []
  let memoryTotal = config.queue.memoryTotal
  if (config.queueLimit !== undefined) {
    warnings.push(
      memoryTotal === undefined
        ? `queueLimit is deprecated: write queue: { memoryTotal: ${config.queueLimit} } (events beyond it now wait in the store, none is refused)`
        : 'queueLimit is deprecated and ignored: queue.memoryTotal is set',
    )
    memoryTotal ??= config.queueLimit
  }
  memoryTotal ??= 10_000
  const memoryPerLane = config.queue.memoryPerLane ?? Math.min(1000, memoryTotal)
  if (memoryPerLane > memoryTotal)
    warnings.push(`queue.memoryPerLane (${memoryPerLane}) is over queue.memoryTotal (${memoryTotal}): a lane holds at most the total`)
  return { memoryPerLane: Math.min(memoryPerLane, memoryTotal), memoryTotal, warnings }
}

/** Newcomer verification, as configured for a room. */
export interface VerificationConfig {
  readonly enabled: boolean
  readonly minutes: number
  readonly question?: string | undefined
  readonly answers?: readonly string[] | undefined
  readonly onTimeout: 'remove' | 'alert-owner'
  readonly mode: 'active' | 'shadow'
  readonly exemptInvitedByStaff: boolean
}

/** A room's effective settings after merging "*" and the room's own entry. */
export interface RoomConfig {
  readonly mode: RoomMode
  readonly escalation: readonly LadderStep[]
  readonly offenceWindowDays: number
  readonly quiet: boolean
  readonly whitelist: readonly string[]
  readonly admins: readonly string[]
  readonly owner: string | undefined
  readonly rules: readonly KeywordRule[]
  readonly privacy: { readonly action: 'recall' | 'alert-owner' | 'off'; readonly kinds: readonly PiiKind[] }
  readonly blacklist: { readonly action: 'remove' | 'ask-owner' | 'off'; readonly trust: readonly string[] }
  readonly welcome: { readonly enabled: boolean; readonly text?: string | undefined }
  readonly verification: VerificationConfig
  readonly cleanup: { readonly enabled: boolean; readonly minutes: number }
  readonly limits: LimitsConfig | undefined
  readonly reports: {
    readonly enabled: boolean
    readonly threshold: number
    readonly trusted: readonly string[]
    readonly trustedWeight: number
    readonly windowHours: number
  }
  readonly rulesOnRequest: boolean
  readonly pictures: {
    readonly ocrOnRequest: boolean
    readonly selfieScore: boolean
    readonly nsfw: 'recall' | 'alert-owner' | 'off'
    readonly nsfwThreshold: number
  }
}

export const ROOM_DEFAULTS: RoomConfig = {
  mode: 'active',
  escalation: ['warn', 'warn', 'remove'],
  offenceWindowDays: 30,
  quiet: false,
  whitelist: [],
  admins: [],
  owner: undefined,
  rules: [],
  privacy: { action: 'recall', kinds: ['id-card', 'bank-card', 'plate'] },
  blacklist: { action: 'ask-owner', trust: [] },
  welcome: { enabled: false },
  verification: { enabled: false, minutes: 10, onTimeout: 'remove', mode: 'active', exemptInvitedByStaff: true },
  cleanup: { enabled: false, minutes: 10 },
  limits: undefined,
  reports: { enabled: true, threshold: 3, trusted: [], trustedWeight: 2, windowHours: 24 },
  rulesOnRequest: true,
  pictures: { ocrOnRequest: true, selfieScore: false, nsfw: 'recall', nsfwThreshold: 0.8 },
}

/** One thing wrong in a config, where it is (`path`), and for an unknown key the key itself. */
export interface ConfigIssue {
  readonly path: readonly (string | number)[]
  /** Set for an unknown key: the position to show is the key's own. */
  readonly key?: string | undefined
  readonly message: string
}

export class ConfigError extends Error {
  override name = 'ConfigError'
  /** What is wrong, field by field (empty when the file could not be read or parsed at all). */
  readonly issues: readonly ConfigIssue[]
  constructor(message: string, options?: { cause?: unknown; issues?: readonly ConfigIssue[] }) {
    super(message, options)
    this.issues = options?.issues ?? []
  }
}

/** `groups.周末群.rules.0.any`, or `(top level)`. */
export function formatPath(path: readonly (string | number)[]): string {
  return path.map(String).join('.') || '(top level)'
}

export const formatIssue = (i: ConfigIssue): string => `${formatPath(i.path)}: ${i.message}`

type SchemaDef = {
  type: string
  shape?: Record<string, z.ZodType>
  valueType?: z.ZodType
  element?: z.ZodType
  innerType?: z.ZodType
  in?: z.ZodType
}
const defOf = (s: z.ZodType): SchemaDef => (s as unknown as { _zod: { def: SchemaDef } })._zod.def

/** The keys the schema allows at a path (through records, arrays, defaults and optionals). */
function keysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let s: z.ZodType | undefined = schema
  let i = 0
  while (s) {
    const d = defOf(s)
    const inner = d.innerType ?? d.in
    if (inner) {
      s = inner
      continue
    }
    if (i === path.length) return d.type === 'object' ? Object.keys(d.shape ?? {}) : []
    const step = path[i++] as string | number
    s = d.type === 'object' ? d.shape?.[String(step)] : d.type === 'record' ? d.valueType : d.type === 'array' ? d.element : undefined
  }
  return []
}

/** The allowed key closest to a misspelt one, if it is close enough to be what was meant. */
export function didYouMean(key: string, allowed: readonly string[]): string | undefined {
  if (allowed.length === 0) return undefined
  const lower = key.toLowerCase()
  const best = closest(
    lower,
    allowed.map((a) => a.toLowerCase()),
  )
  const found = allowed.find((a) => a.toLowerCase() === best)
  return found !== undefined && distance(lower, best) <= Math.max(2, Math.floor(key.length / 3)) ? found : undefined
}

function issuesOf(error: z.ZodError): ConfigIssue[] {
  const out: ConfigIssue[] = []
  for (const i of error.issues) {
    const path = i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))
    if (i.code !== 'unrecognized_keys') {
      out.push({ path, message: i.message })
      continue
    }
    const allowed = keysAt(ConfigSchema, path)
    for (const key of i.keys) {
      const guess = didYouMean(key, allowed)
      out.push({
        path,
        key,
        message: `unknown key "${key}"${guess ? ` — did you mean "${guess}"?` : allowed.length ? ` (known keys: ${allowed.join(', ')})` : ''}`,
      })
    }
  }
  return out
}

/** Validates a parsed YAML/JSON document; throws ConfigError naming the bad field. */
export function parseConfig(doc: unknown): Config {
  const r = ConfigSchema.safeParse(doc ?? {})
  const issues = r.success ? [] : issuesOf(r.error)
  if (r.success) {
    for (const [room, g] of Object.entries(r.data.groups)) {
      const seen = new Set<string>()
      for (const [n, rule] of (g.rules ?? []).entries()) {
        if (seen.has(rule.id)) issues.push({ path: ['groups', room, 'rules', n, 'id'], message: `duplicate rule id "${rule.id}"` })
        seen.add(rule.id)
      }
    }
  }
  if (issues.length || !r.success) throw new ConfigError(`invalid config: ${issues.map(formatIssue).join('; ')}`, { issues })
  return r.data
}

/**
 * Keywords that look like regular expressions: they are matched as literal text after
 * normalisation, so `\d+` is the letter d and `(a+)+$` the letter a.
 */
const REGEX_LIKE = /\\[dDwWsSbBpP]|[\])]\s*[*+?]|[.][*+?]|\[[^\]]+\]|\{\d+(,\d*)?\}|^\^|\$$|\|/

/** Things a valid config probably does not mean (shown by `doctor` and when a command loads it). */
export function configWarnings(config: Config): ConfigIssue[] {
  const out: ConfigIssue[] = []
  for (const [group, g] of Object.entries(config.groups)) {
    for (const [n, rule] of (g.rules ?? []).entries()) {
      for (const role of ['any', 'all', 'exclude'] as const) {
        for (const [k, word] of rule[role].entries()) {
          if (!REGEX_LIKE.test(word)) continue
          out.push({
            path: ['groups', group, 'rules', n, role, k],
            message: `keyword ${visible(word)} looks like a regular expression, but keywords are plain text: it is matched as ${visible(normalizeText(word))} (its normalised form)`,
          })
        }
      }
    }
  }
  return out
}

/** Same group name, whatever the width of its characters and the spaces around it. */
const sameName = (a: string, b: string) => a.normalize('NFKC').trim() === b.normalize('NFKC').trim()

/**
 * Which entry of `groups` applies to a room: its id, else its name (the room's topic), else "*".
 * Keys that are names let owners write `"周末亲子活动群":` without looking up the room id.
 */
export function groupKey(config: Config, room: string, topic?: string | undefined): string {
  if (config.groups[room] !== undefined) return room
  if (topic?.trim()) {
    for (const key of Object.keys(config.groups)) if (key !== '*' && sameName(key, topic)) return key
  }
  return '*'
}

/** Each room's latest topic in a history (for groupKey when replaying or learning offline). */
export function roomTopics(events: Iterable<GroupEvent>): Map<string, string> {
  const topics = new Map<string, string>()
  for (const e of events) if (e.kind === 'room' && e.topic) topics.set(e.room, e.topic)
  return topics
}

/** A group the account is in, as the store knows it. */
export interface KnownGroup {
  readonly room: string
  readonly topic: string
}

/**
 * Entries of `groups` that match no known group, or whose name several groups share (each of
 * them gets the entry; keying it by room id tells them apart).
 */
export function groupKeyWarnings(config: Config, groups: readonly KnownGroup[]): ConfigIssue[] {
  const out: ConfigIssue[] = []
  if (groups.length === 0) return out
  for (const key of Object.keys(config.groups)) {
    if (key === '*' || groups.some((g) => g.room === key)) continue
    const named = groups.filter((g) => g.topic && sameName(g.topic, key))
    if (named.length === 0) {
      out.push({ path: ['groups', key], message: `no known group has this id or name (the account's groups are listed below)` })
    } else if (named.length > 1) {
      out.push({
        path: ['groups', key],
        message: `${named.length} groups are named "${key}" (${named.map((g) => g.room).join(', ')}): the entry applies to each; key it by room id to choose one`,
      })
    }
  }
  return out
}

/** Merges the "*" defaults with a room's own settings. */
export function resolveRoomConfig(config: Config, room: string): RoomConfig {
  const d = config.groups['*'] ?? {}
  const o = room === '*' ? {} : (config.groups[room] ?? {})
  const overridden = new Set((o.rules ?? []).map((r) => r.id))
  return {
    mode: o.mode ?? d.mode ?? ROOM_DEFAULTS.mode,
    escalation: o.escalation ?? d.escalation ?? ROOM_DEFAULTS.escalation,
    offenceWindowDays: o.offenceWindowDays ?? d.offenceWindowDays ?? ROOM_DEFAULTS.offenceWindowDays,
    quiet: o.quiet ?? d.quiet ?? ROOM_DEFAULTS.quiet,
    whitelist: [...(d.whitelist ?? []), ...(o.whitelist ?? [])],
    admins: [...(d.admins ?? []), ...(o.admins ?? [])],
    owner: o.owner ?? d.owner,
    // A room rule with the same id as a default rule replaces it.
    rules: [...(d.rules ?? []).filter((r) => !overridden.has(r.id)), ...(o.rules ?? [])],
    privacy: o.privacy ?? d.privacy ?? ROOM_DEFAULTS.privacy,
    blacklist: o.blacklist ?? d.blacklist ?? ROOM_DEFAULTS.blacklist,
    welcome: o.welcome ?? d.welcome ?? ROOM_DEFAULTS.welcome,
    verification: o.verification ?? d.verification ?? ROOM_DEFAULTS.verification,
    cleanup: o.cleanup ?? d.cleanup ?? ROOM_DEFAULTS.cleanup,
    limits: o.limits ?? d.limits ?? ROOM_DEFAULTS.limits,
    reports: o.reports ?? d.reports ?? ROOM_DEFAULTS.reports,
    rulesOnRequest: o.rulesOnRequest ?? d.rulesOnRequest ?? ROOM_DEFAULTS.rulesOnRequest,
    pictures: o.pictures ?? d.pictures ?? ROOM_DEFAULTS.pictures,
  }
}
