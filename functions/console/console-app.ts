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
import { Hono } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { csrf } from 'hono/csrf'
import { html } from 'hono/html'
import { NONCE, secureHeaders } from 'hono/secure-headers'
import { type AnalyticsOptions, roomAnalytics } from '../domain/analytics.ts'
import { type Config, groupKey, type KeywordRule, parseConfig, resolveRoomConfig } from '../domain/config.ts'
import type { GroupEvent } from '../domain/events.ts'
import { ownerKeywordsRule } from '../domain/guard.ts'
import { backtest } from '../domain/learning/backtest.ts'
import { knownActionRate } from '../domain/learning/figures.ts'
import { keywordBacktest } from '../domain/learning/keyword-backtest.ts'
import type { LearnedPolicy } from '../domain/learning/rule-learner.ts'
import { maskPii } from '../domain/privacy.ts'
import { APPEAL_RULE_ID, type Supervisor } from '../domain/supervision/supervisor.ts'
import type { AnalyticsStore } from '../ports/analytics-store.port.ts'
import type { FactsStore } from '../ports/facts-store.port.ts'
import type { GuardStore } from '../ports/guard-store.port.ts'
import type { SupervisionStore } from '../ports/supervision-store.port.ts'
import {
  ANALYTICS_DAYS,
  ASSETS,
  analyticsPage,
  approvalsPage,
  asset,
  backtestPage,
  decisionPage,
  decisionsPage,
  groupsPage,
  layout,
  loginPage,
  membersPage,
  RULE_COMMANDS,
  rulesPage,
} from './pages.ts'

export interface ConsoleBackend {
  /** The WeChat id the console acts as: an owner or admin of the groups it shows. */
  readonly viewer: string
  /** The guard's supervisor (rules, records, requests). */
  readonly supervisor: () => Supervisor
  readonly store: Pick<GuardStore, 'listDecisions' | 'getEvent' | 'listEvents' | 'findMembers' | 'getMember' | 'getBlacklisted'>
  /** The viewer's requests (members' appeals, shown on the members page). @default appeals not shown */
  readonly requests?: Pick<SupervisionStore, 'listRequests' | 'getRoomOverrides'> | undefined
  /** Members' reports of one another (举报), shown on the members page. @default reports not shown */
  readonly facts?: Pick<FactsStore, 'reports'> | undefined
  /** What the analytics page needs: Chinese words of a text, the stop words, the owners' UTC offset. @default no analytics page */
  readonly analytics?: Omit<AnalyticsOptions, 'topPosters' | 'topWords'> | undefined
  /** Where the analytics keep each group's days once they are over (read and segmented once). @default every day read at every view */
  readonly days?: AnalyticsStore | undefined
  /** The owners' offset from UTC, for the times shown. @default 480 (China) */
  readonly utcOffsetMinutes?: number | undefined
  /** The learned rulebook the guard runs: its rules can be backtested on the stored history. @default none */
  readonly policy?: LearnedPolicy | undefined
  /** The guard's config: its keyword rules can be backtested too. @default none */
  readonly config?: Config | undefined
  /** Hands the viewer's words to the guard as a private message (`Y3`, `启用 R2`) and waits for it to be handled; undefined: read-only. */
  readonly say?: ((text: string) => Promise<void>) | undefined
}

export interface ConsoleOptions {
  readonly token: string
}

