/**
 * The owner's console (docs/console.md): server-rendered Chinese pages on Hono — the groups an
 * owner manages, their rulebooks with records and Wilson bounds, the guard's decisions with the
 * message they were about, and the requests waiting for an answer. Answers and rule switches are
 * the owner's own words (`Y3`, `启用 R2`) handed to the guard as if sent in the private chat, so
 * they have exactly the effect they have there.
 *
 * Security: every page needs the console's token — `Authorization: Bearer <token>`, or the login
 * form, which sets an HttpOnly, SameSite=Strict session cookie (a keyed hash of the token, never
 * the token). A change made with the cookie must carry the page's CSRF token (a keyed hash too)
 * and come from the console's own origin. The console shows only the groups its WeChat id owns or
 * administers (`viewer`), personal numbers masked as everywhere. No third-party assets.
 *
 * @example
 *   const app = consoleApp({ viewer: 'wxid_owner', supervisor: () => plugin.supervisor, store, say }, { token })
 *   serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 8787 })
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import { Hono } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { csrf } from 'hono/csrf'
import { html, raw } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import { type AnalyticsOptions, analyse } from '../../functions/domain/analytics.ts'
import { stepName } from '../../functions/domain/owner-words.ts'
import { maskPii } from '../../functions/domain/privacy.ts'
import { precisionOf } from '../../functions/domain/supervision/lifecycle.ts'
import type { Supervisor } from '../../functions/domain/supervision/supervisor.ts'
import type { ListedRoom } from '../../functions/domain/supervision/texts.ts'
import type { GuardStore, MemberRecord, StoredDecision } from '../../functions/ports/guard-store.port.ts'

export interface ConsoleBackend {
  /** The WeChat id the console acts as: an owner or admin of the groups it shows. */
  readonly viewer: string
  /** The guard's supervisor (rules, records, requests). */
  readonly supervisor: () => Supervisor
  readonly store: Pick<GuardStore, 'listDecisions' | 'getEvent' | 'listEvents' | 'findMembers' | 'getMember'>
  /** What the analytics page needs: Chinese words of a text, the stop words, the owners' UTC offset. @default no analytics page */
  readonly analytics?: Omit<AnalyticsOptions, 'topPosters' | 'topWords'> | undefined
  /** The owners' offset from UTC, for the times shown. @default 480 (China) */
  readonly utcOffsetMinutes?: number | undefined
  /** Hands the viewer's words to the guard as a private message (`Y3`, `启用 R2`) and waits for it to be handled; undefined: read-only. */
  readonly say?: ((text: string) => Promise<void>) | undefined
}

export interface ConsoleOptions {
  readonly token: string
}

const COOKIE = 'qunguard_session'
type Page = HtmlEscapedString | Promise<HtmlEscapedString>

