/**
 * The console's pages (console-app.ts serves them; report-html.ts writes some of them into one
 * file): server-rendered HTML with Hono's `html` template, which escapes everything interpolated.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { html, raw } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import type { analyse } from '../domain/analytics.ts'
import type { RuleBacktest } from '../domain/learning/backtest.ts'
import { count, FIGURES_LEGEND, percent } from '../domain/learning/figures.ts'
import { stepName, withoutEvidence } from '../domain/owner-words.ts'
import { maskPii } from '../domain/privacy.ts'
import { precisionOf } from '../domain/supervision/lifecycle.ts'
import type { ListedRoom } from '../domain/supervision/texts.ts'
import type { ApprovalRecord } from '../ports/approval-store.port.ts'
import type { BlacklistEntry, MemberRecord, StoredDecision } from '../ports/guard-store.port.ts'

export type Page = HtmlEscapedString | Promise<HtmlEscapedString>

export const RULE_COMMANDS = ['启用', '试运行', '停用', '暂停', '恢复']

/** How far back the analytics page looks. */
export const ANALYTICS_DAYS = 90

export const ASSETS: readonly [string, string][] = [
  ['echarts.min.js', 'echarts/dist/echarts.min.js'],
  ['echarts-wordcloud.min.js', 'echarts-wordcloud/dist/echarts-wordcloud.min.js'],
]
const assets = new Map<string, string>()
const requireAsset = createRequire(import.meta.url)
export function asset(module: string): string {
  let text = assets.get(module)
  if (text === undefined) {
    // From the installed package; in a Lambda bundle, the copy shipped next to it (GuardFunction `assets`).
    const bundled = new URL(`./${path.basename(module)}`, import.meta.url)
    text = fs.readFileSync(fs.existsSync(bundled) ? bundled : requireAsset.resolve(module), 'utf8')
    assets.set(module, text)
  }
  return text
}

/** JSON for a <script> block: nothing in it can end the block. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c')

/** What the charts draw for one group's analytics, as the page's script reads it. */
function chartData(a: ReturnType<typeof analyse>) {
  return {
    heatmap: a.heatmap.flatMap((row, d) => row.map((v, h) => [h, d, v])),
    days: a.days.map((d) => d.day),
    messages: a.days.map((d) => d.messages),
    active: a.days.map((d) => d.active),
    joined: a.days.map((d) => d.joined),
    actions: ['warn', 'remove', 'recall', 'alert-owner'].map((act) => ({
      name: stepName(act),
      data: a.days.map((d) => d.actions[act] ?? 0),
    })),
    words: a.words.map((w) => ({ name: w.word, value: w.count })),
    // Shares of the day's text messages, in percent.
    pleased: a.days.map((d) => (d.mood.texts ? Math.round((1000 * d.mood.positive) / d.mood.texts) / 10 : 0)),
    annoyed: a.days.map((d) => (d.mood.texts ? Math.round((1000 * d.mood.negative) / d.mood.texts) / 10 : 0)),
  }
}

/** Draws one group's charts into the elements `<id>-heatmap` … (defined once per page, after ECharts). */
const CHARTS_SCRIPT = `
const week = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const hours = Array.from({ length: 24 }, (_, h) => h + '时');
function qunguardCharts(id, data) {
  const chart = (part, option) => { const c = echarts.init(document.getElementById(id + '-' + part)); c.setOption(option); window.addEventListener('resize', () => c.resize()); };
  chart('heatmap', { tooltip: {}, grid: { left: 50, right: 10, bottom: 60 }, xAxis: { type: 'category', data: hours }, yAxis: { type: 'category', data: week },
    visualMap: { min: 0, max: Math.max(1, ...data.heatmap.map((x) => x[2])), orient: 'horizontal', left: 'center', bottom: 0, calculable: true },
    series: [{ type: 'heatmap', data: data.heatmap }] });
  chart('perday', { tooltip: { trigger: 'axis' }, legend: {}, xAxis: { type: 'category', data: data.days }, yAxis: { type: 'value' },
    series: [{ name: '消息', type: 'line', data: data.messages }, { name: '活跃成员', type: 'line', data: data.active }, { name: '新成员', type: 'bar', data: data.joined }] });
  chart('actions', { tooltip: { trigger: 'axis' }, legend: {}, xAxis: { type: 'category', data: data.days }, yAxis: { type: 'value' },
    series: data.actions.map((s) => ({ name: s.name, type: 'bar', stack: 'all', data: s.data })) });
  chart('mood', { tooltip: { trigger: 'axis', valueFormatter: (v) => v + '%' }, legend: {}, xAxis: { type: 'category', data: data.days }, yAxis: { type: 'value', axisLabel: { formatter: '{value}%' } },
    series: [{ name: '正面', type: 'line', data: data.pleased, color: '#3a8a3a' }, { name: '负面', type: 'line', data: data.annoyed, color: '#c0392b' }] });
  chart('words', { series: [{ type: 'wordCloud', data: data.words, sizeRange: [12, 48], gridSize: 6, textStyle: { color: () => 'hsl(' + Math.round(Math.random() * 160 + 100) + ',55%,35%)' } }] });
}
`

