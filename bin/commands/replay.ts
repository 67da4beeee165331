/**
 * `qunguard replay`: runs FORMAT.md histories through the guard with no WeChat, in time order,
 * and writes one decision line per action taken or proposed.
 */
import fs from 'node:fs'
import { loadConfigFile } from '../../functions/adapters/local/config-file.ts'
import { JsonlWriter } from '../../functions/adapters/local/jsonl-history.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { type Config, parseConfig } from '../../functions/domain/config.ts'
import type { Decision } from '../../functions/domain/events.ts'
import { Guard } from '../../functions/domain/guard.ts'
import { policyFromJson } from '../../functions/domain/learning/policy-file.ts'
import { PolicyRunner } from '../../functions/domain/learning/policy-runner.ts'
import { qrFacts, readHistories } from './history-input.ts'
import { Progress } from './progress.ts'

export interface ReplayOptions {
  readonly history: readonly string[]
  readonly config?: string | undefined
  readonly out: string
  /** SQLite file to keep the replay's state in. @default in memory */
  readonly store?: string | undefined
  /** Where problems and progress go. @default process.stderr */
  readonly log?: (line: string) => void
  readonly progress?: boolean
  /** A learned policy (policy.json) whose rules run next to the config's keyword rules. */
  readonly policy?: string | undefined
}

export interface ReplaySummary {
  readonly events: number
  readonly malformed: number
  readonly duplicates: number
  readonly decisions: number
  readonly byAction: Record<string, number>
  readonly seconds: number
}

/** Decision lines carry exactly the FORMAT.md fields, in its order. */
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

export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const config: Config = options.config ? loadConfigFile(options.config) : parseConfig({})
  const started = performance.now()

  const { events, malformed, media } = await readHistories(options.history, log)
  const showProgress = options.progress ?? process.stderr.isTTY === true
  const qr = options.policy ? await qrFacts(events, media, log, showProgress) : new Map<string, boolean>()

  const store = SqliteGuardStore.open(options.store ?? ':memory:')
  const out = new JsonlWriter(options.out)
  const guard = new Guard({ store, config })
  const learned = options.policy
    ? new PolicyRunner(policyFromJson(fs.readFileSync(options.policy, 'utf8')), { qr: (m) => qr.get(m.id) })
    : undefined
  const progress = new Progress('replay', events.length, showProgress)
  const byAction: Record<string, number> = {}
  let duplicates = 0
  try {
    for (const e of events) {
      const result = await guard.handleEvent(e)
      progress.tick()
      if (result.status === 'duplicate') duplicates++
      if (result.status !== 'stored') continue
      const decisions = result.decisions.map((d) => d.decision)
      // A learned rule speaks only where the keyword rules said nothing about the message.
      if (learned && decisions.length === 0) decisions.push(...learned.observe(e))
      else learned?.observe(e)
      for (const decision of decisions) {
        byAction[`${decision.action}/${decision.mode}`] = (byAction[`${decision.action}/${decision.mode}`] ?? 0) + 1
        await out.write(decisionLine(decision))
      }
    }
  } finally {
    progress.done()
    await out.close()
    await store.close()
  }
  return { events: events.length, malformed, duplicates, decisions: out.count, byAction, seconds: (performance.now() - started) / 1000 }
}
