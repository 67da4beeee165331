/**
 * The learned rulebook on AWS: learn relearns each room's rules from the stored history (the same
 * learnFromHistory as `qunguard learn`), saves them for moderate and tells the owner what is new;
 * moderate loads them and judges with its memory of members in a FactsStore.
 */
import { describe, expect, it } from 'vitest'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { MemoryFactsStore } from '../../functions/adapters/memory/memory-facts-store.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import { Guard } from '../../functions/domain/guard.ts'
import { roomRulebookKey } from '../../functions/domain/learning/rulebook-text.ts'
import type { ApprovalsRequest } from '../../functions/domain/stage-messages.ts'
import { POLICY_KEY, StoredPolicy } from '../../functions/domain/stored-policy.ts'
import { learn } from '../../functions/handlers/learn.ts'
import { moderateBatch, rulebookGuard } from '../../functions/handlers/moderate.ts'
import type { ActionRequest } from '../../functions/ports/action-executor.port.ts'
import { at, join, message } from '../helpers/factories.ts'
import { linkRemovalHistory } from '../helpers/histories.ts'
import { lambdaContext, sqsEvent, sqsRecord } from '../helpers/lambda.ts'
import { MapMedia } from '../helpers/map-media.ts'
import { MemoryQueue } from '../helpers/memory-queue.ts'

describe('the learned rulebook on AWS', () => {
  it('is relearned from the stored history, announced to the owner once, and judges in moderate', async () => {
    const store = SqliteGuardStore.open(':memory:')
    const config = parseConfig({})
    const keeper = new Guard({ store, config })
    for (const e of linkRemovalHistory({ owner: 'wxid_owner' })) await keeper.handleEvent(e)
    const media = new MapMedia()
    const actions = new MemoryQueue<ActionRequest>()
    const now = () => new Date('2026-03-05T00:00:00Z')
    const deps = { store, media, bucket: 'b', config, actions, now, minSpam: 1000 }

    const first = await learn(deps)
    expect(first.rulebook).toMatchObject({ key: POLICY_KEY, rooms: 1, changed: 1 })
    expect(first.rulebook.rules).toBeGreaterThan(0)
    const [told] = actions.take()
    expect(told).toMatchObject({ ownerId: 'wxid_owner', decision: { action: 'alert-owner' } })
    expect(told?.text).toContain('群「测试群」的规则已按最近的聊天记录重新学习')
    expect(told?.text).toContain('新规则（试运行，先问您再处理）：入群不满 1 天的成员发链接 → 移出群聊')
    // For operators: the room's rules as its owner reads them, one object a room.
    const text = new TextDecoder().decode(await media.get(roomRulebookKey('r1')))
    expect(text).toContain('群「测试群」')
    expect(text).toContain('[试运行] 入群不满 1 天的成员发链接 → 移出群聊')
    // The same history again: the same rules, nothing to tell.
    expect((await learn(deps)).rulebook.changed).toBe(0)
    expect(actions.take()).toEqual([])

    const rulebook = new StoredPolicy({ media, key: POLICY_KEY })
    const facts = new MemoryFactsStore()
    const guard = rulebookGuard(rulebook, (policy) => new Guard({ store, config, learned: policy ? { policy, facts } : undefined }))
    const approvals = new MemoryQueue<ApprovalsRequest>()
    const moderate = { guard, actions, approvals }
    const later = 6 * 600 + 60
    const record = (body: unknown) => sqsEvent([sqsRecord(JSON.stringify(body), 'r1')])
    await keeper.handleEvent(join({ room: 'r1', members: ['wxid_z'], via: 'qrcode', ts: at(later) }))
    const link = message({ sender: 'wxid_z', type: 'link', text: '领红包', url: 'https://z.cn/a', ts: at(later + 3) })
    const r = await moderateBatch(moderate, record({ event: link }), lambdaContext('moderate'))
    expect(r.batchItemFailures).toEqual([])
    expect(actions.take()).toEqual([]) // a new rule starts in shadow: nothing happens in the group
    const [asked] = approvals.take()
    expect(asked).toMatchObject({
      kind: 'decision',
      decision: {
        decision: { rule: 'learned:link:joined@24h', mode: 'shadow', target: 'wxid_z' },
        proposal: { request: { ownerId: 'wxid_owner' } },
      },
    })
    // The Guard is built once per rulebook.
    expect(await guard()).toBe(await guard())
  })

  it('learns from the owners’ answers: an N clears what a removal seemed to say, a Y labels a message outright', async () => {
    const store = SqliteGuardStore.open(':memory:')
    const config = parseConfig({})
    const keeper = new Guard({ store, config })
    for (const e of linkRemovalHistory({ owner: 'wxid_owner' })) await keeper.handleEvent(e)
    const now = () => new Date('2026-03-05T00:00:00Z')
    const answered = (status: 'approved' | 'rejected', ids: string[]) => ({
      listAnswered: async () => ids.map((messageId) => ({ status, request: { messageId } })) as never,
    })
    const run = async (approvals: ReturnType<typeof answered>) => {
      const media = new MapMedia()
      const r = await learn({ store, media, bucket: 'b', config, now, minSpam: 1000, approvals })
      const policy = await new StoredPolicy({ media, key: POLICY_KEY }).current()
      return { rules: r.rulebook.rules, ids: Object.values(policy?.rooms ?? {}).flatMap((room) => room.rules.map((rule) => rule.id)) }
    }
    const learnt = await run(answered('approved', []))
    expect(learnt.ids).toContain('learned:link:joined@24h')
    // The owner said N to every removed link: nothing left to learn a link rule from.
    const cleared = await run(
      answered(
        'rejected',
        [0, 1, 2, 3, 4, 5].map((i) => `spam${i}`),
      ),
    )
    expect(cleared.ids.filter((id) => id.startsWith('learned:link'))).toEqual([])
  })
})