/** ECharts, the word cloud and the drawing function: served by the console, or written into a self-contained file. */
export function chartScripts(inline: boolean, nonce?: string | undefined) {
  const n = nonceAttr(nonce)
  const lib = inline
    ? html`<script>${raw(ASSETS.map(([, module]) => asset(module)).join('\n;\n'))}</script>`
    : html`${ASSETS.map(([name]) => html`<script src="/assets/${name}"></script>`)}`
  return html`${lib}<script${n}>${raw(CHARTS_SCRIPT)}</script>`
}

/** The page's script nonce as an attribute (the console's Content-Security-Policy allows only those inline scripts). */
const nonceAttr = (nonce: string | undefined) => (nonce ? raw(` nonce="${nonce.replace(/[^A-Za-z0-9+/=]/g, '')}"`) : '')

/** One group's analytics: the figures in words, the charts (after `chartScripts`), the top posters. */
export function analyticsSection(
  a: ReturnType<typeof analyse>,
  id: string,
  span = `最近 ${ANALYTICS_DAYS} 天`,
  nonce?: string | undefined,
) {
  const n = a.newcomers
  const share = (x: number) => (n.joined ? `${Math.round((100 * x) / n.joined)}%` : '—')
  return html`<p>${span}：${a.messages} 条消息。入群满一周的新成员 ${n.joined} 人，一周后仍在群里 ${share(n.stayed)}，一周后还发过言 ${share(n.spoke)}。</p>
<h3>活跃时段（星期 × 小时）</h3><div id="${id}-heatmap" class="chart"></div>
<h3>每天的消息、活跃成员与新成员</h3><div id="${id}-perday" class="chart"></div>
<h3>每天的处理</h3><div id="${id}-actions" class="chart"></div>
<h3>群聊情绪（每天正面、负面文字消息的比例）</h3><div id="${id}-mood" class="chart"></div>
<p class="note">情绪由一个情绪词典粗读（含否定词、程度词）：在 300 条人工标注的群聊消息上，判对 65%（全部判为“中性”也能对 70%），判为正面的只有约四分之一确实正面，负面消息只认出四分之一。只适合看长期的升降，不要用来评判某个成员。</p>
<h3>常用词</h3><div id="${id}-words" class="chart"></div>
<h3>发言最多的成员</h3>
<table><tr><th>成员</th><th>消息</th></tr>${a.topPosters.map((p) => html`<tr><td>${p.name}</td><td>${p.messages}</td></tr>`)}</table>
<script${nonceAttr(nonce)}>qunguardCharts(${raw(scriptJson(id))}, ${raw(scriptJson(chartData(a)))});</script>`
}

export function analyticsPage(room: ListedRoom, rooms: readonly ListedRoom[], a: ReturnType<typeof analyse>, nonce?: string | undefined) {
  return html`<form method="get" action="/analytics"><select name="room">${rooms.map(
    (r) => html`<option value="${r.room}" ${r.room === room.room ? 'selected' : ''}>${r.ref} ${r.topic}</option>`,
  )}</select> <button type="submit">查看</button></form>
${chartScripts(false, nonce)}
${analyticsSection(a, 'g', undefined, nonce)}
<script${nonceAttr(nonce)}>document.body.dataset.charts = 'ready';</script>`
}

