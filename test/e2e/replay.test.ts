/** `qunguard replay` end to end: a history file in, a decisions file out. */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { replay } from '../../bin/commands/replay.ts'
import { parseDecision } from '../../functions/domain/events.ts'
import { verificationCode } from '../../functions/domain/verification.ts'
import { tempDir } from '../helpers/temp-dirs.ts'

const history = fileURLToPath(new URL('../fixtures/history/small.jsonl', import.meta.url))

const replayDir = () => tempDir('qunguard-replay-')

/** A room snapshot line for 宝妈群 (r1, owned by wxid_owner) at 20:00, with what differs. */
const snapshotLine = (o: Record<string, unknown>) => ({
  id: 's',
  kind: 'room',
  room: 'r1',
  topic: '宝妈群',
  owner: 'wxid_owner',
  admins: [],
  names: {},
  ts: '2026-03-01T20:00:00+08:00',
  ...o,
})

/** Replays `events` in a fresh folder (with the config's YAML, when given): the decision lines, and the report page when asked for. */
async function replayed(events: readonly object[], o: { config?: string; html?: boolean } = {}) {
  const dir = replayDir()
  const config = o.config === undefined ? undefined : path.join(dir, 'c.yaml')
  if (config) fs.writeFileSync(config, o.config as string)
  const history = path.join(dir, 'h.jsonl')
  fs.writeFileSync(history, events.map((e) => JSON.stringify(e)).join('\n'))
  const out = path.join(dir, 'd.jsonl')
  const html = o.html ? path.join(dir, 'report.html') : undefined
  await replay({ history: [history], config, out, html, log: () => {}, progress: false })
  const decisions = fs
    .readFileSync(out, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
  return { decisions, page: html ? fs.readFileSync(html, 'utf8') : '' }
}

describe('replay', () => {
  it('writes one docs/format.md decision line per action, in time order, and reports malformed lines', async () => {
    const dir = replayDir()
    const config = path.join(dir, 'c.yaml')
    fs.writeFileSync(config, 'groups:\n  "*":\n    rules:\n      - id: no-ads\n        any: ["加微信", "代购"]\n')
    const out = path.join(dir, 'decisions.jsonl')
    const log: string[] = []
    const summary = await replay({ history: [history], config, out, log: (l) => log.push(l), progress: false })

    const lines = fs.readFileSync(out, 'utf8').trim().split('\n')
    const decisions = lines.map((l) => {
      const d = parseDecision(JSON.parse(l))
      if (!d.ok) throw new Error(d.error)
      return d.value
    })
    // e4 (20:06) comes before e5 (20:07) although the file has them the other way round.
    expect(decisions.map((d) => [d.event, d.action])).toEqual([
      ['e4', 'warn'],
      ['e5', 'warn'],
      ['e8', 'remove'],
    ])
    expect(Object.keys(JSON.parse(lines[0] ?? '{}'))).toEqual(['event', 'room', 'target', 'action', 'mode', 'rule', 'score', 'reason'])
    expect(summary).toMatchObject({ events: 7, malformed: 2, decisions: 3 })
    expect(log).toEqual([
      expect.stringMatching(/^config: .*c\.yaml \(-c\)$/),
      expect.stringMatching(/small\.jsonl:6: skipped: not JSON/),
      expect.stringMatching(/small\.jsonl:8: skipped: message\.sender: required/),
    ])
  })

  it('writes shadow decisions for a room in shadow mode', async () => {
    const dir = replayDir()
    const config = path.join(dir, 'c.yaml')
    fs.writeFileSync(config, 'groups:\n  "r1@chatroom":\n    mode: shadow\n    rules:\n      - id: no-ads\n        any: ["加微信"]\n')
    const out = path.join(dir, 'd.jsonl')
    await replay({ history: [history], config, out, log: () => {}, progress: false })
    const modes = fs
      .readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).mode)
    expect(modes).toEqual(['shadow', 'shadow'])
  })

  it('replays a supervised trial: owners’ private answers approve requests, numbered from 1 in every run', async () => {
    const dir = replayDir()
    const config = path.join(dir, 'c.yaml')
    fs.writeFileSync(
      config,
      'groups:\n  "*":\n    rules:\n      - id: no-ads\n        any: ["加微信", "代购"]\n        mode: shadow\n        action: remove\n',
    )
    const trial = path.join(dir, 'trial.jsonl')
    const dm = (id: string, sender: string, text: string, minute: number) =>
      JSON.stringify({ id, kind: 'private', sender, text, ts: `2026-03-01T20:${minute}:00+08:00` })
    const lines = fs
      .readFileSync(history, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
    fs.writeFileSync(
      trial,
      [...lines, dm('p1', 'wxid_mum', 'Y2', 11), dm('p2', 'wxid_owner', 'Y1', 12), dm('p3', 'wxid_owner', 'N2', 13)].join('\n'),
    )
    const run = async (name: string) => {
      const out = path.join(dir, name)
      const ownerLog = path.join(dir, `${name}.owner`)
      const s = await replay({ history: [trial], config, out, ownerLog, log: () => {}, progress: false })
      return { s, text: fs.readFileSync(out, 'utf8'), owner: fs.readFileSync(ownerLog, 'utf8') }
    }
    const first = await run('a.jsonl')
    const decisions = first.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(decisions.map((d) => [d.event, d.action, d.mode])).toEqual([
      ['e4', 'remove', 'shadow'],
      ['e5', 'remove', 'shadow'],
      ['e8', 'remove', 'shadow'],
      ['e4', 'remove', 'active'], // Y1 approved request 1; wxid_mum's Y2 did nothing, N2 rejected request 2
    ])
    expect(first.owner).toContain('审批 #1')
    expect(first.owner).toContain('已拒绝 #2')
    expect(first.s.ownerMessages).toBeGreaterThanOrEqual(5)
    const second = await run('b.jsonl')
    expect(second.text).toBe(first.text)
  })

  it('replays the owner’s blacklist, welcomes and chat commands: a removal after an offence flags the member in the owner’s other group, a rejoin is removed', async () => {
    const dir = replayDir()
    const config = path.join(dir, 'c.yaml')
    fs.writeFileSync(
      config,
      'groups:\n  "*":\n    welcome: { enabled: true }\n    rules:\n      - id: no-ads\n        any: ["加微信"]\n        action: warn\n  "宝妈群":\n    blacklist:\n      action: remove\n',
    )
    const t = (minute: number) => `2026-03-01T20:${String(minute).padStart(2, '0')}:00+08:00`
    const room = (id: string, room: string, topic: string) => ({
      id,
      kind: 'room',
      room,
      topic,
      owner: 'wxid_owner',
      admins: [],
      members: ['wxid_owner', 'wxid_m'],
      names: { wxid_m: '推广小王' },
      ts: t(0),
    })
    const events = [
      { id: 'a', kind: 'account', self: 'wxid_bot', ts: t(0) },
      room('s1', 'r1', '宝妈群'),
      room('s2', 'r2', '业主群'),
      { id: 'e1', kind: 'message', room: 'r1', sender: 'wxid_m', senderName: '推广小王', type: 'text', text: '加微信领券', ts: t(1) },
      { id: 'e2', kind: 'leave', room: 'r1', members: ['wxid_m'], remover: 'wxid_owner', ts: t(5) },
      { id: 'e3', kind: 'join', room: 'r1', members: ['wxid_m'], via: 'qrcode', ts: t(9) },
      { id: 'e4', kind: 'join', room: 'r1', members: ['wxid_new'], names: { wxid_new: '新妈妈' }, via: 'invite', ts: t(10) },
      // The owner adds a keyword to 业主群 by its name from the private chat; it applies there from then on.
      { id: 'p1', kind: 'private', sender: 'wxid_owner', text: '加关键词 业主群 团购', ts: t(11) },
      { id: 'e5', kind: 'message', room: 'r2', sender: 'wxid_m', type: 'text', text: '团购接龙', ts: t(12) },
      { id: 'e6', kind: 'message', room: 'r1', sender: 'wxid_new', type: 'text', text: '团购接龙', ts: t(13) },
    ]
    const history = path.join(dir, 'h.jsonl')
    fs.writeFileSync(history, events.map((e) => JSON.stringify(e)).join('\n'))
    const out = path.join(dir, 'd.jsonl')
    const ownerLog = path.join(dir, 'owner.log')
    await replay({ history: [history], config, out, ownerLog, log: () => {}, progress: false })
    const decisions = fs
      .readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(decisions.map((d) => [d.event, d.room, d.rule, d.action, d.mode])).toEqual([
      ['e1', 'r1', 'no-ads', 'warn', 'active'],
      ['e2', 'r2', 'blacklist', 'ask-owner', 'shadow'],
      ['e3', 'r1', 'blacklist', 'remove', 'active'],
      ['e4', 'r1', 'welcome', 'reply', 'active'], // the listed member is removed, not welcomed
      ['e5', 'r2', 'owner-keywords', 'warn', 'active'],
    ])
    expect(decisions[1].reason).toBe('黑名单：曾在「宝妈群」因违规被移出')
    const told: string[] = fs
      .readFileSync(ownerLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).text)
    expect(told).toContainEqual(expect.stringContaining('群：业主群\n成员：推广小王\n事件：在「宝妈群」被移出，仍在本群'))
  })

  it('replays the owner’s own limits: a locked type and a flood', async () => {
    const dir = replayDir()
    const config = path.join(dir, 'c.yaml')
    fs.writeFileSync(config, 'groups:\n  "*":\n    limits:\n      lock: [card]\n      flood: { count: 3, windowS: 30 }\n')
    const t = (s: number) => `2026-03-01T20:00:${String(s).padStart(2, '0')}+08:00`
    const msg = (id: string, s: number, o: Record<string, unknown> = {}) => ({
      id,
      kind: 'message',
      room: 'r1',
      sender: 'wxid_m',
      type: 'text',
      text: `${s}`,
      ts: t(s),
      ...o,
    })
    const events = [msg('e1', 1, { type: 'card', text: '推荐个朋友' }), msg('e2', 40), msg('e3', 45), msg('e4', 50), msg('e5', 59)]
    const history = path.join(dir, 'h.jsonl')
    fs.writeFileSync(history, events.map((e) => JSON.stringify(e)).join('\n'))
    const out = path.join(dir, 'd.jsonl')
    await replay({ history: [history], config, out, log: () => {}, progress: false })
    const lines = fs
      .readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((d) => [d.event, d.rule, d.action])).toEqual([
      ['e1', 'limit:lock', 'warn'],
      ['e4', 'limit:flood', 'warn'],
      ['e5', 'limit:flood', 'remove'],
    ])
  })

  it('replays newcomer verification: join → challenge, a link held back, the answer passes one, the deadline removes the other', async () => {
    const t = (minute: number) => `2026-03-01T20:${String(minute).padStart(2, '0')}:00+08:00`
    const events = [
      { id: 'a', kind: 'account', self: 'wxid_bot', ts: t(0) },
      snapshotLine({ members: ['wxid_owner', 'wxid_old'] }),
      { id: 'j1', kind: 'join', room: 'r1', members: ['wxid_ad'], names: { wxid_ad: '推广员' }, via: 'qrcode', ts: t(1) },
      { id: 'j2', kind: 'join', room: 'r1', members: ['wxid_mum'], names: { wxid_mum: '新妈妈' }, via: 'qrcode', ts: t(2) },
      { id: 'e1', kind: 'message', room: 'r1', sender: 'wxid_ad', type: 'link', text: '领券', url: 'https://t.cn/x', ts: t(3) },
      { id: 'e2', kind: 'message', room: 'r1', sender: 'wxid_mum', type: 'text', text: `${verificationCode('r1', 'j2')}`, ts: t(4) },
      // The next event after the deadline: replay's clock reaches it, and the tick settles it first.
      { id: 'e3', kind: 'message', room: 'r1', sender: 'wxid_old', type: 'text', text: '晚上好', ts: t(15) },
    ]
    const { decisions: lines } = await replayed(events, { config: 'groups:\n  "*":\n    verification: { enabled: true, minutes: 10 }\n' })
    expect(lines.map((d) => [d.event, d.target, d.rule, d.action, d.mode])).toEqual([
      ['j1', 'wxid_ad', 'verification', 'reply', 'active'],
      ['j2', 'wxid_mum', 'verification', 'reply', 'active'],
      ['e1', 'wxid_ad', 'verification', 'recall', 'active'],
      ['e2', 'wxid_mum', 'verification', 'reply', 'active'],
      ['j1', 'wxid_ad', 'verification', 'remove', 'active'],
    ])
    expect(lines.at(-1).reason).toBe('入群后 10 分钟内未完成入群验证')
  })

  it('replays a cleanup on removal: one recall line after the removal', async () => {
    const t = (minute: number) => `2026-03-01T20:${String(minute).padStart(2, '0')}:00+08:00`
    const msg = (id: string, minute: number, text: string) => ({
      id,
      kind: 'message',
      room: 'r1',
      sender: 'wxid_ad',
      type: 'text',
      text,
      ts: t(minute),
    })
    const events = [msg('e1', 1, '姐妹们好'), msg('e2', 3, '加微信领券')]
    const config =
      'groups:\n  "*":\n    cleanup: { enabled: true, minutes: 10 }\n    rules:\n      - id: no-ads\n        any: ["加微信"]\n        action: remove\n'
    const { decisions: lines } = await replayed(events, { config })
    expect(lines.map((d) => [d.event, d.rule, d.action, d.mode, d.reason])).toEqual([
      ['e2', 'no-ads', 'remove', 'active', expect.any(String)],
      ['e2', 'cleanup', 'recall', 'active', '清理被移出成员 10 分钟内的 2 条消息'],
    ])
  })

  it('writes each group’s rules, decisions and analytics into one self-contained HTML page', async () => {
    const t = (minute: number) => `2026-03-01T20:${String(minute).padStart(2, '0')}:00+08:00`
    const events = [
      snapshotLine({ members: ['wxid_owner', 'wxid_ad'] }),
      {
        id: 'e1',
        kind: 'message',
        room: 'r1',
        sender: 'wxid_ad',
        senderName: '推广员',
        type: 'text',
        text: '加微信领券 13812345678',
        ts: t(1),
      },
      { id: 'e2', kind: 'message', room: 'r1', sender: 'wxid_owner', type: 'text', text: '周末公园见', ts: t(2) },
    ]
    const { page } = await replayed(events, {
      config: 'groups:\n  "*":\n    rules:\n      - id: no-ads\n        any: ["加微信"]\n',
      html: true,
    })
    expect(page).toContain('G1 宝妈群')
    expect(page).toContain('关键词规则 no-ads')
    expect(page).toContain('加微信领券')
    expect(page).not.toContain('13812345678') // masked, as everywhere
    expect(page).toContain('qunguardCharts("g1"')
    expect(page).not.toMatch(/<script src=|<link /) // self-contained: the chart library is inside
    expect(page.length).toBeGreaterThan(500_000)
  })

  it('replays members’ reports: the third reporter’s message puts the reported member to the owner', async () => {
    const dir = replayDir()
    const t = (s: number) => `2026-03-01T20:0${s}:00+08:00`
    const report = (id: string, sender: string, s: number) => ({
      id,
      kind: 'message',
      room: 'r1',
      sender,
      type: 'text',
      text: '@推广王 举报',
      mentions: ['wxid_bad'],
      ts: t(s),
    })
    const events = [
      snapshotLine({ members: ['wxid_bad', 'wxid_a', 'wxid_b', 'wxid_c'], names: { wxid_bad: '推广王' } }),
      report('e1', 'wxid_a', 1),
      report('e2', 'wxid_b', 2),
      report('e3', 'wxid_c', 3),
    ]
    const history = path.join(dir, 'h.jsonl')
    fs.writeFileSync(history, events.map((e) => JSON.stringify(e)).join('\n'))
    const out = path.join(dir, 'd.jsonl')
    await replay({ history: [history], out, log: () => {}, progress: false })
    const lines = fs
      .readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((d) => [d.event, d.target, d.rule, d.action, d.mode, d.reason])).toEqual([
      ['e3', 'wxid_bad', 'report', 'ask-owner', 'shadow', '被 3 位成员举报'],
    ])
  })

  it('replays an appeal: the member’s 申诉 and the owner’s Y in the owner log', async () => {
    const dir = replayDir()
    const config = path.join(dir, 'c.yaml')
    fs.writeFileSync(config, 'groups:\n  "*":\n    rules:\n      - id: no-ads\n        any: ["兼职"]\n')
    const t = (m: number) => `2026-03-01T20:0${m}:00+08:00`
    const events = [
      {
        id: 's',
        kind: 'room',
        room: 'r1',
        topic: '学校家长群',
        owner: 'wxid_owner',
        admins: [],
        members: ['wxid_mum'],
        names: {},
        ts: t(0),
      },
      { id: 'e1', kind: 'message', room: 'r1', sender: 'wxid_mum', type: 'text', text: '学校招兼职助教', ts: t(1) },
      { id: 'p1', kind: 'private', sender: 'wxid_mum', text: '申诉 是学校的通知', ts: t(2) },
      { id: 'p2', kind: 'private', sender: 'wxid_owner', text: 'Y2', ts: t(3) },
    ]
    const history = path.join(dir, 'h.jsonl')
    fs.writeFileSync(history, events.map((e) => JSON.stringify(e)).join('\n'))
    const ownerLog = path.join(dir, 'owner.log')
    await replay({ history: [history], config, out: path.join(dir, 'd.jsonl'), ownerLog, log: () => {}, progress: false })
    const told = fs
      .readFileSync(ownerLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { to: string; text: string })
    expect(told.map((x) => `${x.to} ${x.text.split('\n')[0]}`)).toEqual([
      'wxid_mum [qunguard] 申诉已提交给群「学校家长群」的群主，处理后会告诉你。',
      'wxid_owner [qunguard] 申诉 #2',
      'wxid_owner [qunguard] 已支持申诉 #2：规则「关键词规则 no-ads」记一次误判，清除了该成员在本群的 1 条违规记录。',
      'wxid_mum [qunguard] 你在群「学校家长群」的申诉已通过：处理已撤销，违规记录已清除。',
    ])
  })
})
