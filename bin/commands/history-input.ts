/**
 * Reading what the history commands take in: histories (time-ordered, malformed lines
 * reported with their numbers), the QR codes in their pictures, and labelled corpora.
 */
import fs from 'node:fs'
import path from 'node:path'
import { checkInputFile, InputFileError, readHistory } from '../../functions/adapters/local/jsonl-history.ts'
import { ZxingQrReader } from '../../functions/adapters/local/zxing-qr-reader.ts'
import type { LabelledText } from '../../functions/domain/ad-classifier.ts'
import { type GroupEvent, toMillis } from '../../functions/domain/events.ts'
import { fnv1a } from '../../functions/domain/fnv.ts'
import type { MessageFeatures } from '../../functions/domain/policy.ts'
import type { PictureInspector, PictureReport } from '../../functions/domain/vision/inspector.ts'
import { pictureFeatures } from '../../functions/domain/vision/picture-features.ts'
import { Progress } from './progress.ts'

const MAX_REPORTED = 50
/** Pictures larger than this are not read (the embedded guard's own default, `vision.maxBytes`). */
const MAX_PICTURE_BYTES = 20 * 2 ** 20

export interface HistoryInput {
  /** Time-ordered; an id seen again is kept once, the first time it appears. */
  readonly events: GroupEvent[]
  /** Lines skipped as malformed, over-long, or reusing an id for a different event (`conflicts`). */
  readonly malformed: number
  /** Lines repeating an earlier event exactly (same id, same content): kept once. */
  readonly duplicates: number
  /** Lines whose id an earlier line used for a different event: reported and skipped. */
  readonly conflicts: number
  /** A message id's picture file, resolved inside its history's folder. */
  readonly media: Map<string, string>
  /** Where each event came from (`file:line`), for reports. */
  readonly origin: Map<string, string>
}

/** Whether `file` (resolved) lies inside `dir`. */
export function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file)
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
}

/**
 * Reads histories into one time-ordered list (events with the same time keep their order).
 * `media` maps a message id to its picture's path: docs/format.md paths are relative to the history
 * file, and a path leading out of its folder (`../…`, `/dev/zero`) is reported and ignored.
 * An id seen again with the same content is counted as a duplicate; with different content it is
 * reported with both line numbers and skipped (the first one stays).
 */
export async function readHistories(files: readonly string[], log: (line: string) => void): Promise<HistoryInput> {
  const events: GroupEvent[] = []
  const media = new Map<string, string>()
  const origin = new Map<string, string>()
  const seen = new Map<string, number>()
  let malformed = 0
  let duplicates = 0
  let conflicts = 0
  const report = (line: string) => {
    if (++malformed <= MAX_REPORTED) log(line)
  }
  for (const file of files) {
    const dir = path.resolve(path.dirname(file))
    for await (const row of readHistory(file)) {
      const at = `${file}:${row.line}`
      if (!row.event) {
        report(`${at}: skipped: ${row.error}`)
        continue
      }
      const e = row.event
      const hash = fnv1a(JSON.stringify(e))
      const before = seen.get(e.id)
      if (before !== undefined) {
        if (before === hash) duplicates++
        else {
          conflicts++
          report(`${at}: skipped: event id ${e.id} was used by ${origin.get(e.id)} for a different event`)
        }
        continue
      }
      seen.set(e.id, hash)
      origin.set(e.id, at)
      events.push(e)
      // The path as written (the event's own is masked): the file is found, the store never sees it.
      const written = row.media ?? (e.kind === 'message' ? e.media : undefined)
      if (e.kind === 'message' && written) {
        const file = path.resolve(dir, written)
        if (isInside(dir, file)) media.set(e.id, file)
        else if (++malformed <= MAX_REPORTED) log(`${at}: media path ${JSON.stringify(e.media)} is outside the history's folder: ignored`)
      }
    }
  }
  if (malformed > MAX_REPORTED) log(`… and ${malformed - MAX_REPORTED} more problems`)
  const keyed = events.map((e, i) => ({ e, t: toMillis(e.ts), i }))
  keyed.sort((a, b) => a.t - b.t || a.i - b.i)
  return { events: keyed.map((k) => k.e), malformed, duplicates, conflicts, media, origin }
}

/**
 * Reads one picture of a history: a regular file (links followed; not a pipe or device) no
 * larger than `maxBytes`. Throws `InputFileError` otherwise.
 */
