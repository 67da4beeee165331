import { describe, expect, it } from 'vitest'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import { Guard } from '../../functions/domain/guard.ts'
import type { ActionExecutor, ActionRequest } from '../../functions/ports/action-executor.port.ts'
import { account, at, message, roomSnapshot } from '../helpers/factories.ts'

// A warn → warn → remove ladder, and a silent rule (alert the owner, nothing in the group).
const config = (quiet = false) =>
  parseConfig({
    groups: {
      '*': {
        quiet,
        rules: [
          { id: 'no-ads', any: ['加微信'], action: 'escalate' },
          { id: 'watch', any: ['转账'], action: 'alert-owner' },
        ],
      },
    },
  })

async function primed(quiet = false) {
  const store = SqliteGuardStore.open(':memory:')
  const sent: ActionRequest[] = []
  const executor: ActionExecutor = {
    execute: async (r) => {
      sent.push(r)
      return { status: 'done', detail: 'ok' }
    },
  }
  const guard = new Guard({ store, config: config(quiet), executor })
  await guard.handleEvent(account('wxid_bot'))
  await guard.handleEvent(roomSnapshot())
  return { guard, store, sent }
}

const actionsOf = (r: Awaited<ReturnType<Guard['handle']>>) =>
  r.status === 'stored' ? r.decisions.map((d) => d.decision.action) : r.status

describe('the ladder a member is told about', () => {
  it('does not count a silent owner alert: the member is removed only after what the warnings said', async () => {
    const { guard, sent } = await primed()
    expect(actionsOf(await guard.handle(message({ text: '加微信', ts: at(1) })))).toEqual(['warn'])
    expect(sent.at(-1)?.text).toContain('再违规 2 次将被移出群聊')
    // Silent: the member is not told, so it is not a step on their ladder.
    expect(actionsOf(await guard.handle(message({ text: '先转账', ts: at(2) })))).toEqual(['alert-owner'])
    expect(actionsOf(await guard.handle(message({ text: '加微信', ts: at(3) })))).toEqual(['warn'])
    expect(sent.at(-1)?.text).toContain('这是第 2 次提醒，再违规 1 次将被移出群聊')
    expect(actionsOf(await guard.handle(message({ text: '加微信', ts: at(4) })))).toEqual(['remove'])
  })

  it('records on each offence whether it counted', async () => {
    const { guard, store } = await primed()
    await guard.handle(message({ text: '加微信', ts: at(1) }))
    await guard.handle(message({ text: '先转账', ts: at(2) }))
    expect(await store.countOffences('r1', 'wxid_member', at(0), 'active')).toBe(1)
  })

  it('in quiet mode never removes a member who was never warned', async () => {
    const { guard } = await primed(true)
    for (const minute of [1, 2, 3, 4])
      expect(actionsOf(await guard.handle(message({ text: '加微信', ts: at(minute) })))).toEqual(['alert-owner'])
  })
})
