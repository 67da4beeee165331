/**
 * The console's views written into one self-contained HTML file (no server, no network: ECharts
 * inlined): `qunguard replay --html F` — each group's rules with their records, its decisions and
 * its analytics over the replayed history — and `qunguard backtest --html F` — each rule of a
 * learned policy against what the owner did, with would-be false positives.
 */
import { html } from 'hono/html'
import { type AnalyticsOptions, analyse } from '../domain/analytics.ts'
import type { GroupEvent } from '../domain/events.ts'
import type { BacktestReport } from '../domain/learning/backtest.ts'
import { count, FIGURES_LEGEND, ownerWords, percent } from '../domain/learning/figures.ts'
import { groupName, ruleName } from '../domain/owner-words.ts'
import { maskPii } from '../domain/privacy.ts'
import type { ListedRoom } from '../domain/supervision/texts.ts'
import { stateName } from '../domain/supervision/texts.ts'
import type { StoredDecision } from '../ports/guard-store.port.ts'
import { analyticsSection, chartScripts, decisionsTable, layout, rulesPage } from './pages.ts'

export interface ReplayReportInput {
  /** Every group of the run, with its rules' records (Supervisor.groupsOf()). */
  readonly rooms: readonly ListedRoom[]
  readonly eventsOf: (room: string) => Promise<GroupEvent[]>
  readonly decisionsOf: (room: string) => Promise<StoredDecision[]>
  readonly analytics: Omit<AnalyticsOptions, 'topPosters' | 'topWords'>
  /** Decisions shown per group (the newest). @default 500 */
  readonly decisionsShown?: number
}

export async function replayReportHtml(input: ReplayReportInput): Promise<string> {
  const offset = input.analytics.utcOffsetMinutes
  const time = (ts: string | undefined) =>
    ts ? new Date(Date.parse(ts) + offset * 60_000).toISOString().slice(0, 16).replace('T', ' ') : ''
  const sections = []
  for (const [i, room] of input.rooms.entries()) {
    const events = await input.eventsOf(room.room)
    const decisions = await input.decisionsOf(room.room)
    const texts = new Map<string, string>()
    for (const e of events) if (e.kind === 'message') texts.set(e.id, maskPii(e.text ?? `[${e.type}]`))
    const shown = decisions.slice(-(input.decisionsShown ?? 500)).reverse()
    const topics = new Map([[room.room, room.topic]])
    sections.push(html`<section><h2>${room.ref} ${room.topic}</h2>
${rulesPage([room], '', true)}
<h3>处理记录</h3>${decisionsTable(shown, decisions.length, texts, topics, time)}
<h3>分析</h3>${analyticsSection(analyse(events, decisions, input.analytics), `g${i + 1}`, '这段历史里')}</section>`)
  }
  const body = html`${chartScripts(true)}${sections.length ? sections : html`<p>这段历史里没有群。</p>`}`
  return String(await layout('qunguard 回放报告', body, undefined))
}

export async function backtestReportHtml(report: BacktestReport): Promise<string> {
  const body = html`${Object.entries(report.rooms).map(
    ([room, r]) => html`<section><h2>${groupName(r.topic, room)}</h2><p>成员消息 ${r.messages} 条；${ownerWords(r, r.actionRate)}</p>
<table><tr><th>规则</th><th>状态</th><th>会命中</th><th>群主处理（处理率）</th><th>估计准确率</th><th>群主未处理</th></tr>
${r.rules.map((rule) => {
  const f = rule.figures
  return html`<tr><td>${ruleName(rule.id, { sentence: rule.sentence })}</td><td>${stateName(rule.mode)}</td><td>${f.matched}</td>
<td>${count(f.handled)}（${percent(f.handledShare)}）</td><td>${percent(f.accuracy)}</td><td>${rule.falsePositiveCount}${
    f.estimatedMistakes === undefined ? '' : `（估计误判约 ${f.estimatedMistakes} 条）`
  }</td></tr>${
    rule.falsePositives.length
      ? html`<tr><td colspan="6" class="note">会误判的例子：${rule.falsePositives.map(
          (x) => html`<br>${x.event} ${maskPii(x.senderName ?? x.sender)}：${maskPii(x.text)}`,
        )}</td></tr>`
      : ''
  }`
})}
${r.rules.length ? '' : html`<tr><td colspan="6">（无规则）</td></tr>`}</table></section>`,
  )}
<p class="note">${FIGURES_LEGEND.join(' ')}</p>`
  return String(await layout('qunguard 回测报告', body, undefined))
}
