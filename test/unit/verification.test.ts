import { afterEach, describe, expect, it } from 'vitest'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { MemoryApprovalStore } from '../../functions/adapters/memory/memory-approval-store.ts'
import { MemoryFactsStore } from '../../functions/adapters/memory/memory-facts-store.ts'
import { ConfigError, parseConfig } from '../../functions/domain/config.ts'
import type { GroupEvent } from '../../functions/domain/events.ts'
import { GuardSession } from '../../functions/domain/session.ts'
import { normalAnswer, passes, verificationCode } from '../../functions/domain/verification.ts'
import { account, at, join, message, roomSnapshot } from '../helpers/factories.ts'

const stores: SqliteGuardStore[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
})

function world(verification: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const store = SqliteGuardStore.open(':memory:')
  stores.push(store)
  const supervision = new MemoryApprovalStore()
  const config = parseConfig({ groups: { '*': { verification: { enabled: true, ...verification }, ...extra } } })
  const s = new GuardSession({ store, supervision, config, facts: new MemoryFactsStore() })
  const handle = (e: GroupEvent) => s.handle(e, { at: new Date(Date.parse(e.ts)), tick: true })
  const tick = (minute: number) => s.handle(account(), { at: new Date(Date.parse(at(minute))), tick: true })
  return { store, supervision, session: s, handle, tick }
}

const lines = (out: { decisions: readonly { decision: { rule: string; action: string; mode: string; target: string } }[] }) =>
  out.decisions.map((d) => `${d.decision.rule} ${d.decision.action} ${d.decision.mode} ${d.decision.target}`)

async function setUp(w: ReturnType<typeof world>) {
  await w.handle(account())
  await w.handle(roomSnapshot({ topic: '宝妈群', owner: 'wxid_owner', admins: ['wxid_admin'], members: ['wxid_owner', 'wxid_admin'] }))
}

