/**
 * Reading what the history commands take in: histories (time-ordered, malformed lines
 * reported with their numbers), the QR codes in their pictures, and labelled corpora.
 */
import fs from 'node:fs'
import path from 'node:path'
import { readHistory } from '../../functions/adapters/local/jsonl-history.ts'
import { ZxingQrReader } from '../../functions/adapters/local/zxing-qr-reader.ts'
import type { LabelledText } from '../../functions/domain/ad-classifier.ts'
import { type GroupEvent, toMillis } from '../../functions/domain/events.ts'
import { Progress } from './progress.ts'

const MAX_REPORTED = 50

/**
 * Reads histories into one time-ordered list (events with the same time keep their order).
 * `media` maps a message id to its picture's path (FORMAT.md paths are relative to the history file).
 */
export async function readHistories(
  files: readonly string[],
  log: (line: string) => void,
): Promise<{ events: GroupEvent[]; malformed: number; media: Map<string, string> }> {
  const events: GroupEvent[] = []
  const media = new Map<string, string>()
  let malformed = 0
  for (const file of files) {
    for await (const row of readHistory(file)) {
      if (row.event) {
        events.push(row.event)
        // The path as written (the event's own is masked): the file is found, the store never sees it.
        if (row.event.kind === 'message' && row.media) media.set(row.event.id, path.resolve(path.dirname(file), row.media))
      } else if (++malformed <= MAX_REPORTED) log(`${file}:${row.line}: skipped: ${row.error}`)
    }
  }
  if (malformed > MAX_REPORTED) log(`… and ${malformed - MAX_REPORTED} more malformed lines`)
  const keyed = events.map((e, i) => ({ e, t: toMillis(e.ts), i }))
  keyed.sort((a, b) => a.t - b.t || a.i - b.i)
  return { events: keyed.map((k) => k.e), malformed, media }
}

/**
 * Which pictures hold a QR code: each file decoded once. Missing or unreadable files stay
 * unknown (left out of the map) and are counted in the log.
 */
export async function qrFacts(
  events: readonly GroupEvent[],
  media: ReadonlyMap<string, string>,
  log: (line: string) => void,
  progress = false,
): Promise<Map<string, boolean>> {
  const images = events.filter((e) => e.kind === 'message' && e.type === 'image' && media.has(e.id))
  const out = new Map<string, boolean>()
  if (!images.length) return out
  const reader = await ZxingQrReader.create()
  const byFile = new Map<string, boolean | undefined>()
  let unreadable = 0
  const bar = new Progress('pictures', images.length, progress)
  for (const e of images) {
    const file = media.get(e.id) as string
    if (!byFile.has(file)) {
      try {
        byFile.set(file, (await reader.read(new Uint8Array(fs.readFileSync(file)))).length > 0)
      } catch {
        byFile.set(file, undefined)
        unreadable++
      }
    }
    const qr = byFile.get(file)
    if (qr !== undefined) out.set(e.id, qr)
    bar.tick()
  }
  bar.done()
  if (unreadable) log(`${unreadable} picture file(s) missing or unreadable: their QR codes are unknown`)
  return out
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
