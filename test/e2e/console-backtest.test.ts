/** The console's backtest of a learned rule on the stored history (no browser: the app answers requests). */
import { afterEach, describe, expect, it } from 'vitest'
import { consoleAnalytics } from '../../bot-host/console/console-words.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { MemoryApprovalStore } from '../../functions/adapters/memory/memory-approval-store.ts'
import { consoleApp } from '../../functions/console/console-app.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import type { GroupEvent } from '../../functions/domain/events.ts'
import type { LearnedPolicy } from '../../functions/domain/learning/rule-learner.ts'
import { supervisorFor } from '../../functions/domain/supervision/catalogue.ts'
import { account, at, message, roomSnapshot } from '../helpers/factories.ts'

const stores: SqliteGuardStore[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
})

const TOKEN = 'console-backtest-token-0123'
const rule = {
  id: 'learned:card:anyone',
  room: 'r1',
  what: 'card' as const,
  who: 'anyone' as const,
  action: 'remove' as const,
  mode: 'shadow' as const,
  evidence: { matched: 6, labelled: 5, rate: 0.83, precision: 1, announced: false },
  sentence: '成员推送名片 → 移出群聊（历史：命中 6 次）',
}
const policy: LearnedPolicy = {
  version: 1,
  createdAt: at(0),
  rooms: { r1: { rules: [rule], actionRate: 0.8, actionRateEstimated: true, ownerActions: 5 } },
  stats: { events: 0, messages: 0, labelled: 0 },
}