describe('newcomer verification (入群验证)', () => {
  it('asks a newcomer for the code; the answer passes them and is acknowledged', async () => {
    const w = world({ minutes: 10 })
    await setUp(w)
    const j = join({ members: ['wxid_new'], names: { wxid_new: '小新' }, ts: at(0), via: 'qrcode' })
    const joined = await w.handle(j)
    const code = verificationCode('r1', j.id)
    expect(lines(joined)).toEqual(['verification reply active wxid_new'])
    expect(joined.decisions[0]?.request?.text).toBe(
      `@小新 欢迎加入「宝妈群」！请在 10 分钟内在群里回复验证码 ${code}，否则将被移出群聊。验证前发的链接、二维码、名片会被撤回。`,
    )
    expect((await w.store.getVerification('r1', 'wxid_new'))?.until).toBe(new Date(Date.parse(at(10))).toISOString())
    const answer = await w.handle(message({ sender: 'wxid_new', senderName: '小新', text: `验证码：${code}`, ts: at(3) }))
    expect(lines(answer)).toEqual(['verification reply active wxid_new'])
    expect(answer.decisions[0]?.request?.text).toBe('@小新 验证通过，欢迎！')
    expect(await w.store.getVerification('r1', 'wxid_new')).toBeUndefined()
    // Passed: nothing happens at the deadline, and a link is judged like anyone's.
    expect(lines(await w.tick(30))).toEqual([])
    expect(lines(await w.handle(message({ sender: 'wxid_new', type: 'link', url: 'https://example.com', ts: at(31) })))).toEqual([])
  })

  it('removes a newcomer who does not answer in time, once, and holds back their link before that', async () => {
    const w = world({ minutes: 10 })
    await setUp(w)
    const j = join({ members: ['wxid_new'], ts: at(0) })
    await w.handle(j)
    const link = await w.handle(message({ sender: 'wxid_new', type: 'link', text: '福利', url: 'https://t.cn/x', ts: at(2) }))
    expect(lines(link)).toEqual(['verification recall active wxid_new'])
    expect(link.decisions[0]?.decision.reason).toContain('入群验证通过前发链接')
    // A wrong answer is just a message.
    expect(lines(await w.handle(message({ sender: 'wxid_new', text: '你好', ts: at(4) })))).toEqual([])
    expect(lines(await w.tick(9))).toEqual([])
    const timeout = await w.tick(11)
    expect(lines(timeout)).toEqual(['verification remove active wxid_new'])
    expect(timeout.decisions[0]?.decision.reason).toBe('入群后 10 分钟内未完成入群验证')
    expect(lines(await w.tick(12))).toEqual([])
    // Too late: the answer is an ordinary message now.
    expect(lines(await w.handle(message({ sender: 'wxid_new', text: verificationCode('r1', j.id), ts: at(13) })))).toEqual([])
  })

  it('asks a question instead of a code, and alerts the owner on timeout where configured', async () => {
    const w = world({ minutes: 5, question: '本群的群主叫什么？', answers: ['王姐'], onTimeout: 'alert-owner' })
    await setUp(w)
    const joined = await w.handle(join({ members: ['wxid_a', 'wxid_b'], names: { wxid_a: '阿甲', wxid_b: '阿乙' }, ts: at(0) }))
    expect(joined.decisions[0]?.request?.text).toBe(
      '@阿甲 @阿乙 欢迎加入「宝妈群」！请在 5 分钟内在群里回答：本群的群主叫什么？，否则群主会收到提醒。验证前发的链接、二维码、名片会被撤回。',
    )
    expect(lines(await w.handle(message({ sender: 'wxid_a', text: '是王姐吧', ts: at(1) })))).toEqual(['verification reply active wxid_a'])
    const timeout = await w.tick(6)
    expect(lines(timeout)).toEqual(['verification alert-owner active wxid_b'])
    expect(timeout.decisions[0]?.request?.text).toBe('[qunguard] 群「宝妈群」成员 阿乙：入群后 5 分钟内未完成入群验证，请留意。')
  })

  it('exempts members invited by staff, skips staff, and leaves alone a newcomer who left', async () => {
    const w = world({})
    await setUp(w)
    expect(lines(await w.handle(join({ members: ['wxid_friend'], inviter: 'wxid_admin', via: 'invite', ts: at(0) })))).toEqual([])
    expect(await w.store.getVerification('r1', 'wxid_friend')).toBeUndefined()
    await w.handle(join({ members: ['wxid_gone'], ts: at(1) }))
    await w.handle({ kind: 'leave', id: 'l1', ts: at(2), room: 'r1', members: ['wxid_gone'] })
    expect(lines(await w.tick(20))).toEqual([])
    expect(await w.store.getVerification('r1', 'wxid_gone')).toBeUndefined()
  })

  it('puts the timeout to the owner in shadow mode, and can be switched from the private chat', async () => {
    const w = world({ mode: 'shadow' })
    await setUp(w)
    await w.handle(join({ members: ['wxid_new'], ts: at(0) }))
    const timeout = await w.tick(11)
    expect(lines(timeout)).toEqual(['verification ask-owner shadow wxid_new'])
    expect(timeout.effects.some((e) => e.kind === 'say' && e.to === 'wxid_owner' && e.text.includes('入群验证'))).toBe(true)
    // 验证 G1 关: newcomers are no longer asked.
    const off = await w.handle({ kind: 'private', id: 'p1', ts: at(20), sender: 'wxid_owner', text: '验证 G1 关' })
    expect(off.effects.map((e) => (e.kind === 'say' ? e.text : ''))).toEqual(['[qunguard] 群「宝妈群」已关闭入群验证。'])
    expect(lines(await w.handle(join({ members: ['wxid_later'], ts: at(21) })))).toEqual([])
  })

  it('reads answers loosely (full-width, spaces, punctuation) and rejects question without answers in the config', () => {
    expect(normalAnswer(' ４８２１ 。')).toBe('4821')
    expect(passes('我的验证码是 4821！', ['4821'])).toBe(true)
    expect(passes('482', ['4821'])).toBe(false)
    expect(() => parseConfig({ groups: { '*': { verification: { enabled: true, question: '群主叫什么？' } } } })).toThrow(ConfigError)
  })
})