export async function readPicture(file: string, maxBytes = MAX_PICTURE_BYTES): Promise<Uint8Array> {
  await checkInputFile(file, 'picture', maxBytes)
  return new Uint8Array(await fs.promises.readFile(file))
}

/**
 * Which pictures hold a QR code: each file decoded once. Missing, unreadable, too large or
 * not-regular files stay unknown (left out of the map) and are counted in the log.
 */
export async function qrFacts(
  events: readonly GroupEvent[],
  media: ReadonlyMap<string, string>,
  log: (line: string) => void,
  progress = false,
): Promise<Map<string, boolean>> {
  if (!events.some((e) => e.kind === 'message' && e.type === 'image' && media.has(e.id))) return new Map()
  const reader = await ZxingQrReader.create()
  return eachPictureOnce(events, media, log, progress, 'their QR codes are unknown', async (bytes) => (await reader.read(bytes)).length > 0)
}

/** Reads `{"text","label"}` lines; lines without a spam/ham label are skipped and reported. */
export function readCorpus(file: string, log: (line: string) => void): LabelledText[] {
  const out: LabelledText[] = []
  let skipped = 0
  for (const [i, line] of fs.readFileSync(file, 'utf8').split('\n').entries()) {
    if (!line.trim()) continue
    try {
      const r = JSON.parse(line) as { text?: unknown; label?: unknown }
      if (typeof r.text === 'string' && (r.label === 'spam' || r.label === 'ham')) out.push({ text: r.text, label: r.label })
      else if (++skipped <= 10) log(`${file}:${i + 1}: skipped: needs "text" and "label": "spam" | "ham"`)
    } catch {
      if (++skipped <= 10) log(`${file}:${i + 1}: skipped: not JSON`)
    }
  }
  return out
}

/** What the embedded models read from a history's picture: its features for the rules and its report for 识别 / 评分. */
export interface PictureRead {
  readonly features: MessageFeatures
  readonly report: PictureReport
}

/**
 * Every picture of the histories read with the embedded models (`replay --pictures`): the same
 * PictureInspector, features and picture memory as the live guard, so a replay judges a picture's
 * text, QR codes, personal numbers and NSFW score as `npm start` would. A file read once per path.
 */
export async function pictureReads(
  events: readonly GroupEvent[],
  media: ReadonlyMap<string, string>,
  inspector: PictureInspector,
  log: (line: string) => void,
  progress = false,
): Promise<Map<string, PictureRead>> {
  return eachPictureOnce(events, media, log, progress, 'judged without what they show', async (bytes, file) => {
    // Quality (the selfie score) only where a face was found, as the live guard does.
    const report = await inspector.inspect(bytes, { quality: 'faces' })
    for (const p of report.problems.slice(0, MAX_REPORTED)) log(`${file}: ${p.step}: ${p.kind}: ${p.message}`)
    return { features: pictureFeatures(report), report }
  })
}

/**
 * `read` run on every image message's file, each file once (by path), with a progress bar:
 * a result per event id. Missing, unreadable, too large or not-regular files are left out of
 * the map and counted in the log (`unknown` says what that means for them).
 */
async function eachPictureOnce<T>(
  events: readonly GroupEvent[],
  media: ReadonlyMap<string, string>,
  log: (line: string) => void,
  progress: boolean,
  unknown: string,
  read: (bytes: Uint8Array, file: string) => Promise<T>,
): Promise<Map<string, T>> {
  const images = events.filter((e) => e.kind === 'message' && e.type === 'image' && media.has(e.id))
  const out = new Map<string, T>()
  const byFile = new Map<string, T | undefined>()
  let unreadable = 0
  const bar = new Progress('pictures', images.length, progress)
  for (const e of images) {
    const file = media.get(e.id) as string
    if (!byFile.has(file)) {
      try {
        byFile.set(file, await read(await readPicture(file), file))
      } catch (err) {
        byFile.set(file, undefined)
        if (err instanceof InputFileError && unreadable < MAX_REPORTED) log(err.message)
        unreadable++
      }
    }
    const value = byFile.get(file)
    if (value !== undefined) out.set(e.id, value)
    bar.tick()
  }
  bar.done()
  if (unreadable) log(`${unreadable} picture file(s) missing or unreadable: ${unknown}`)
  return out
}
