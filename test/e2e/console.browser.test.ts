/**
 * The owner's console in a real browser (Debian's chromium through puppeteer-core), on a guard
 * running on wechaty-puppet-mock: log in, answer an approval (the member is removed in WeChat),
 * switch a rule's mode. Screenshots of each page go to .tmp/console-screens/.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import puppeteer, { type Browser } from 'puppeteer-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { replay } from '../../bin/commands/replay.ts'
import { consoleAnalytics } from '../../bot-host/console/console-words.ts'
import { type RunningConsole, serveConsole } from '../../bot-host/console/serve-console.ts'
import { consoleApp } from '../../functions/console/console-app.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import { startGuardWorld, stopGuardWorlds } from '../helpers/guard-world.ts'

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p))
if (!CHROMIUM && process.env.CI) throw new Error('the console tests need chromium (apt-get install chromium): .ci/run installs it')
const SCREENS = path.resolve('.tmp/console-screens')
const TOKEN = 'console-test-token-0123456789'

describe('the console’s security, without a browser', () => {
  const app = consoleApp(
    {
      viewer: 'wxid_owner',
      supervisor: () => {
        throw new Error('not reached')
      },
      store: {
        listDecisions: async () => [],
        getEvent: async () => undefined,
        listEvents: async () => [],
        findMembers: async () => [],
        getMember: async () => undefined,
        getBlacklisted: async () => undefined,
      },
    },
    { token: TOKEN },
  )
  it('shows a member’s reports, appeals and place on the owner’s blacklist on the members page', async () => {
    const member = { room: 'r1', member: 'wxid_promo', name: '推广员', via: 'qrcode' as const, joinedAt: '2026-03-01T01:00:00.000Z' }
    const appeal = {
      owner: 'wxid_owner',
      room: 'r1',
      rule: 'appeal',
      decisionId: -4,
      request: {
        decisionId: 4,
        decision: { event: 'm1', room: 'r1', target: 'wxid_promo', action: 'remove', mode: 'active', rule: 'ads', score: 1, reason: '' },
        messageId: 'm1',
        text: '',
      },
      createdAt: '2026-03-01T02:00:00.000Z',
      deadline: '2026-03-02T02:00:00.000Z',
      number: 3,
      status: 'rejected',
    } as const
    const members = consoleApp(
      {
        viewer: 'wxid_owner',
        supervisor: () => ({ groupsOf: async () => [{ room: 'r1', ref: 'G1', topic: '宝妈群' }] }) as never,
        store: {
          listDecisions: async () => [],
          getEvent: async () => undefined,
          listEvents: async () => [],
          findMembers: async () => [member],
          getMember: async () => member,
          getBlacklisted: async () => ({
            owner: 'wxid_owner',
            member: 'wxid_promo',
            room: 'r1',
            rule: 'ads',
            event: 'm1',
            ts: '2026-03-01T02:00:00.000Z',
          }),
        },
        requests: { listRequests: async () => [appeal], getRoomOverrides: async () => ({}) },
        facts: { reports: async () => [{ reporter: 'wxid_mum', ms: Date.parse('2026-03-01T01:30:00.000Z'), event: 'm0' }] },
      },
      { token: TOKEN },
    )
    const page = await (
      await members.request(`/members?who=${encodeURIComponent('推广员')}`, { headers: { Authorization: `Bearer ${TOKEN}` } })
    ).text()
    expect(page).toContain('被成员举报')
    expect(page).toContain('申诉 #3：对「移出群聊」已驳回')
    expect(page).toContain('在你的黑名单上')
    expect(page).not.toContain('wxid_mum')
  })

  it('shows nothing without the token, takes it as a bearer, and refuses a cookie’s change without the CSRF token', async () => {
    expect((await app.request('/groups')).status).toBe(401)
    // Never framed (clickjacking); scripts only from the console or with the page's nonce.
    const login = (await app.request('/login')).headers
    expect(login.get('x-frame-options')).toBe('DENY')
    expect(login.get('content-security-policy')).toMatch(/frame-ancestors 'none'/)
    expect(login.get('content-security-policy')).toMatch(/script-src 'self' 'nonce-[^']+'/)
    expect((await app.request('/groups', { headers: { accept: 'text/html' } })).headers.get('location')).toBe('/login')
    expect((await app.request('/groups', { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401)
    const loggedIn = await app.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ token: TOKEN }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
    })
    const cookie = loggedIn.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    expect(cookie).not.toContain(TOKEN)
    const post = await app.request('/approvals/1', {
      method: 'POST',
      body: new URLSearchParams({ verdict: 'Y' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie.split(';')[0] ?? '', origin: 'http://localhost' },
    })
    expect(post.status).toBe(403)
    // Another site's form is refused whatever it carries.
    const foreign = await app.request('/approvals/1', {
      method: 'POST',
      body: new URLSearchParams({ verdict: 'Y' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie.split(';')[0] ?? '', origin: 'https://evil.example' },
    })
    expect(foreign.status).toBe(403)
    expect(() => consoleApp({ viewer: 'x', supervisor: () => ({}) as never, store: {} as never }, { token: 'short' })).toThrow(/16/)
  })
})

describe.skipIf(!CHROMIUM)('the console in a real browser', () => {
  let browser: Browser
  let running: RunningConsole | undefined
  beforeAll(async () => {
    fs.mkdirSync(SCREENS, { recursive: true })
    browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--lang=zh-CN'] })
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
  })
  afterEach(async () => {
    await running?.close()
    await stopGuardWorlds()
  })

  it('logs in, answers an approval (the member is removed in WeChat) and switches a rule’s mode', async () => {
    const config = parseConfig({
      groups: {
        '*': {
          rules: [
            { id: 'no-ads', any: ['加微信'], action: 'remove', mode: 'shadow' },
            { id: 'no-daigou', any: ['代购'], action: 'warn' },
          ],
        },
      },
    })
    const { world, settle, plugin, store, supervision, facts } = await startGuardWorld(config)
    const owner = world.contact('群主', 'wxid_owner')
    const promo = world.contact('推广员', 'wxid_promo')
    const room = world.room('宝妈群', { owner, members: [promo] })
    for (const text of ['今晚一起去公园散步吗', '公园的樱花开了，周末去公园拍照', '好呀，周末公园见']) await world.say(owner, room, text)
    await world.say(promo, room, '加微信领券')
    await settle()
    let n = 0
    running = await serveConsole(
      {
        viewer: 'wxid_owner',
        supervisor: () => plugin.supervisor,
        store,
        requests: supervision,
        facts,
        analytics: consoleAnalytics(480),
        say: async (text) => {
          plugin.submit({ kind: 'private', id: `console-${++n}`, ts: new Date().toISOString(), sender: 'wxid_owner', text })
          await settle()
        },
      },
      { port: 0, token: TOKEN },
    )
    const page = await browser.newPage()
    await page.setViewport({ width: 390, height: 844 }) // a phone's screen
    await page.goto(`${running.url}/groups`)
    expect(page.url()).toBe(`${running.url}/login`)
    await page.type('input[name=token]', TOKEN)
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')])
    expect(page.url()).toBe(`${running.url}/groups`)
    expect(await page.$eval('main', (m) => m.textContent ?? '')).toContain('宝妈群')
    await page.screenshot({ path: path.join(SCREENS, 'groups.png') })

    await page.goto(`${running.url}/approvals`)
    expect(await page.$eval('main', (m) => m.textContent ?? '')).toContain('#1')
    await page.screenshot({ path: path.join(SCREENS, 'approvals.png') })
    await Promise.all([page.waitForNavigation(), page.click('button[data-answer="Y1"]')])
    expect(await page.$eval('.flash', (f) => f.textContent ?? '')).toContain('Y1')
    expect(world.removed(room)).toEqual(['wxid_promo'])
    expect(await page.$eval('main', (m) => m.textContent ?? '')).toContain('没有待审批的请求')

    await page.setViewport({ width: 1280, height: 800 })
    await page.goto(`${running.url}/rules`)
    const row = async () => page.$eval('td.state-shadow, td.state-active', (td) => td.textContent ?? '')
    expect(await row()).toBe('试运行')
    await Promise.all([page.waitForNavigation(), page.click('button[data-rule="R1"][data-command="启用"]')])
    expect(await row()).toBe('启用')
    await page.screenshot({ path: path.join(SCREENS, 'rules.png') })

    await page.goto(`${running.url}/decisions`)
    expect(await page.$eval('main', (m) => m.textContent ?? '')).toContain('加微信领券')
    await page.screenshot({ path: path.join(SCREENS, 'decisions.png') })

    // A keyword added from the rules page acts at once; the warning it gives can be marked wrong.
    await page.goto(`${running.url}/rules`)
    await page.type('form.keywords input[name=words]', '团购')
    await Promise.all([page.waitForNavigation(), page.click('form.keywords button[value=add]')])
    expect(await page.$eval('.flash', (f) => f.textContent ?? '')).toContain('加关键词 G1 团购')
    const mum = world.contact('小美妈妈', 'wxid_mum')
    await world.join(room, mum, owner)
    await world.say(mum, room, '周末团购水果')
    await settle()
    expect(world.said(room).at(-1)).toContain('第 1 次提醒')
    await page.goto(`${running.url}/decisions`)
    const wrong = await page.$('button[data-wrong]')
    expect(await wrong?.evaluate((b) => b.textContent)).toMatch(/^标为误判 N\d+$/)
    const id = await wrong?.evaluate((b) => b.getAttribute('data-wrong'))
    await Promise.all([page.waitForNavigation(), wrong?.click()])
    expect(world.said(owner).at(-1)).toMatch(/误判|N\d+/)
    // Its request answered, the same decision can still be marked wrong (误判 D<id>), and counts once.
    await page.goto(`${running.url}/decisions`)
    const again = await page.$(`button[data-wrong="${id}"]`)
    expect(await again?.evaluate((b) => b.textContent)).toBe('标为误判')
    await Promise.all([page.waitForNavigation(), again?.click()])
    expect(await page.$eval('.flash', (f) => f.textContent ?? '')).toContain(`误判 D${id}`)
    await settle()
    expect(world.said(owner).at(-1)).toContain(`D${id}`)
    expect(world.said(owner).at(-1)).toContain('已经记为误判了')

    // A member's case history across the owner's groups.
    await page.goto(`${running.url}/members?who=${encodeURIComponent('推广员')}`)
    const history = await page.$eval('main', (m) => m.textContent ?? '')
    expect(history).toContain('宝妈群')
    expect(history).toContain('移出群聊')
    await page.screenshot({ path: path.join(SCREENS, 'members.png') })

    // Analytics: the charts drawn by the library the console serves itself.
    await page.goto(`${running.url}/analytics`)
    await page.waitForSelector('body[data-charts=ready]')
    await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length >= 5)
    expect(await page.$eval('main', (m) => m.textContent ?? '')).toMatch(/最近 90 天：\d+ 条消息/)
    expect(await page.$eval('main', (m) => m.textContent ?? '')).toContain('推广员')
    await page.screenshot({ path: path.join(SCREENS, 'analytics.png'), fullPage: true })
  }, 60_000)

  it('draws a replay’s HTML report from the file alone (no server, no network)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qunguard-report-'))
    const t = (minute: number) => `2026-03-01T20:${String(minute).padStart(2, '0')}:00+08:00`
    const events = [
      { id: 's', kind: 'room', room: 'r1', topic: '宝妈群', owner: 'wxid_owner', admins: [], members: ['wxid_owner'], names: {}, ts: t(0) },
      ...['今晚公园散步', '周末公园拍照', '公园见'].map((text, i) => ({
        id: `m${i}`,
        kind: 'message',
        room: 'r1',
        sender: 'wxid_owner',
        type: 'text',
        text,
        ts: t(i + 1),
      })),
    ]
    fs.writeFileSync(path.join(dir, 'h.jsonl'), events.map((e) => JSON.stringify(e)).join('\n'))
    const html = path.join(dir, 'report.html')
    await replay({ history: [path.join(dir, 'h.jsonl')], out: path.join(dir, 'd.jsonl'), html, log: () => {}, progress: false })
    const page = await browser.newPage()
    const requested: string[] = []
    page.on('request', (r) => requested.push(r.url()))
    await page.goto(`file://${html}`)
    await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length >= 5)
    expect(requested).toEqual([`file://${html}`])
    await page.screenshot({ path: path.join(SCREENS, 'replay-report.png'), fullPage: true })
    fs.rmSync(dir, { recursive: true, force: true })
  }, 60_000)
})
