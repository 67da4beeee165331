import { afterEach, describe, expect, it } from 'vitest'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { MemoryApprovalStore } from '../../functions/adapters/memory/memory-approval-store.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import type { GroupEvent } from '../../functions/domain/events.ts'
import { GuardSession } from '../../functions/domain/session.ts'
import { account, at, message, roomSnapshot } from '../helpers/factories.ts'

const stores: SqliteGuardStore[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
})

function setup() {
  const store = SqliteGuardStore.open(':memory:')
  stores.push(store)
  const supervision = new MemoryApprovalStore()
  const config = parseConfig({
    groups: { '*': { blacklist: { action: 'off' }, rules: [{ id: 'no-ads', any: ['兼职'], reason: '本群禁止招聘广告' }] } },
  })
  const s = new GuardSession({ store, supervision, config })
  let minute = 0
  const run = async (e: GroupEvent) => s.handle(e, { at: new Date(Date.parse(at(++minute))) })
  const dm = async (sender: string, text: string) =>
    (await run({ kind: 'private', id: `p${minute}`, ts: at(minute), sender, text })).effects.flatMap((e) =>
      e.kind === 'say' ? [`${e.to}: ${e.text}`] : [],
    )
  const post = async (text: string) =>
    (await run(message({ sender: 'wxid_mum', senderName: '小美妈妈', text, ts: at(minute) }))).decisions.map((d) => d.request?.text ?? '')
  return { run, dm, post, supervision }
}

describe('appeals (申诉)', () => {
  it('puts a warned member’s appeal to the owner with the evidence; upheld, the rule records a false positive and the member’s offences are cleared', async () => {
    const t = setup()
    for (const e of [account(), roomSnapshot({ topic: '学校家长群', members: ['wxid_owner', 'wxid_mum'] })]) await t.run(e)
    expect(await t.post('学校招兼职助教，家长可报名')).toEqual([expect.stringContaining('第 1 次提醒')])
    const asked = await t.dm('wxid_mum', '申诉：这是学校的通知，不是广告')
    expect(asked).toEqual([
      'wxid_mum: [qunguard] 申诉已提交给群「学校家长群」的群主，处理后会告诉你。',
      expect.stringMatching(
        /^wxid_owner: \[qunguard\] 申诉 #\d+\n群：学校家长群\n成员：小美妈妈\n处理：警告（本群禁止招聘广告）\n当时的内容：学校招兼职助教，家长可报名\n申诉理由：这是学校的通知，不是广告\n回复 Y\d+ 支持申诉/,
      ),
    ])
    expect(await t.dm('wxid_mum', '申诉')).toEqual(['wxid_mum: [qunguard] 你的申诉已经提交，请等待群主处理。'])
    const n = /申诉 #(\d+)/.exec(asked[1] ?? '')?.[1]
    const upheld = await t.dm('wxid_owner', `Y${n}`)
    expect(upheld).toEqual([
      `wxid_owner: [qunguard] 已支持申诉 #${n}：规则「本群禁止招聘广告」记一次误判，清除了该成员在本群的 1 条违规记录。`,
      'wxid_mum: [qunguard] 你在群「学校家长群」的申诉已通过：处理已撤销，违规记录已清除。',
    ])
    expect((await t.supervision.getRule('r1', 'no-ads'))?.rejected).toBe(1)
    // Cleared: the next offence is the first again.
    expect(await t.post('兼职日结')).toEqual([expect.stringContaining('第 1 次提醒')])
  })

  it('keeps the decision when the owner says N, and answers a member with nothing to appeal', async () => {
    const t = setup()
    for (const e of [account(), roomSnapshot({ topic: '学校家长群', members: ['wxid_owner', 'wxid_mum'] })]) await t.run(e)
    expect(await t.dm('wxid_mum', '申诉')).toEqual(['wxid_mum: [qunguard] 没有找到最近 30 天内你被警告或移出的记录。'])
    await t.post('兼职日结')
    const asked = await t.dm('wxid_mum', '申诉 我错了')
    const n = /申诉 #(\d+)/.exec(asked[1] ?? '')?.[1]
    expect(await t.dm('wxid_owner', `N${n}`)).toEqual([
      `wxid_owner: [qunguard] 已维持原处理（申诉 #${n}）。`,
      'wxid_mum: [qunguard] 你在群「学校家长群」的申诉未被支持，维持原处理。',
    ])
    expect((await t.supervision.getRule('r1', 'no-ads'))?.rejected ?? 0).toBe(0)
    expect(await t.post('兼职日结')).toEqual([expect.stringContaining('第 2 次提醒')])
  })
})