describe('the console’s backtest of a learned rule', () => {
  it('links each learned rule to its backtest: what it would have caught, and what the owner left alone', async () => {
    const store = SqliteGuardStore.open(':memory:')
    stores.push(store)
    const snapshot = roomSnapshot({ topic: '宝妈群', owner: 'wxid_owner', admins: [], members: ['wxid_owner'] })
    const events: GroupEvent[] = [account('wxid_bot'), snapshot]
    for (let i = 0; i < 4; i++) {
      events.push(message({ id: `card${i}`, sender: `wxid_c${i}`, type: 'card', text: `推荐 客服${i}`, ts: at(i * 60) }))
      events.push({ kind: 'leave', id: `l${i}`, ts: at(i * 60 + 5), room: 'r1', members: [`wxid_c${i}`], remover: 'wxid_owner' })
    }
    events.push(
      message({ id: 'friend-card', sender: 'wxid_mum', senderName: '小美妈妈', type: 'card', text: '推荐 儿科医生', ts: at(400) }),
    )
    for (const e of events) await store.commit({ event: e, ...(e.kind === 'room' ? { room: e } : {}) })
    const config = parseConfig({})
    const supervisor = supervisorFor(config, new MemoryApprovalStore(), {
      policy,
      rooms: store,
      decisions: store,
      members: store,
      blacklist: store,
    })
    const app = consoleApp(
      { viewer: 'wxid_owner', supervisor: () => supervisor, store, policy, analytics: consoleAnalytics(480) },
      { token: TOKEN },
    )
    const get = async (url: string) => (await app.request(url, { headers: { authorization: `Bearer ${TOKEN}` } })).text()
    expect(await get('/rules')).toContain('/backtest?room=r1&rule=learned%3Acard%3Aanyone')
    const page = await get('/backtest?room=r1&rule=learned%3Acard%3Aanyone')
    expect(page).toContain('成员推送名片 → 移出群聊')
    expect(page).toContain('会命中 5 次')
    expect(page).toContain('小美妈妈')
    expect(page).toContain('推荐 儿科医生')
    expect((await app.request('/backtest?room=r1&rule=nope', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404)
  })

  it('backtests a keyword rule of the config the same way: what it would catch, and what the owner let pass', async () => {
    const store = SqliteGuardStore.open(':memory:')
    stores.push(store)
    const snapshot = roomSnapshot({ topic: '宝妈群', owner: 'wxid_owner', admins: [], members: ['wxid_owner'] })
    const events: GroupEvent[] = [account('wxid_bot'), snapshot]
    for (let i = 0; i < 3; i++) {
      events.push(message({ id: `ad${i}`, sender: `wxid_ad${i}`, text: `代购正品 ${i}`, ts: at(i * 60) }))
      events.push({ kind: 'leave', id: `l${i}`, ts: at(i * 60 + 5), room: 'r1', members: [`wxid_ad${i}`], remover: 'wxid_owner' })
    }
    events.push(message({ id: 'ask', sender: 'wxid_mum', senderName: '小美妈妈', text: '有人知道哪里能代购奶粉吗', ts: at(400) }))
    events.push(message({ id: 'owner-says', sender: 'wxid_owner', text: '不要代购', ts: at(401) }))
    for (const e of events) await store.commit({ event: e, ...(e.kind === 'room' ? { room: e } : {}) })
    const config = parseConfig({ groups: { '*': { rules: [{ id: 'no-daigou', any: ['代购'], reason: '本群禁止代购广告' }] } } })
    const supervisor = supervisorFor(config, new MemoryApprovalStore(), {
      rooms: store,
      decisions: store,
      members: store,
      blacklist: store,
    })
    const app = consoleApp({ viewer: 'wxid_owner', supervisor: () => supervisor, store, config }, { token: TOKEN })
    const get = async (url: string) => (await app.request(url, { headers: { authorization: `Bearer ${TOKEN}` } })).text()
    expect(await get('/rules')).toContain('/backtest?room=r1&rule=no-daigou')
    const page = await get('/backtest?room=r1&rule=no-daigou')
    expect(page).toContain('本群禁止代购广告')
    expect(page).toContain('会命中 4 次') // the owner's own message is never counted
    expect(page).toContain('群主未处理 1 次')
    expect(page).toContain('有人知道哪里能代购奶粉吗')
  })

  it('backtests the keywords added in the chat (加关键词) as the room’s owner-keywords rule', async () => {
    const store = SqliteGuardStore.open(':memory:')
    stores.push(store)
    const snapshot = roomSnapshot({ topic: '宝妈群', owner: 'wxid_owner', admins: [], members: ['wxid_owner'] })
    const events: GroupEvent[] = [account('wxid_bot'), snapshot]
    for (let i = 0; i < 2; i++) events.push(message({ id: `ad${i}`, sender: `wxid_ad${i}`, text: `团购接龙 ${i}`, ts: at(i * 60) }))
    for (const e of events) await store.commit({ event: e, ...(e.kind === 'room' ? { room: e } : {}) })
    const config = parseConfig({})
    const approvals = new MemoryApprovalStore()
    await approvals.saveRoomOverrides('r1', { keywords: ['团购'] })
    const supervisor = supervisorFor(config, approvals, { rooms: store, decisions: store, members: store, blacklist: store })
    const app = consoleApp({ viewer: 'wxid_owner', supervisor: () => supervisor, store, config, requests: approvals }, { token: TOKEN })
    const get = async (url: string) => (await app.request(url, { headers: { authorization: `Bearer ${TOKEN}` } })).text()
    const page = await get('/backtest?room=r1&rule=owner-keywords')
    expect(page).toContain('会命中 2 次')
    expect(page).toContain('团购接龙 1')
    expect(await get('/rules')).toContain('/backtest?room=r1&rule=owner-keywords')
  })
})

describe('a decision in its context', () => {
  it('shows the messages around the decided one in the group, that one marked, and only in the viewer’s groups', async () => {
    const store = SqliteGuardStore.open(':memory:')
    stores.push(store)
    const snapshot = roomSnapshot({ topic: '宝妈群', owner: 'wxid_owner', admins: [], members: ['wxid_owner'] })
    const other = roomSnapshot({ room: 'r2', topic: '别人的群', owner: 'wxid_other', admins: [], members: ['wxid_other'] })
    for (const e of [account('wxid_bot'), snapshot, other]) await store.commit({ event: e, ...(e.kind === 'room' ? { room: e } : {}) })
    for (let i = 0; i < 10; i++)
      await store.commit({ event: message({ id: `m${i}`, sender: 'wxid_a', senderName: '小花', text: `第${i}句`, ts: at(i) }) })
    const ad = message({ id: 'ad', sender: 'wxid_ad', senderName: '推广员', text: '加微信 13812345678', ts: at(10) })
    const decision = {
      event: 'ad',
      room: 'r1',
      target: 'wxid_ad',
      action: 'warn' as const,
      mode: 'active' as const,
      rule: 'no-ads',
      score: 1,
      reason: '广告',
    }
    const [id] = (await store.commit({ event: ad, decisions: [decision] })).decisionIds
    await store.commit({ event: message({ id: 'after', sender: 'wxid_a', senderName: '小花', text: '别发广告', ts: at(11) }) })
    const elsewhere = message({ id: 'x', room: 'r2', sender: 'wxid_ad', text: '加微信', ts: at(12) })
    const [otherId] = (await store.commit({ event: elsewhere, decisions: [{ ...decision, event: 'x', room: 'r2' }] })).decisionIds
    const requests = new MemoryApprovalStore()
    const supervisor = supervisorFor(parseConfig({}), requests, {
      rooms: store,
      decisions: store,
      members: store,
      blacklist: store,
    })
    const app = consoleApp({ viewer: 'wxid_owner', supervisor: () => supervisor, store, requests }, { token: TOKEN })
    const get = (url: string) => app.request(url, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(await (await get('/decisions')).text()).toContain(`href="/decisions/${id}"`)
    const page = await (await get(`/decisions/${id}`)).text()
    expect(page).toContain('宝妈群')
    expect(page).toContain('<strong>加微信 138****5678</strong>')
    expect(page).not.toContain('13812345678')
    // Six before it, the one after it.
    expect(page).toContain('第4句')
    expect(page).not.toContain('第3句')
    expect(page).toContain('别发广告')
    expect(page).toContain('群主：没有问过你')
    // Put to the owner and answered N: the page says so.
    await requests.open({
      owner: 'wxid_owner',
      room: 'r1',
      rule: 'no-ads',
      decisionId: id ?? 0,
      request: { decisionId: id ?? 0, decision, text: '' } as never,
      createdAt: at(10),
      deadline: at(600),
      done: true,
    })
    await requests.close('wxid_owner', 1, 'rejected', at(20))
    expect(await (await get(`/decisions/${id}`)).text()).toContain('群主：#1 你标为误判')
    expect((await get(`/decisions/${otherId}`)).status).toBe(404)
    expect((await get('/decisions/999')).status).toBe(404)
  })
})