export function consoleApp(backend: ConsoleBackend, options: ConsoleOptions): Hono {
  if (options.token.length < 16) throw new Error('the console token must be at least 16 characters')
  const keyed = (what: string) => createHmac('sha256', options.token).update(what).digest('hex')
  const session = keyed('session')
  const csrfToken = keyed('csrf')
  const same = (a: string | undefined, b: string) => {
    if (a === undefined || a.length !== b.length) return false
    return timingSafeEqual(Buffer.from(a), Buffer.from(b))
  }

  const app = new Hono()
  // Changes only from the console's own pages (the Origin header), whoever is logged in.
  app.use(csrf())
  app.get('/login', (c) => c.html(layout('登录', loginPage(c.req.query('wrong') !== undefined), undefined)))
  app.post('/login', async (c) => {
    const form = await c.req.parseBody()
    if (!same(typeof form.token === 'string' ? form.token : undefined, options.token)) return c.redirect('/login?wrong', 303)
    setCookie(c, COOKIE, session, { httpOnly: true, sameSite: 'Strict', path: '/' })
    return c.redirect('/groups', 303)
  })
  // Everything else needs the token: as a bearer (scripts), or the session cookie (the browser).
  app.use('*', async (c, next) => {
    const auth = c.req.header('authorization')
    const bearer = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined
    if (bearer !== undefined && same(bearer, options.token)) return next()
    if (same(getCookie(c, COOKIE), session)) {
      // With the cookie, a change must carry the page's token too.
      if (c.req.method === 'POST') {
        const form = await c.req.parseBody()
        if (!same(typeof form.csrf === 'string' ? form.csrf : undefined, csrfToken)) return c.text('CSRF token missing or wrong', 403)
      }
      return next()
    }
    return c.req.header('accept')?.includes('text/html') ? c.redirect('/login', 303) : c.text('unauthorized', 401)
  })

  const groups = () => backend.supervisor().groupsOf(backend.viewer)
  const offset = backend.utcOffsetMinutes ?? backend.analytics?.utcOffsetMinutes ?? 480
  // Times as the owner reads them: local, to the minute.
  const t = (ts: string | undefined) => (ts ? new Date(Date.parse(ts) + offset * 60_000).toISOString().slice(0, 16).replace('T', ' ') : '')
  const nav = (flash?: string) => ({ csrf: csrfToken, readOnly: !backend.say, flash })

  app.get('/', (c) => c.redirect('/groups', 303))
  app.get('/groups', async (c) => {
    const rooms = await groups()
    const open = await backend.supervisor().openRequestsOf(backend.viewer)
    const rows = []
    for (const r of rooms) {
      const decisions = await backend.store.listDecisions({ room: r.room })
      rows.push({ r, decisions, open: open.filter((o) => o.room === r.room).length })
    }
    return c.html(layout('群', groupsPage(rows), nav(c.req.query('done'))))
  })
  app.get('/rules', async (c) => c.html(layout('规则', rulesPage(await groups(), csrfToken, !backend.say), nav(c.req.query('done')))))
  app.post('/rules', async (c) => {
    const form = await c.req.parseBody()
    const command = String(form.command ?? '')
    const ref = String(form.ref ?? '')
    if (!RULE_COMMANDS.includes(command) || !/^R\d+$/.test(ref)) return c.text('unknown rule command', 400)
    if (!backend.say) return c.text('read-only console: the guard is not running here', 409)
    await backend.say(`${command} ${ref}`)
    return c.redirect(`/rules?done=${encodeURIComponent(`${command} ${ref}`)}`, 303)
  })
  app.post('/keywords', async (c) => {
    const form = await c.req.parseBody()
    const ref = String(form.ref ?? '')
    const add = form.change === 'add'
    const words = String(form.words ?? '')
      .split(/[\s,，、]+/u)
      .filter(Boolean)
    if (!/^G\d+$/.test(ref) || !words.length || (form.change !== 'add' && form.change !== 'remove'))
      return c.text('write the keywords to add or remove', 400)
    if (!backend.say) return c.text('read-only console: the guard is not running here', 409)
    const said = `${add ? '加关键词' : '删关键词'} ${ref} ${words.join(' ')}`
    await backend.say(said)
    return c.redirect(`/rules?done=${encodeURIComponent(said)}`, 303)
  })
  app.get('/members', async (c) => {
    const rooms = await groups()
    const topics = new Map(rooms.map((r) => [r.room, r.topic]))
    const who = (c.req.query('who') ?? '').trim()
    const found = new Map<string, string>() // member → a name they go by
    if (who)
      for (const r of rooms)
        for (const m of await backend.store.findMembers(r.room, who, { withLeft: true }))
          found.set(m.member, m.name ?? found.get(m.member) ?? m.member)
    const histories = []
    for (const [member, name] of [...found].slice(0, 5)) {
      const records = []
      for (const r of rooms) {
        const m = await backend.store.getMember(r.room, member)
        if (m) records.push(m)
      }
      const decisions = (await backend.store.listDecisions({ target: member })).filter((d) => topics.has(d.room))
      histories.push({ member, name, records, decisions })
    }
    return c.html(layout('成员', membersPage(who, histories, topics, found.size, t), nav()))
  })
  app.get('/approvals', async (c) => {
    const open = await backend.supervisor().openRequestsOf(backend.viewer)
    const topics = new Map((await groups()).map((r) => [r.room, r.topic]))
    return c.html(layout('审批', approvalsPage(open, topics, csrfToken, !backend.say, t), nav(c.req.query('done'))))
  })
  app.post('/approvals/:n', async (c) => {
    const n = Number(c.req.param('n'))
    const form = await c.req.parseBody()
    const verdict = form.verdict === 'Y' ? 'Y' : form.verdict === 'N' ? 'N' : undefined
    if (!Number.isInteger(n) || n < 1 || !verdict) return c.text('unknown answer', 400)
    if (!backend.say) return c.text('read-only console: the guard is not running here', 409)
    await backend.say(`${verdict}${n}`)
    return c.redirect(`/approvals?done=${encodeURIComponent(`${verdict}${n}`)}`, 303)
  })
  // The charting library, served from the package (no CDN).
  for (const [name, module] of ASSETS)
    app.get(`/assets/${name}`, (c) => {
      c.header('content-type', 'text/javascript; charset=utf-8')
      c.header('cache-control', 'private, max-age=86400')
      return c.body(asset(module))
    })
  app.get('/analytics', async (c) => {
    const o = backend.analytics
    if (!o) return c.text('analytics are not available in this console', 404)
    const rooms = await groups()
    const room = rooms.find((r) => r.room === c.req.query('room')) ?? rooms[0]
    if (!room) return c.html(layout('分析', html`<p>你管理的群里还没有记录。</p>`, nav()))
    const since = new Date(Date.now() - ANALYTICS_DAYS * 24 * 3_600_000).toISOString()
    const events = await backend.store.listEvents({ room: room.room, since })
    const decisions = await backend.store.listDecisions({ room: room.room })
    const a = analyse(events, decisions, o)
    return c.html(layout('分析', analyticsPage(room, rooms, a), nav()))
  })
  app.get('/decisions', async (c) => {
    const rooms = await groups()
    const mine = new Map(rooms.map((r) => [r.room, r.topic]))
    const room = c.req.query('room')
    const rule = c.req.query('rule')
    const action = c.req.query('action')
    const all = (await backend.store.listDecisions(room ? { room } : {})).filter(
      (d) => mine.has(d.room) && (!rule || d.rule === rule) && (!action || d.action === action),
    )
    const shown = all.slice(-200).reverse()
    // A decision still open to the viewer can be answered here: N marks it wrong, as in the chat.
    const open = new Map((await backend.supervisor().openRequestsOf(backend.viewer)).map((o) => [o.decisionId, o.number]))
    const texts = new Map<string, string>()
    for (const d of shown) {
      const e = await backend.store.getEvent(d.event)
      if (e?.kind === 'message') texts.set(d.event, maskPii(e.text ?? `[${e.type}]`))
    }
    const answer = backend.say ? { open, csrf: csrfToken } : undefined
    return c.html(layout('处理记录', decisionsPage(shown, all.length, texts, mine, { room, rule, action }, t, answer), nav()))
  })
  return app
}

