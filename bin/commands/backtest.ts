/**
 * `qunguard backtest`: each rule of a learned policy against what the owner actually did in a
 * history — agreement, would-be false positives with examples — before it is switched on.
 */
import fs from 'node:fs'
import { useConfig } from '../../functions/adapters/local/config-file.ts'
import { backtestReportHtml } from '../../functions/console/report-html.ts'
import { groupKey, resolveRoomConfig, roomTopics } from '../../functions/domain/config.ts'
import { type BacktestReport, backtest } from '../../functions/domain/learning/backtest.ts'
import { count, FIGURES_LEGEND, ownerWords, percent } from '../../functions/domain/learning/figures.ts'
import { groupName, ruleName } from '../../functions/domain/owner-words.ts'
import { stateName } from '../../functions/domain/supervision/texts.ts'
import { qrFacts, readHistories } from './history-input.ts'
import { readPolicy } from './learn.ts'
import { writeWhole } from './replay.ts'

export interface BacktestCommandOptions {
  readonly history: readonly string[]
  readonly policy: string
  readonly config?: string | undefined
  /** Where ./qunguard.yaml is looked for when `config` is not given. @default process.cwd() */
  readonly cwd?: string | undefined
  readonly examples?: number
  /** Also write the report as JSON here. */
  readonly json?: string | undefined
  /** Also write the report as a self-contained HTML page here. */
  readonly html?: string | undefined
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
  if (options.html) writeWhole(options.html, await backtestReportHtml(report))
  return { report, text: formatBacktest(report) }
}

/** The report as owners read it: Chinese, groups by name, the figures of figures.ts with their legend. */
export function formatBacktest(report: BacktestReport): string {
  const lines: string[] = []
  for (const [room, r] of Object.entries(report.rooms)) {
    lines.push(`群「${groupName(r.topic, room)}」：成员消息 ${r.messages} 条；${ownerWords(r, r.actionRate)}`)
    if (!r.rules.length) lines.push('  （无规则）')
    for (const rule of r.rules) {
      const f = rule.figures
      const mistakes = f.estimatedMistakes === undefined ? '' : `，估计误判约 ${f.estimatedMistakes} 条`
      lines.push(
        `  [${stateName(rule.mode)}] ${ruleName(rule.id, { sentence: rule.sentence })}：会命中 ${f.matched} 次，群主处理 ${count(f.handled)} 次（处理率 ${percent(f.handledShare)}），估计准确率 ${percent(f.accuracy)}；群主未处理 ${rule.falsePositiveCount} 次${mistakes}`,
      )
      for (const x of rule.falsePositives) lines.push(`      例：${x.event} ${x.senderName ?? x.sender}：${x.text}`)
    }
  }
  lines.push(...FIGURES_LEGEND)
  return lines.join('\n')
}
