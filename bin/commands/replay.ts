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
import { useConfig } from '../../functions/adapters/local/config-file.ts'
import { jiebaWords } from '../../functions/adapters/local/jieba-words.ts'
import { JsonlWriter } from '../../functions/adapters/local/jsonl-history.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { MemoryApprovalStore } from '../../functions/adapters/memory/memory-approval-store.ts'
import type { Config } from '../../functions/domain/config.ts'
import type { Decision } from '../../functions/domain/events.ts'
import { Guard } from '../../functions/domain/guard.ts'
import { policyFromJson } from '../../functions/domain/learning/policy-file.ts'
import { supervisorFor } from '../../functions/domain/supervision/catalogue.ts'
import type { SupervisorEffect } from '../../functions/domain/supervision/supervisor.ts'
import { qrFacts, readHistories } from './history-input.ts'
import { Progress } from './progress.ts'

export interface ReplayOptions {
  readonly history: readonly string[]
  readonly config?: string | undefined
  /** Where ./qunguard.yaml is looked for when `config` is not given. @default process.cwd() */
  readonly cwd?: string | undefined
  readonly out: string
  /** SQLite file to keep the replay's state in. @default in memory */
  readonly store?: string | undefined
  /** Where problems and progress go. @default process.stderr */
  readonly log?: (line: string) => void
  readonly progress?: boolean
  /** A learned policy (policy.json) whose rules run next to the config's keyword rules. */
  readonly policy?: string | undefined
  /** Where the owner-facing messages go (requests, receipts, digests), one JSON line each. @default nowhere */
  readonly ownerLog?: string | undefined
}

export interface ReplaySummary {
  readonly events: number
  readonly malformed: number
  readonly duplicates: number
  readonly decisions: number
  readonly byAction: Record<string, number>
  /** Private messages the guard would have sent owners. */
  readonly ownerMessages: number
  readonly seconds: number
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

export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const config: Config = useConfig(options.config, log, { cwd: options.cwd }).config
  const started = performance.now()

  const { events, malformed, media } = await readHistories(options.history, log)
  const showProgress = options.progress ?? process.stderr.isTTY === true
  const qr = options.policy ? await qrFacts(events, media, log, showProgress) : new Map<string, boolean>()

  const store = SqliteGuardStore.open(options.store ?? ':memory:')
  const out = new JsonlWriter(options.out)
  const ownerLog = options.ownerLog ? new JsonlWriter(options.ownerLog) : undefined
  const policy = options.policy ? policyFromJson(fs.readFileSync(options.policy, 'utf8'), jiebaWords) : undefined
  // A fresh approvals store every run: requests are numbered from 1, so a replay is deterministic.
  const supervisor = supervisorFor(config, new MemoryApprovalStore(), { policy })
  const guard = new Guard({ store, config, learned: policy, supervision: supervisor })
  const progress = new Progress('replay', events.length, showProgress)
  const byAction: Record<string, number> = {}
  let duplicates = 0
  let ownerMessages = 0
  const write = async (decision: Decision) => {
    byAction[`${decision.action}/${decision.mode}`] = (byAction[`${decision.action}/${decision.mode}`] ?? 0) + 1
    await out.write(decisionLine(decision))
  }
  const apply = async (effects: readonly SupervisorEffect[], ts: string) => {
    for (const e of effects) {
      if (e.kind === 'act') await write({ ...e.approval.request.decision, mode: 'active' })
      else {
        ownerMessages++
        await ownerLog?.write({ ts, to: e.to, text: e.text })
      }
    }
  }
  try {
    for (const e of events) {
      const at = new Date(e.ts)
      supervisor.observe(e)
      await apply(await supervisor.tick(at), e.ts)
      const result = await guard.handleEvent(e, { qr: qr.get(e.id) })
      progress.tick()
      if (result.status === 'duplicate') duplicates++
      if (result.status !== 'stored') continue
      for (const h of result.decisions) {
        await write(h.decision)
        await apply(await supervisor.onDecision(h, at), e.ts)
      }
      if (e.kind === 'private') await apply(await supervisor.onPrivate(e, at), e.ts)
    }
  } finally {
    progress.done()
    await out.close()
    await ownerLog?.close()
    await store.close()
  }
  return {
    events: events.length,
    malformed,
    duplicates,
    decisions: out.count,
    byAction,
    ownerMessages,
    seconds: (performance.now() - started) / 1000,
  }
}
