/**
 * Near-duplicate texts within a time window, for spotting ad campaigns: the same copy posted by
 * different members or in different rooms, with a changed phone number, price, name or a few
 * characters. MinHash over character 3-grams estimates how much two texts share (Jaccard), and
 * locality-sensitive hashing (8 bands of 4 of the 32 hashes) finds the candidates without
 * comparing every pair. Entries older than the window are dropped, so memory stays bounded by
 * the traffic of one window.
 *
 * @example
 *   const index = new NearDuplicateIndex({ windowMs: 7 * 86_400_000 })
 *   index.add('本店新品到货，电话 13800000001', { room: 'r1', sender: 'a', ms: 0 })
 *   index.add('本店新品到货!电话13900000002', { room: 'r2', sender: 'b', ms: 1000 }) // → [{ room: 'r1', sender: 'a', … }]
 */
import { fnv1a } from '../fnv.ts'

export interface TextSighting {
  readonly room: string
  readonly sender: string
  readonly ms: number
  /** Who posted it, when they did: a campaign rule counts the copies of members like those it is about. */
  readonly by?: SightingPoster | undefined
}

/** A text's poster as they were when they posted it. */
export interface SightingPoster {
  readonly staff: boolean
  /** How long they had been in the room (undefined when the join is not known). */
  readonly tenureMs?: number | undefined
  readonly via: 'qrcode' | 'invite' | 'unknown'
}

export interface NearDuplicateOptions {
  /** How long a text is remembered. */
  readonly windowMs: number
  /** The least share of 3-grams two texts must have in common (estimated). @default 0.6 */
  readonly similarity?: number
  /** Shorter texts (after normalising) are never compared: too little to tell a campaign. @default 10 */
  readonly minLength?: number
}

const HASHES = 32
const BANDS = 8
const ROWS = HASHES / BANDS
/** Most sightings kept per LSH bucket: a very common text must not make every lookup slow. */
const BUCKET_CAP = 32

// Odd multipliers and offsets for the 32 hash functions (fixed: the same signatures everywhere).
const MULT = Array.from({ length: HASHES }, (_, i) => (fnv1a(`mult${i}`) | 1) >>> 0)
const ADD = Array.from({ length: HASHES }, (_, i) => fnv1a(`add${i}`))

/** Text reduced for comparison: no spaces, punctuation, symbols or case; digit runs as one `0`. */
export function normaliseForDuplicates(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '')
    .replace(/\d+/g, '0')
}

function signature(key: string): Uint32Array {
  const sig = new Uint32Array(HASHES).fill(0xffffffff)
  const chars = [...key]
  for (let i = 0; i + 3 <= chars.length; i++) {
    const h = fnv1a(chars[i] + (chars[i + 1] as string) + chars[i + 2])
    for (let k = 0; k < HASHES; k++) {
      const v = (Math.imul(h, MULT[k] as number) + (ADD[k] as number)) >>> 0
      if (v < (sig[k] as number)) sig[k] = v
    }
  }
  return sig
}

/** A text's MinHash signature and its LSH band keys, or undefined for a text too short to compare. */
export function textSignature(text: string, minLength = 10): { sig: Uint32Array; bands: string[] } | undefined {
  const key = normaliseForDuplicates(text)
  if ([...key].length < minLength) return undefined
  const sig = signature(key)
  const bands: string[] = []
  for (let b = 0; b < BANDS; b++) bands.push(`${b}:${sig.subarray(b * ROWS, (b + 1) * ROWS).join(',')}`)
  return { sig, bands }
}

/** The estimated share of 3-grams two signatures' texts have in common. */
export function signatureSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let same = 0
  for (let k = 0; k < HASHES; k++) if (a[k] === b[k]) same++
  return same / HASHES
}

/**
 * Whether two signatures fall in one LSH bucket (all rows of some band equal): the texts a
 * `NearDuplicateIndex` compares at all. A near-duplicate is a pair that shares a band and is
 * alike enough (`signatureSimilarity`).
 */
