import { describe, expect, it } from 'vitest'
import { AccountRouter, type RoutedAccount } from '../../bot-host/account-router.ts'
import { MemoryBotRegistry } from '../../functions/adapters/memory/memory-bot-registry.ts'
import type { ActionExecutor, ActionRequest } from '../../functions/ports/action-executor.port.ts'

const request = (action = 'remove'): ActionRequest => ({
  decisionId: 1,
  decision: { event: 'm1', room: 'r1', target: 'wxid_x', action, mode: 'active', rule: 'ads', reason: '广告' } as ActionRequest['decision'],
  messageId: 'm1',
  text: '',
})

function account(id: string, behave: 'ok' | 'dies' | 'hangs' | 'refused', log: string[]): RoutedAccount & { up: boolean } {
  const a = {
    id,
    up: true,
    alive: () => a.up,
    executor: {
      execute: async () => {
        log.push(id)
        if (behave === 'dies') {
          a.up = false
          return { status: 'failed' as const, detail: 'not logged in' }
        }
        if (behave === 'hangs') return new Promise(() => {})
        if (behave === 'refused') return { status: 'failed' as const, detail: 'WeChat refused' }
        return { status: 'done' as const, detail: `removed by ${id}` }
      },
    } satisfies ActionExecutor,
  }
  return a
}

async function router(accounts: RoutedAccount[], o: { beatAgo?: Record<string, number> } = {}) {
  const registry = new MemoryBotRegistry()
  const now = Date.now()
  for (const [i, a] of accounts.entries())
    await registry.beat({ bot: a.id, lastBeat: new Date(now - (o.beatAgo?.[a.id] ?? i * 10)).toISOString(), rooms: ['r1'] })
  const failovers: string[] = []
  const r = new AccountRouter({
    registry,
    heartbeatSeconds: 1,
    actionTimeoutMs: 200,
    waitMs: 300,
    pollMs: 50,
    onFailover: (l) => failovers.push(l),
  })
  for (const a of accounts) r.add(a)
  return { r, registry, failovers }
}

describe('AccountRouter', () => {
  it('passes a single account straight through', async () => {
    const log: string[] = []
    const { r } = await router([account('a', 'refused', log)])
    expect(await r.execute(request())).toEqual({ status: 'failed', detail: 'WeChat refused' })
  })

  it('moves an action from an account that died on it to a live one, once', async () => {
    const log: string[] = []
    const { r, failovers } = await router([account('a', 'dies', log), account('b', 'ok', log)])
    const outcome = await r.execute(request())
    expect(outcome.status).toBe('done')
    expect(outcome.detail).toContain('carried out by b after a failed')
    expect(log).toEqual(['a', 'b'])
    expect(failovers).toHaveLength(1)
    // a stays aside: the next action goes to b directly.
    await r.execute(request())
    expect(log).toEqual(['a', 'b', 'b'])
  })

  it('sets aside an account that does not answer in time', async () => {
    const log: string[] = []
    const { r } = await router([account('a', 'hangs', log), account('b', 'ok', log)])
    expect((await r.execute(request())).status).toBe('done')
    expect(log).toEqual(['a', 'b'])
  })

  it('keeps a refusal by WeChat as the outcome (the account is alive)', async () => {
    const log: string[] = []
    const { r } = await router([account('a', 'refused', log), account('b', 'ok', log)])
    expect(await r.execute(request())).toEqual({ status: 'failed', detail: 'WeChat refused' })
    expect(log).toEqual(['a'])
  })

  it('waits for a live account, then says none was there', async () => {
    const log: string[] = []
    const { r } = await router([account('a', 'ok', log), account('b', 'ok', log)], { beatAgo: { a: 10_000, b: 10_000 } })
    const outcome = await r.execute(request())
    expect(outcome.status).toBe('failed')
    expect(outcome.detail).toContain('no live guard account')
    expect(log).toEqual([])
  })

  it('takes an account set aside back once it beats again', async () => {
    const log: string[] = []
    const a = account('a', 'ok', log)
    const { r, registry } = await router([a, account('b', 'ok', log)], { beatAgo: { a: 0, b: 500 } })
    r.setAside('a')
    await r.execute(request())
    expect(log).toEqual(['b'])
    await new Promise((res) => setTimeout(res, 5))
    await registry.beat({ bot: 'a', lastBeat: new Date().toISOString(), rooms: ['r1'] })
    await r.execute(request())
    expect(log).toEqual(['b', 'a'])
  })

  it('tells the owner what to do by hand when no live account is in the group', async () => {
    const sent: ActionRequest[] = []
    const b: RoutedAccount = {
      id: 'b',
      alive: () => true,
      executor: {
        execute: async (r) => {
          sent.push(r)
          return { status: 'done', detail: 'said' }
        },
      },
    }
    const registry = new MemoryBotRegistry()
    await registry.beat({ bot: 'b', lastBeat: new Date().toISOString(), rooms: ['r1'] })
    const r = new AccountRouter({
      registry,
      heartbeatSeconds: 1,
      waitMs: 100,
      pollMs: 20,
      stranded: async (req) => ({ ...req, decision: { ...req.decision, room: 'private', action: 'alert-owner' }, text: '请手动处理' }),
    })
    r.add(b)
    r.add({ id: 'c', alive: () => false, executor: b.executor })
    const outcome = await r.execute({ ...request(), decision: { ...request().decision, room: 'r9' }, ownerId: 'wxid_owner' })
    expect(outcome.status).toBe('fallback')
    expect(outcome.detail).toContain('the owner was told')
    expect(sent.map((s) => [s.decision.room, s.text])).toEqual([['private', '请手动处理']])
  })
})
