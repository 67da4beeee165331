/**
 * `qunguard replay`: runs docs/format.md histories through the guard with no WeChat, in time order,
 * and writes one decision line per action taken or proposed.
 *
 * Supervision runs as it would live, on the events' own clock: shadow decisions become numbered
 * approval requests (from 1 in every run, so a replay is deterministic), `private` events are
 * the owners' messages — `Y1` approving request 1 writes a decision line for the original event
 * with `"mode":"active"` and the action carried out — and requests expire, rules are promoted
 * and demoted as the answers come.
 */

import fs from 'node:fs'
import { consoleAnalytics } from '../../bot-host/console/console-words.ts'
import { useConfig } from '../../functions/adapters/local/config-file.ts'
import { jiebaWords } from '../../functions/adapters/local/jieba-words.ts'
import { JsonlWriter } from '../../functions/adapters/local/jsonl-history.ts'
import { SqliteAnalyticsStore } from '../../functions/adapters/local/sqlite-analytics-store.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { MemoryApprovalStore } from '../../functions/adapters/memory/memory-approval-store.ts'
import { MemoryFactsStore } from '../../functions/adapters/memory/memory-facts-store.ts'
import { replayReportHtml } from '../../functions/console/report-html.ts'
import { localDay } from '../../functions/domain/analytics.ts'
import type { Config } from '../../functions/domain/config.ts'
import type { Decision, GroupEvent } from '../../functions/domain/events.ts'
import { policyFromJson } from '../../functions/domain/learning/policy-file.ts'
import { GuardSession } from '../../functions/domain/session.ts'
import type { SupervisorEffect } from '../../functions/domain/supervision/supervisor.ts'
import { type PictureRead, pictureReads, qrFacts, readHistories } from './history-input.ts'
import { Progress } from './progress.ts'

export interface ReplayOptions {
  readonly history: readonly string[]
  readonly config?: string | undefined
  /** Where ./qunguard.yaml is looked for when `config` is not given. @default process.cwd() */
  readonly cwd?: string | undefined
  readonly out: string
  /** SQLite file to keep the replay's state in; a run stopped part-way resumes from it. @default in memory */
  readonly store?: string | undefined
  /** Where problems and progress go. @default process.stderr */
  readonly log?: (line: string) => void
  readonly progress?: boolean
  /** A learned policy (policy.json) whose rules run next to the config's keyword rules. */
  readonly policy?: string | undefined
  /** Where the owner-facing messages go (requests, receipts, digests), one JSON line each. @default nowhere */
  readonly ownerLog?: string | undefined
  /** Events per SQLite transaction. @default 500 */
  readonly batchSize?: number | undefined
  /**
   * Read every picture with the embedded models (QR, OCR, faces, NSFW) and judge what they show,
   * as the live guard does. @default false: pictures' QR codes only, and only with a policy
   */
  readonly pictures?: boolean | undefined
  /** Also write the console's views of the run (each group's rules, decisions, analytics) into this self-contained HTML file. */
  readonly html?: string | undefined
}

export interface ReplaySummary {
  readonly events: number
  readonly malformed: number
  /** Lines repeating an event exactly (kept once). */
  readonly duplicates: number
  /** Lines (or stored events) reusing an id for a different event: reported, skipped. */
  readonly conflicts: number
  /** Events found in the store from an earlier run on it (a resumed replay): not judged again. */
  readonly resumed: number
  readonly decisions: number
  readonly byAction: Record<string, number>
  /** Private messages the guard would have sent owners. */
  readonly ownerMessages: number
  readonly seconds: number
}

/** The histories' pictures read with the embedded models; fails when they cannot load (asked for, not optional). */
async function readPictures(
  events: readonly GroupEvent[],
  media: ReadonlyMap<string, string>,
  log: (line: string) => void,
  progress: boolean,
): Promise<Map<string, PictureRead>> {
  const { localVision } = await import('../../functions/adapters/local/local-vision.ts')
  const vision = await localVision()
  const missing = Object.entries(vision.missing)
  if (missing.length) throw new Error(`--pictures: the picture models did not load: ${missing.map(([k, v]) => `${k}: ${v}`).join('; ')}`)
  return pictureReads(events, media, vision.inspector, log, progress)
}

/** Decision lines carry exactly the docs/format.md fields, in its order. */
export const decisionLine = (d: Decision): Decision => ({
  event: d.event,
  room: d.room,
  target: d.target,
  action: d.action,
  mode: d.mode,
  rule: d.rule,
  score: d.score,
  reason: d.reason,
})

/**
 * Test hook: `QUNGUARD_TEST_KILL_AFTER_EVENTS=n` makes replay kill its own process (SIGKILL, as
 * `kill -9` would) after handling n events, so tests can check what a resumed run writes.
 */
function killAfterEvents(): number | undefined {
  const raw = process.env.QUNGUARD_TEST_KILL_AFTER_EVENTS
  if (raw === undefined || raw === '') return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw new Error(`QUNGUARD_TEST_KILL_AFTER_EVENTS must be a positive whole number, not ${raw}`)
  return n
}