const RULE_COMMANDS = ['启用', '试运行', '停用', '暂停', '恢复']

/** How far back the analytics page looks. */
const ANALYTICS_DAYS = 90

const ASSETS: readonly [string, string][] = [
  ['echarts.min.js', 'echarts/dist/echarts.min.js'],
  ['echarts-wordcloud.min.js', 'echarts-wordcloud/dist/echarts-wordcloud.min.js'],
]
const assets = new Map<string, string>()
const requireAsset = createRequire(import.meta.url)
function asset(module: string): string {
  let text = assets.get(module)
  if (text === undefined) {
    text = fs.readFileSync(requireAsset.resolve(module), 'utf8')
    assets.set(module, text)
  }
  return text
}

/** JSON for a <script> block: nothing in it can end the block. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c')

function analyticsPage(room: ListedRoom, rooms: readonly ListedRoom[], a: ReturnType<typeof analyse>) {
  const n = a.newcomers
  const share = (x: number) => (n.joined ? `${Math.round((100 * x) / n.joined)}%` : '—')
  const data = {
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
  }
  return html`<form method="get" action="/analytics"><select name="room" onchange="this.form.submit()">${rooms.map(
    (r) => html`<option value="${r.room}" ${r.room === room.room ? 'selected' : ''}>${r.ref} ${r.topic}</option>`,
  )}</select> <noscript><button type="submit">查看</button></noscript></form>
<p>最近 ${ANALYTICS_DAYS} 天：${a.messages} 条消息。入群满一周的新成员 ${n.joined} 人，一周后仍在群里 ${share(n.stayed)}，一周后还发过言 ${share(n.spoke)}。</p>
<h2>活跃时段（星期 × 小时）</h2><div id="heatmap" class="chart"></div>
<h2>每天的消息、活跃成员与新成员</h2><div id="perday" class="chart"></div>
<h2>每天的处理</h2><div id="actions" class="chart"></div>
<h2>常用词</h2><div id="words" class="chart"></div>
<h2>发言最多的成员</h2>
<table><tr><th>成员</th><th>消息</th></tr>${a.topPosters.map((p) => html`<tr><td>${p.name}</td><td>${p.messages}</td></tr>`)}</table>
<p class="note">情感分析尚未提供：还没有测过准确率的中文情感模型或词典。</p>
<script src="/assets/echarts.min.js"></script>
<script src="/assets/echarts-wordcloud.min.js"></script>
<script>
const data = ${raw(scriptJson(data))};
const week = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const hours = Array.from({ length: 24 }, (_, h) => h + '时');
const chart = (id, option) => { const c = echarts.init(document.getElementById(id)); c.setOption(option); window.addEventListener('resize', () => c.resize()); };
chart('heatmap', { tooltip: {}, grid: { left: 50, right: 10, bottom: 60 }, xAxis: { type: 'category', data: hours }, yAxis: { type: 'category', data: week },
  visualMap: { min: 0, max: Math.max(1, ...data.heatmap.map((x) => x[2])), orient: 'horizontal', left: 'center', bottom: 0, calculable: true },
  series: [{ type: 'heatmap', data: data.heatmap }] });
chart('perday', { tooltip: { trigger: 'axis' }, legend: {}, xAxis: { type: 'category', data: data.days }, yAxis: { type: 'value' },
  series: [{ name: '消息', type: 'line', data: data.messages }, { name: '活跃成员', type: 'line', data: data.active }, { name: '新成员', type: 'bar', data: data.joined }] });
chart('actions', { tooltip: { trigger: 'axis' }, legend: {}, xAxis: { type: 'category', data: data.days }, yAxis: { type: 'value' },
  series: data.actions.map((s) => ({ name: s.name, type: 'bar', stack: 'all', data: s.data })) });
chart('words', { series: [{ type: 'wordCloud', data: data.words, sizeRange: [12, 48], gridSize: 6, textStyle: { color: () => 'hsl(' + Math.round(Math.random() * 160 + 100) + ',55%,35%)' } }] });
document.body.dataset.charts = 'ready';
</script>`
}

function layout(title: string, body: Page, nav: { csrf: string; readOnly: boolean; flash?: string | undefined } | undefined) {
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

function loginPage(wrong: boolean) {
  return html`${wrong ? html`<p class="flash">令牌不对，请再试一次。</p>` : ''}
<form method="post" action="/login">
  <label>控制台令牌（启动时打印在终端里）<br><input name="token" type="password" autocomplete="current-password" size="40" required></label>
  <button type="submit">登录</button>
</form>`
}

function groupsPage(rows: readonly { r: ListedRoom; decisions: readonly StoredDecision[]; open: number }[]) {
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

function rulesPage(rooms: readonly ListedRoom[], csrfToken: string, readOnly: boolean) {
  if (!rooms.length) return html`<p>你管理的群里还没有规则。</p>`
  return html`${rooms.map(
    (r) => html`<h2>${r.ref} ${r.topic}</h2>${r.chat ? html`<p class="note">聊天中设置：${r.chat}</p>` : ''}
<table>
<tr><th class="wide">编号</th><th>规则</th><th>状态</th><th class="wide">触发 / 同意 / 拒绝 / 过期</th><th class="wide">准确率（下限）</th><th>切换</th></tr>
${r.rules.map((x) => {
  const rec = x.record
  const answered = rec.approved + rec.rejected
  const p = precisionOf(rec)
  const state = rec.paused ? '暂停' : STATE_WORDS[rec.state]
  return html`<tr><td class="wide">${x.ref}</td><td>${x.name}</td><td class="state-${rec.state}">${state}</td>
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
function markWrong(d: StoredDecision, answer: { readonly open: ReadonlyMap<number, number>; readonly csrf: string } | undefined) {
  const n = answer?.open.get(d.id)
  if (!answer || n === undefined) return ''
  const label = d.mode === 'active' ? `标为误判 N${n}` : `拒绝 N${n}`
  return html`<form class="inline" method="post" action="/approvals/${n}"><input type="hidden" name="csrf" value="${answer.csrf}"><input type="hidden" name="verdict" value="N"><button type="submit" data-wrong="${d.id}">${label}</button></form>`
}

function membersPage(
  who: string,
  histories: readonly { member: string; name: string; records: readonly MemberRecord[]; decisions: readonly StoredDecision[] }[],
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
${h.decisions.length ? '' : html`<tr><td colspan="5">没有处理记录</td></tr>`}</table>`,
)}`
}

function approvalsPage(
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

function decisionsPage(
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
<p class="note">共 ${total} 条，显示最新 ${shown.length} 条。</p>
<table>
<tr><th class="wide">时间</th><th class="wide">群</th><th>处理</th><th>消息</th><th class="wide">规则</th><th>理由</th></tr>
${shown.map(
  (
    d,
  ) => html`<tr><td class="wide">${time(d.ts)}</td><td class="wide">${topics.get(d.room) ?? d.room}</td><td>${stepName(d.action)}${d.mode === 'shadow' ? '（试运行）' : ''}</td>
<td>${texts.get(d.event) ?? ''}</td><td class="wide">${d.rule}</td><td>${d.reason}${markWrong(d, answer)}</td></tr>`,
)}
</table>`
}