const COOKIE = 'qunguard_session'
/** A decision's message is shown with the group's messages this long either side of it… */
const CONTEXT_MS = 3_600_000
/** …at most this many on each side. */
const CONTEXT_MESSAGES = 6

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
  // No framing (clickjacking), scripts only from the console itself or the page's nonce, forms only to itself.
  app.use(
    secureHeaders({
      xFrameOptions: 'DENY',
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", NONCE],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    }),
  )
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
  // A room's keyword rules: the config's (found by id or by its name in the config), and the keywords added in the chat.
  const keywordRulesOf = async (room: string, topic: string | undefined): Promise<readonly KeywordRule[]> => {
    const config = backend.config
    const written = config ? resolveRoomConfig(config, groupKey(config, room, topic)).rules : []
    const added = (await backend.requests?.getRoomOverrides(room))?.keywords ?? []
    return added.length ? [...written, ownerKeywordsRule(added)] : written
  }
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
  app.get('/rules', async (c) => {
    const rooms = await groups()
    const topics = new Map(rooms.map((r) => [r.room, r.topic]))
    const keywordRules = new Map<string, readonly KeywordRule[]>()
    for (const r of rooms) keywordRules.set(r.room, await keywordRulesOf(r.room, topics.get(r.room)))
    const testable = (room: string, rule: string) =>
      backend.policy?.rooms[room]?.rules.some((r) => r.id === rule) === true || (keywordRules.get(room) ?? []).some((r) => r.id === rule)
    return c.html(layout('规则', rulesPage(rooms, csrfToken, !backend.say, testable), nav(c.req.query('done'))))
  })
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
    const appeals = found.size && backend.requests ? await backend.requests.listRequests(backend.viewer, APPEAL_RULE_ID) : []
    for (const [member, name] of [...found].slice(0, 5)) {
      const records = []
      const reports = []
      for (const r of rooms) {
        const m = await backend.store.getMember(r.room, member)
        if (m) records.push(m)
        for (const x of (await backend.facts?.reports(r.room, member, 0)) ?? []) reports.push({ room: r.room, ...x })
      }
      const decisions = (await backend.store.listDecisions({ target: member })).filter((d) => topics.has(d.room))
      const blacklisted = await backend.store.getBlacklisted([backend.viewer], member)
      const theirs = appeals.filter((a) => a.request.decision.target === member && topics.has(a.room))
      histories.push({ member, name, records, decisions, reports, appeals: theirs, blacklisted })
    }
    return c.html(layout('成员', membersPage(who, histories, topics, found.size, t), nav()))
  })
  // A learned rule against what the owner did in the stored history (the `backtest` command's figures).
  app.get('/backtest', async (c) => {
    const rooms = await groups()
    const room = rooms.find((r) => r.room === c.req.query('room'))
    const id = c.req.query('rule')
    const roomPolicy = room ? backend.policy?.rooms[room.room] : undefined
    const rule = roomPolicy?.rules.find((r) => r.id === id)
    const keyword = room ? (await keywordRulesOf(room.room, room.topic)).find((r) => r.id === id) : undefined
    if (!room || (!rule && !keyword)) return c.text('no such rule in your groups', 404)
    const events = await backend.store.listEvents({ room: room.room })
    if (rule && roomPolicy && backend.policy) {
      const report = backtest(events, { ...backend.policy, rooms: { [room.room]: { ...roomPolicy, rules: [rule] } } }, { examples: 20 })
      return c.html(layout('回测', backtestPage(room, rule.sentence, report.rooms[room.room]?.rules[0], events.length), nav()))
    }
    const config = backend.config ?? parseConfig({})
    const cfg = resolveRoomConfig(config, groupKey(config, room.room, room.topic))
    if (!keyword) return c.text('no such rule in your groups', 404)
    const actionRate = roomPolicy ? knownActionRate(roomPolicy) : undefined
    const result = keywordBacktest(events, keyword, cfg, { examples: 20, actionRate })
    return c.html(layout('回测', backtestPage(room, result.sentence, result, events.length), nav()))
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
    const a = await roomAnalytics(room.room, { store: backend.store, days: backend.days }, o, { now: Date.now(), days: ANALYTICS_DAYS })
    return c.html(layout('分析', analyticsPage(room, rooms, a, c.get('secureHeadersNonce')), nav()))
  })
  // One decision with its message in context: the messages around it in the group (an hour either side, at most 6 each).
  /** Decisions the viewer can mark wrong from a page (undefined: read-only): those still open to them are answered N<n>, as in the chat. */
  const answerable = async () =>
    backend.say
      ? { open: new Map((await backend.supervisor().openRequestsOf(backend.viewer)).map((o) => [o.decisionId, o.number])), csrf: csrfToken }
      : undefined
  app.get('/decisions/:id', async (c) => {
    const id = Number(c.req.param('id'))
    const [d] = Number.isSafeInteger(id) && id > 0 ? await backend.store.listDecisions({ id }) : []
    const rooms = await groups()
    const mine = new Map(rooms.map((r) => [r.room, r.topic]))
    if (!d || !mine.has(d.room)) return c.text('no such decision in your groups', 404)
    const event = await backend.store.getEvent(d.event)
    const at = event ? Date.parse(event.ts) : Date.parse(d.ts)
    const around = (await backend.store.listEvents({ room: d.room, since: new Date(at - CONTEXT_MS).toISOString() })).filter(
      (e): e is GroupEvent & { kind: 'message' } => e.kind === 'message' && Date.parse(e.ts) <= at + CONTEXT_MS,
    )
    const i = around.findIndex((e) => e.id === d.event)
    const shown = i < 0 ? around.slice(-CONTEXT_MESSAGES) : around.slice(Math.max(0, i - CONTEXT_MESSAGES), i + CONTEXT_MESSAGES + 1)
    const lines = shown.map((e) => ({
      time: t(e.ts),
      who: maskPii(e.senderName ?? e.sender),
      text: maskPii(e.text ?? `[${e.type}]`),
      it: e.id === d.event,
    }))
    const answer = await answerable()
    // What the owner said: the request put to the viewer about it, if any.
    const request = (await backend.requests?.listRequests(backend.viewer))?.find((r) => r.decisionId === d.id)
    const said = request ? { number: request.number, status: request.status, done: request.done === true } : undefined
    return c.html(layout(`处理 D${d.id}`, decisionPage(d, mine.get(d.room) ?? d.room, lines, t, answer, said), nav()))
  })
  // A decision marked wrong after the fact: the owner's 误判 D<id>, as in the chat.
  app.post('/decisions/:id/wrong', async (c) => {
    const id = Number(c.req.param('id'))
    if (!Number.isSafeInteger(id) || id < 1) return c.text('unknown decision', 400)
    if (!backend.say) return c.text('read-only console: the guard is not running here', 409)
    await backend.say(`误判 D${id}`)
    return c.redirect(`/decisions?done=${encodeURIComponent(`误判 D${id}`)}`, 303)
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
    const texts = new Map<string, string>()
    for (const d of shown) {
      const e = await backend.store.getEvent(d.event)
      if (e?.kind === 'message') texts.set(d.event, maskPii(e.text ?? `[${e.type}]`))
    }
    const answer = await answerable()
    return c.html(
      layout('处理记录', decisionsPage(shown, all.length, texts, mine, { room, rule, action }, t, answer), nav(c.req.query('done'))),
    )
  })
  return app
}

/**
 * Summarises and keeps the days that are over of every group the viewer sees, so that the
 * analytics page's first view need not (`qunguard console` does it as it starts). Returns how many
 * groups it went through.
 */
export async function warmAnalytics(
  backend: ConsoleBackend,
  options: { readonly now?: number; readonly pause?: (() => Promise<void>) | undefined } = {},
): Promise<number> {
  const o = backend.analytics
  if (!o || !backend.days) return 0
  const rooms = await backend.supervisor().groupsOf(backend.viewer)
  const now = options.now ?? Date.now()
  for (const r of rooms)
    await roomAnalytics(r.room, { store: backend.store, days: backend.days }, o, { now, days: ANALYTICS_DAYS, pause: options.pause })
  return rooms.length
}