/**
 * Replays histories. Events and their decisions are committed to the store in batches; the
 * decisions file is written from the store once the run ends (a temporary file, flushed and
 * renamed), so a run killed part-way leaves the old file untouched and the next run on the same
 * store — which skips the events already stored and judges the rest — writes every decision of
 * the histories exactly once. Supervision, kept in memory, hears the stored decisions again.
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const killAfter = killAfterEvents()
  const batchSize = options.batchSize ?? 500
  const config: Config = useConfig(options.config, log, { cwd: options.cwd }).config
  const started = performance.now()

  const input = await readHistories(options.history, log)
  const { events, media } = input
  const showProgress = options.progress ?? process.stderr.isTTY === true
  const pictures = options.pictures ? await readPictures(events, media, log, showProgress) : undefined
  const qr = options.policy && !pictures ? await qrFacts(events, media, log, showProgress) : new Map<string, boolean>()

  const store = SqliteGuardStore.open(options.store ?? ':memory:')
  const ownerLog = options.ownerLog ? new JsonlWriter(options.ownerLog, { atomic: true }) : undefined
  const policy = options.policy ? policyFromJson(fs.readFileSync(options.policy, 'utf8'), jiebaWords) : undefined
  // A fresh approvals store every run: requests are numbered from 1, so a replay is deterministic;
  // so events stored by an earlier run on the store are put to supervision again.
  const session = new GuardSession({
    store,
    supervision: new MemoryApprovalStore(),
    config,
    policy,
    facts: new MemoryFactsStore(),
    rehearStored: true,
  })
  const progress = new Progress('replay', events.length, showProgress)
  /** Per room, the earliest local day this run stored events on: a kept analytics summary from there on is stale. */
  const addedFrom = new Map<string, string>()
  let conflicts = input.conflicts
  let duplicates = input.duplicates
  let resumed = 0
  let ownerMessages = 0
  /** Approved requests, written as active decisions after the stored decision they followed. */
  const approved: { after: number; decision: Decision }[] = []
  const skipped = new Set<string>()
  let lastDecision = 0
  const apply = async (effects: readonly SupervisorEffect[], ts: string) => {
    for (const e of effects) {
      if (e.kind === 'act') approved.push({ after: lastDecision, decision: { ...e.approval.request.decision, mode: 'active' } })
      else if (e.kind === 'invite')
        continue // inviting back happens in WeChat or not at all: nobody is told here
      else {
        ownerMessages++
        await ownerLog?.write({ ts, to: e.to, text: e.text })
      }
    }
  }
  let ok = false
  try {
    store.beginBatch()
    let handled = 0
    for (const e of events) {
      const at = new Date(e.ts)
      const read = pictures?.get(e.id)
      const features = read?.features ?? { qr: qr.get(e.id) }
      const { result, decisions, effects } = await session.handle(e, { at, features, picture: read?.report, tick: true })
      progress.tick()
      if (result.status === 'stored' && 'room' in e) {
        const day = localDay(e.ts, config.supervision.utcOffsetMinutes)
        if (day < (addedFrom.get(e.room) ?? '9999')) addedFrom.set(e.room, day)
      }
      if (result.status === 'duplicate')
        resumed++ // stored by an earlier run on this store: not judged again
      else if (result.status === 'conflict') {
        conflicts++
        skipped.add(e.id)
        log(
          `${input.origin.get(e.id)}: skipped: event id ${e.id} is in the store for a different event (${result.stored.kind} at ${result.stored.ts})`,
        )
      } else if (result.status !== 'stored') duplicates++
      for (const h of decisions) lastDecision = Math.max(lastDecision, h.id)
      await apply(effects, e.ts)
      handled++
      if (handled % batchSize === 0) {
        store.endBatch()
        store.beginBatch()
      }
      if (handled === killAfter) process.kill(process.pid, 'SIGKILL')
    }
    store.endBatch()
    // The console's analytics read those days again (their kept summaries predate these events).
    if (options.store && options.store !== ':memory:' && addedFrom.size) {
      const days = SqliteAnalyticsStore.open(options.store)
      for (const [room, day] of addedFrom) await days.forgetFrom(room, day)
      await days.close()
    }
    ok = true
  } finally {
    progress.done()
    if (ok) await ownerLog?.close()
    else {
      await ownerLog?.discard()
      await store.close()
    }
  }

  // The decisions file, from the store: every decision on this run's events, in the order taken.
  const out = new JsonlWriter(options.out, { atomic: true })
  const byAction: Record<string, number> = {}
  const write = async (decision: Decision) => {
    byAction[`${decision.action}/${decision.mode}`] = (byAction[`${decision.action}/${decision.mode}`] ?? 0) + 1
    await out.write(decisionLine(decision))
  }
  try {
    const mine = new Set(events.map((e) => e.id).filter((id) => !skipped.has(id)))
    let next = 0
    for (const d of await store.listDecisions()) {
      if (!mine.has(d.event)) continue
      while (next < approved.length && (approved[next]?.after ?? 0) < d.id)
        await write((approved[next++] as (typeof approved)[number]).decision)
      await write(d)
    }
    while (next < approved.length) await write((approved[next++] as (typeof approved)[number]).decision)
    await out.close()
    if (options.html) {
      const page = await replayReportHtml({
        rooms: await session.supervisor.groupsOf(),
        eventsOf: (room) => store.listEvents({ room }),
        decisionsOf: (room) => store.listDecisions({ room }),
        analytics: consoleAnalytics(config.supervision.utcOffsetMinutes),
      })
      writeWhole(options.html, page)
    }
  } catch (e) {
    await out.discard()
    throw e
  } finally {
    await store.close()
  }
  return {
    events: events.length,
    malformed: input.malformed,
    duplicates,
    conflicts,
    resumed,
    decisions: out.count,
    byAction,
    ownerMessages,
    seconds: (performance.now() - started) / 1000,
  }
}

/** Writes a file whole or not at all: a temporary file beside it, then renamed over it. */
export function writeWhole(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, text)
  fs.renameSync(tmp, file)
}