export function shareBand(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  for (let band = 0; band < BANDS; band++) {
    let same = true
    for (let k = band * ROWS; k < (band + 1) * ROWS && same; k++) same = a[k] === b[k]
    if (same) return true
  }
  return false
}

/** A signature as a short string (base64 of its 32 words, little-endian: 172 characters), to keep with a member's activity. */
export function encodeSignature(sig: Uint32Array): string {
  let bytes = ''
  for (let k = 0; k < HASHES; k++) {
    const v = sig[k] as number
    bytes += String.fromCharCode(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24)
  }
  return btoa(bytes)
}

/** The signature `encodeSignature` wrote; undefined for anything else. */
export function decodeSignature(text: string): Uint32Array | undefined {
  let bytes: string
  try {
    bytes = atob(text)
  } catch {
    return undefined
  }
  if (bytes.length !== HASHES * 4) return undefined
  const sig = new Uint32Array(HASHES)
  for (let k = 0; k < HASHES; k++) {
    const at = k * 4
    sig[k] =
      (bytes.charCodeAt(at) | (bytes.charCodeAt(at + 1) << 8) | (bytes.charCodeAt(at + 2) << 16) | (bytes.charCodeAt(at + 3) << 24)) >>> 0
  }
  return sig
}

/** The least estimated share of 3-grams that makes two texts near-duplicates (the default). */
export const DUPLICATE_SIMILARITY = 0.6

/** How many sightings a lookup considers per LSH bucket (the newest). */
export const SIGHTINGS_PER_BAND = BUCKET_CAP

interface Entry extends TextSighting {
  readonly id: number
  readonly sig: Uint32Array
  readonly bands: readonly string[]
}

export class NearDuplicateIndex {
  private readonly entries = new Map<number, Entry>()
  private readonly buckets = new Map<string, number[]>()
  private readonly order: Entry[] = []
  private head = 0
  private nextId = 0
  private readonly similarity: number
  private readonly minLength: number

  constructor(private readonly options: NearDuplicateOptions) {
    this.similarity = options.similarity ?? DUPLICATE_SIMILARITY
    this.minLength = options.minLength ?? 10
  }

  /** Sightings still remembered. */
  get size(): number {
    return this.entries.size
  }

  /**
   * Records a text and returns the earlier sightings (within the window) of a near-identical
   * text. Sightings must come in time order.
   */
  add(text: string, at: TextSighting): TextSighting[] {
    this.expire(at.ms)
    const signed = textSignature(text, this.minLength)
    if (!signed) return []
    const { sig, bands } = signed
    const found = new Set<number>()
    const out: TextSighting[] = []
    for (const band of bands) {
      for (const id of this.buckets.get(band) ?? []) {
        if (found.has(id)) continue
        found.add(id)
        const e = this.entries.get(id)
        if (!e) continue
        if (signatureSimilarity(e.sig, sig) >= this.similarity) out.push({ room: e.room, sender: e.sender, ms: e.ms, by: e.by })
      }
    }
    const entry: Entry = { ...at, id: this.nextId++, sig, bands }
    this.entries.set(entry.id, entry)
    this.order.push(entry)
    for (const band of bands) {
      const ids = this.buckets.get(band)
      if (!ids) this.buckets.set(band, [entry.id])
      else {
        ids.push(entry.id)
        if (ids.length > BUCKET_CAP) ids.shift()
      }
    }
    return out
  }

  private expire(now: number): void {
    while (this.head < this.order.length && now - (this.order[this.head] as Entry).ms >= this.options.windowMs) {
      const e = this.order[this.head++] as Entry
      this.entries.delete(e.id)
      for (const band of e.bands) {
        const ids = this.buckets.get(band)
        if (!ids) continue
        const i = ids.indexOf(e.id)
        if (i >= 0) ids.splice(i, 1)
        if (!ids.length) this.buckets.delete(band)
      }
    }
    // Compact the queue now and then so it does not keep what it has let go.
    if (this.head > 4096 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head)
      this.head = 0
    }
  }
}
