/**
 * `qunguard backtest`: each rule of a learned policy against what the owner actually did in a
 * history — agreement, would-be false positives with examples — before it is switched on.
 */
import fs from 'node:fs'
import { useConfig } from '../../functions/adapters/local/config-file.ts'
import { groupKey, resolveRoomConfig, roomTopics } from '../../functions/domain/config.ts'
import { type BacktestReport, backtest } from '../../functions/domain/learning/backtest.ts'
import { qrFacts, readHistories } from './history-input.ts'
import { readPolicy } from './learn.ts'

export interface BacktestCommandOptions {
  readonly history: readonly string[]
  readonly policy: string
  readonly config?: string | undefined
  /** Where ./qunguard.yaml is looked for when `config` is not given. @default process.cwd() */
  readonly cwd?: string | undefined
  readonly examples?: number
  /** Also write the report as JSON here. */
  readonly json?: string | undefined
  readonly log?: (line: string) => void
  readonly progress?: boolean
}

export async function runBacktest(options: BacktestCommandOptions): Promise<{ report: BacktestReport; text: string }> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const policy = readPolicy(options.policy)
  const { events, media } = await readHistories(options.history, log)
  const qr = await qrFacts(events, media, log, options.progress ?? process.stderr.isTTY === true)
  const config = useConfig(options.config, log, { cwd: options.cwd }).config
  const topics = roomTopics(events)
  const report = backtest(events, policy, {
    examples: options.examples ?? 3,
    qr: (m) => qr.get(m.id),
    extraStaff: (room) => {
      const c = resolveRoomConfig(config, groupKey(config, room, topics.get(room)))
      return [...c.admins, ...c.whitelist, ...(c.owner ? [c.owner] : [])]
    },
  })
  if (options.json) fs.writeFileSync(options.json, `${JSON.stringify(report, null, 1)}\n`)
  return { report, text: formatBacktest(report) }
}

const pct = (x: number) => `${Math.round(x * 100)}%`

export function formatBacktest(report: BacktestReport): string {
  const lines: string[] = []
  for (const [room, r] of Object.entries(report.rooms)) {
    lines.push(`${room}  (${r.messages} members' messages, the owner acted on ${r.ownerActions})`)
    if (!r.rules.length) lines.push('  (no rules)')
    for (const rule of r.rules) {
      const share = r.ownerActions ? `, ${pct(rule.agreed / r.ownerActions)} of the owner's actions` : ''
      lines.push(
        `  [${rule.mode}] ${rule.id}: would fire ${rule.fired}×, owner agreed ${rule.agreed} (${pct(rule.agreement)})${share}; would-be false positives ${rule.falsePositiveCount}`,
      )
      for (const x of rule.falsePositives) lines.push(`      e.g. ${x.event} ${x.sender}: ${x.text}`)
    }
  }
  return lines.join('\n')
}