export function layout(title: string, body: Page, nav: { csrf: string; readOnly: boolean; flash?: string | undefined } | undefined) {
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · qunguard</title>
<style>
  body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
  header { background: #1f6f43; color: #fff; padding: .6rem 1rem; display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
  header a { color: #fff; text-decoration: none; }
  header strong { margin-right: auto; }
  main { padding: 1rem; max-width: 72rem; margin: 0 auto; }
  table { border-collapse: collapse; width: 100%; background: #fff; margin-bottom: 1rem; }
  th, td { border-bottom: 1px solid #d0d7de; padding: .4rem .5rem; text-align: left; vertical-align: top; font-size: .95rem; }
  th { background: #eaeef2; }
  .flash { background: #dafbe1; border: 1px solid #4ac26b; padding: .5rem; margin-bottom: 1rem; }
  tr.this { background: #fff8c5; }
  .note { color: #57606a; font-size: .9rem; }
  form.inline { display: inline; }
  button { margin: .1rem; padding: .25rem .6rem; }
  .state-active { color: #1a7f37; } .state-shadow { color: #9a6700; } .state-retired { color: #57606a; }
  .chart { width: 100%; height: 320px; background: #fff; margin-bottom: 1rem; }
  @media (max-width: 40rem) { .wide { display: none; } .chart { height: 260px; } }
</style>
</head>
<body>
<header><strong>qunguard 群守卫</strong>${
    nav
      ? html`<a href="/groups">群</a><a href="/rules">规则</a><a href="/decisions">处理记录</a><a href="/approvals">审批</a><a href="/members">成员</a><a href="/analytics">分析</a>`
      : ''
  }</header>
<main>
${nav?.flash ? html`<div class="flash">已执行：${nav.flash}</div>` : ''}
${nav?.readOnly ? html`<p class="note">只读：守卫不在这个进程里运行，回答审批、切换规则请在微信私聊里进行，或用 <code>qunguard start --console</code> 打开控制台。</p>` : ''}
<h1>${title}</h1>
${body}
</main>
</body>
</html>`
}

export function loginPage(wrong: boolean) {
  return html`${wrong ? html`<p class="flash">令牌不对，请再试一次。</p>` : ''}
<form method="post" action="/login">
  <label>控制台令牌（启动时打印在终端里）<br><input name="token" type="password" autocomplete="current-password" size="40" required></label>
  <button type="submit">登录</button>
</form>`
}

export function groupsPage(rows: readonly { r: ListedRoom; decisions: readonly StoredDecision[]; open: number }[]) {
  if (!rows.length) return html`<p>你管理的群里还没有记录。</p>`
  return html`<table>
<tr><th>编号</th><th>群</th><th>待审批</th><th>处理（警告 / 移出 / 撤回 / 提醒）</th><th class="wide">规则</th><th class="wide">模式</th></tr>
${rows.map(({ r, decisions, open }) => {
  const count = (action: string) => decisions.filter((d) => d.action === action && d.mode === 'active').length
  return html`<tr><td>${r.ref}</td><td><a href="/decisions?room=${encodeURIComponent(r.room)}">${r.topic}</a></td><td>${open}</td>
<td>${count('warn')} / ${count('remove')} / ${count('recall')} / ${count('alert-owner')}</td><td class="wide">${r.rules.length}</td><td class="wide">${r.quiet ? '安静模式' : '正常'}</td></tr>`
})}
</table>`
}

export function rulesPage(
  rooms: readonly ListedRoom[],
  csrfToken: string,
  readOnly: boolean,
  /** Whether a rule of a room can be backtested (a learned rule, or a keyword rule of the config). */
  testable: (room: string, rule: string) => boolean = () => false,
) {
  if (!rooms.length) return html`<p>你管理的群里还没有规则。</p>`
  return html`${rooms.map(
    (r) => html`<h2>${r.ref} ${r.topic}</h2>${
      r.chat
        ? html`<p class="note">聊天中设置：${r.chat}${
            testable(r.room, 'owner-keywords') && !r.rules.some((x) => x.record.rule === 'owner-keywords')
              ? html` <a href="/backtest?room=${encodeURIComponent(r.room)}&rule=owner-keywords">回测聊天中加的关键词</a>`
              : ''
          }</p>`
        : ''
    }
<table>
<tr><th class="wide">编号</th><th>规则</th><th>状态</th><th class="wide">触发 / 同意 / 拒绝 / 过期</th><th class="wide">准确率（下限）</th><th>切换</th></tr>
${r.rules.map((x) => {
  const rec = x.record
  const answered = rec.approved + rec.rejected
  const p = precisionOf(rec)
  const state = rec.paused ? '暂停' : STATE_WORDS[rec.state]
  const tested = testable(r.room, rec.rule)
    ? html` <a href="/backtest?room=${encodeURIComponent(r.room)}&rule=${encodeURIComponent(rec.rule)}" data-backtest="${x.ref}">回测</a>`
    : ''
  return html`<tr><td class="wide">${x.ref}</td><td>${x.name}${tested}</td><td class="state-${rec.state}">${state}</td>
<td class="wide">${rec.fired} / ${rec.approved} / ${rec.rejected} / ${rec.expired}</td>
<td class="wide">${answered ? `${Math.round(p.estimate * 100)}%（${Math.round(p.lower * 100)}%）` : '—'}</td>
<td>${
    readOnly
      ? ''
      : RULE_COMMANDS.map(
          (command) =>
            html`<form class="inline" method="post" action="/rules"><input type="hidden" name="csrf" value="${csrfToken}"><input type="hidden" name="ref" value="${x.ref}"><input type="hidden" name="command" value="${command}"><button type="submit" data-rule="${x.ref}" data-command="${command}">${command}</button></form>`,
        )
  }</td></tr>`
})}
</table>`,
  )}
${
  readOnly
    ? ''
    : rooms.map(
        (
          r,
        ) => html`<form method="post" action="/keywords" class="keywords"><input type="hidden" name="csrf" value="${csrfToken}"><input type="hidden" name="ref" value="${r.ref}">
<label>${r.ref} ${r.topic} 的关键词：<input name="words" placeholder="代购 微商" required></label>
<button type="submit" name="change" value="add">加关键词</button><button type="submit" name="change" value="remove">删关键词</button></form>`,
      )
}
<p class="note">启用：规则自己处理；试运行：只提议，等你审批；停用：关闭；暂停/恢复：临时停一停。准确率按你的同意与拒绝估计，括号里是 Wilson 下限。</p>`
}

const STATE_WORDS: Record<string, string> = { active: '启用', shadow: '试运行', retired: '停用' }

/** 标为误判: the owner's N on the request a decision opened, while it is open. */
export function markWrong(d: StoredDecision, answer: { readonly open: ReadonlyMap<number, number>; readonly csrf: string } | undefined) {
  if (!answer || d.action === 'reply') return ''
  const n = answer.open.get(d.id)
  // No request open for it (answered, expired, or never asked): 误判 D<id>, which teaches the rule's record the same way.
  if (n === undefined)
    return html`<form class="inline" method="post" action="/decisions/${d.id}/wrong"><input type="hidden" name="csrf" value="${answer.csrf}"><button type="submit" data-wrong="${d.id}">标为误判</button></form>`
  const label = d.mode === 'active' ? `标为误判 N${n}` : `拒绝 N${n}`
  return html`<form class="inline" method="post" action="/approvals/${n}"><input type="hidden" name="csrf" value="${answer.csrf}"><input type="hidden" name="verdict" value="N"><button type="submit" data-wrong="${d.id}">${label}</button></form>`
}

export function membersPage(
  who: string,
  histories: readonly {
    member: string
    name: string
    records: readonly MemberRecord[]
    decisions: readonly StoredDecision[]
    /** Reports of them by other members (举报), by room. */
    reports?: readonly { room: string; reporter: string; ms: number }[]
    /** Their appeals (申诉) the viewer was asked about. */
    appeals?: readonly ApprovalRecord[]
    /** On the viewer's blacklist. */
    blacklisted?: BlacklistEntry | undefined
  }[],
  topics: ReadonlyMap<string, string>,
  found: number,
  time: (ts: string | undefined) => string,
) {
  const route = (v: string) => ({ invite: '邀请', qrcode: '扫码', snapshot: '启动时已在群', unknown: '未知' })[v] ?? v
  return html`<form method="get" action="/members"><input name="who" value="${who}" placeholder="昵称或微信号" required> <button type="submit">查找</button></form>
${who && !found ? html`<p>在你的群里没有找到「${who}」。</p>` : ''}
${found > histories.length ? html`<p class="note">找到 ${found} 人，只显示前 ${histories.length} 人：请写完整的昵称或微信号。</p>` : ''}
${histories.map(
  (h) => html`<h2>${maskPii(h.name)}</h2>
<table><tr><th>群</th><th>入群</th><th>方式（邀请人）</th><th>离开</th></tr>
${h.records.map(
  (m) =>
    html`<tr><td>${topics.get(m.room) ?? m.room}</td><td>${time(m.joinedAt)}</td><td>${route(m.via)}${m.inviter ? `（${m.inviter}）` : ''}</td><td>${m.leftAt ? `${time(m.leftAt)}${m.remover ? ' 被移出' : ''}` : ''}</td></tr>`,
)}</table>
<table><tr><th>时间</th><th>群</th><th>处理</th><th>规则</th><th>理由</th></tr>
${h.decisions.map(
  (d) =>
    html`<tr><td>${time(d.ts)}</td><td>${topics.get(d.room) ?? d.room}</td><td>${stepName(d.action)}${d.mode === 'shadow' ? '（试运行）' : ''}</td><td>${d.rule}</td><td>${d.reason}</td></tr>`,
)}
${h.decisions.length ? '' : html`<tr><td colspan="5">没有处理记录</td></tr>`}</table>
${h.blacklisted ? html`<p>在你的黑名单上：${time(h.blacklisted.ts)} 在「${topics.get(h.blacklisted.room) ?? h.blacklisted.room}」因违规被移出${h.blacklisted.rule ? `（${h.blacklisted.rule}）` : ''}。</p>` : ''}
<table><tr><th>时间</th><th>群</th><th>举报与申诉</th></tr>
${(h.reports ?? []).map((r) => html`<tr><td>${time(new Date(r.ms).toISOString())}</td><td>${topics.get(r.room) ?? r.room}</td><td>被成员举报</td></tr>`)}
${(h.appeals ?? []).map(
  (a) =>
    html`<tr><td>${time(a.createdAt)}</td><td>${topics.get(a.room) ?? a.room}</td><td>申诉 #${a.number}：对「${stepName(a.request.decision.action)}」${{ open: '等你回复', approved: '已同意（撤销处理）', rejected: '已驳回', expired: '已过期' }[a.status] ?? a.status}</td></tr>`,
)}
${(h.reports ?? []).length + (h.appeals ?? []).length ? '' : html`<tr><td colspan="3">没有举报或申诉</td></tr>`}</table>`,
)}`
}

export function approvalsPage(
  open: readonly {
    number: number
    room: string
    rule: string
    summary?: string | undefined
    deadline: string
    done?: boolean | undefined
  }[],
  topics: ReadonlyMap<string, string>,
  csrfToken: string,
  readOnly: boolean,
  time: (ts: string | undefined) => string,
) {
  if (!open.length) return html`<p>没有待审批的请求。</p>`
  return html`<table>
<tr><th>编号</th><th class="wide">群</th><th>内容</th><th class="wide">截止</th><th>回答</th></tr>
${open.map(
  (
    o,
  ) => html`<tr><td>#${o.number}</td><td class="wide">${topics.get(o.room) ?? o.room}</td><td>${maskPii(o.summary ?? o.rule)}${o.done ? html`<br><span class="note">已执行，回复 N 标记为误判</span>` : ''}</td>
<td class="wide">${time(o.deadline)}</td>
<td>${
    readOnly
      ? ''
      : (['Y', 'N'] as const).map(
          (v) =>
            html`<form class="inline" method="post" action="/approvals/${o.number}"><input type="hidden" name="csrf" value="${csrfToken}"><input type="hidden" name="verdict" value="${v}"><button type="submit" data-answer="${v}${o.number}">${v === 'Y' ? '同意' : '拒绝'} ${v}${o.number}</button></form>`,
        )
  }</td></tr>`,
)}
</table>`
}

export function decisionsPage(
  shown: readonly StoredDecision[],
  total: number,
  texts: ReadonlyMap<string, string>,
  topics: ReadonlyMap<string, string>,
  filter: { room?: string | undefined; rule?: string | undefined; action?: string | undefined },
  time: (ts: string | undefined) => string,
  answer?: { readonly open: ReadonlyMap<number, number>; readonly csrf: string },
) {
  return html`<form method="get" action="/decisions">
<select name="room"><option value="">全部群</option>${[...topics].map(
    ([id, topic]) => html`<option value="${id}" ${filter.room === id ? 'selected' : ''}>${topic}</option>`,
  )}</select>
<select name="action"><option value="">全部处理</option>${['warn', 'remove', 'recall', 'alert-owner', 'ask-owner', 'reply'].map(
    (a) => html`<option value="${a}" ${filter.action === a ? 'selected' : ''}>${stepName(a)}</option>`,
  )}</select>
<input name="rule" placeholder="规则编号或名称" value="${filter.rule ?? ''}">
<button type="submit">筛选</button></form>
${decisionsTable(shown, total, texts, topics, time, answer)}`
}

/** Decisions, newest first, with the message each was about. */
export function decisionsTable(
  shown: readonly StoredDecision[],
  total: number,
  texts: ReadonlyMap<string, string>,
  topics: ReadonlyMap<string, string>,
  time: (ts: string | undefined) => string,
  answer?: { readonly open: ReadonlyMap<number, number>; readonly csrf: string },
) {
  return html`<p class="note">共 ${total} 条，显示最新 ${shown.length} 条。</p>
<table>
<tr><th>编号</th><th class="wide">时间</th><th class="wide">群</th><th>处理</th><th>消息</th><th class="wide">规则</th><th>理由</th></tr>
${shown.map(
  (
    d,
  ) => html`<tr><td><a href="/decisions/${d.id}">D${d.id}</a></td><td class="wide">${time(d.ts)}</td><td class="wide">${topics.get(d.room) ?? d.room}</td><td>${stepName(d.action)}${d.mode === 'shadow' ? '（试运行）' : ''}</td>
<td>${texts.get(d.event) ?? ''}</td><td class="wide">${d.rule}</td><td>${d.reason}${markWrong(d, answer)}</td></tr>`,
)}
</table>`
}

/** One decision, its message among the messages around it in the group (that one marked), and 标为误判. */
export function decisionPage(
  d: StoredDecision,
  topic: string,
  lines: readonly { time: string; who: string; text: string; it: boolean }[],
  time: (ts: string | undefined) => string,
  answer?: { readonly open: ReadonlyMap<number, number>; readonly csrf: string },
  said?: { readonly number: number; readonly status: string; readonly done: boolean },
) {
  const verdict: Record<string, string> = said?.done
    ? { open: '待你复核', approved: '你确认了', rejected: '你标为误判', expired: '没有复核（已过期）' }
    : { open: '等你审批', approved: '你同意了', rejected: '你拒绝了', expired: '没有回复（已过期）' }
  return html`<h2>D${d.id} ${topic}</h2>
<p>${time(d.ts)} · ${stepName(d.action)}${d.mode === 'shadow' ? '（试运行）' : ''} · 规则 ${d.rule} · ${d.reason} ${markWrong(d, answer)}</p>
<p>群主：${said ? `#${said.number} ${verdict[said.status] ?? said.status}` : '没有问过你'}</p>
<h3>前后的消息</h3>
<table><tr><th class="wide">时间</th><th>成员</th><th>消息</th></tr>${lines.map(
    (l) =>
      html`<tr${l.it ? html` class="this"` : ''}><td class="wide">${l.time}</td><td>${l.who}</td><td>${l.it ? html`<strong>${l.text}</strong>` : l.text}</td></tr>`,
  )}${lines.length ? '' : html`<tr><td colspan="3">这条消息不在记录里</td></tr>`}</table>
<p><a href="/decisions?room=${encodeURIComponent(d.room)}">返回处理记录</a></p>`
}

/** A learned rule backtested on the group's stored history: the figures owners read (figures.ts), and its would-be false positives. */
export function backtestPage(room: ListedRoom, sentence: string, r: RuleBacktest | undefined, events: number) {
  if (!r) return html`<p>这条规则在这段历史里没有可回测的消息。</p>`
  const f = r.figures
  return html`<h2>${room.ref} ${room.topic}</h2><p>${withoutEvidence(sentence)}</p>
<p>在已存的 ${events} 个事件里：会命中 ${f.matched} 次，群主处理 ${count(f.handled)} 次（处理率 ${percent(f.handledShare)}），估计准确率 ${percent(f.accuracy)}；群主未处理 ${r.falsePositiveCount} 次${
    f.estimatedMistakes === undefined ? '' : `，估计误判约 ${f.estimatedMistakes} 条`
  }。</p>
<h3>群主没有处理、规则会处理的消息（可能的误判）</h3>
<table><tr><th>成员</th><th>消息</th></tr>${r.falsePositives.map(
    (x) => html`<tr><td>${maskPii(x.senderName ?? x.sender)}</td><td>${maskPii(x.text)}</td></tr>`,
  )}${r.falsePositives.length ? '' : html`<tr><td colspan="2">没有</td></tr>`}</table>
<p class="note">${FIGURES_LEGEND.join(' ')}</p>`
}
