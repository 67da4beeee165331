/**
 * `qunguard learn` → policy.json → `qunguard rules` and `qunguard replay --policy`: a rule
 * learned from the owner's removals runs in shadow and proposes (ask-owner) on a new history.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runBacktest } from '../../bin/commands/backtest.ts'
import { formatRules, learn, readPolicy } from '../../bin/commands/learn.ts'
import { replay } from '../../bin/commands/replay.ts'
import { SqliteSupervisionStore } from '../../functions/adapters/local/sqlite-supervision-store.ts'
import type { GroupEvent } from '../../functions/domain/events.ts'
import { newApproval } from '../contract/approval-store.contract.ts'
import { account, at, message, roomSnapshot } from '../helpers/factories.ts'

const jsonl = (file: string, events: readonly unknown[]) => fs.writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`)

function trainHistory(): GroupEvent[] {
  const events: GroupEvent[] = [account('wxid_bot'), roomSnapshot({ owner: 'wxid_bot', admins: [] })]
  for (let i = 0; i < 6; i++) {
    const t = i * 600
    const m = `wxid_card${i}`
    events.push({ kind: 'join', id: `j${i}`, ts: at(t), room: 'r1', members: [m], via: 'qrcode' })
    events.push(message({ id: `card${i}`, sender: m, type: 'card', text: `推荐 客服${i}`, ts: at(t + 3) }))
    events.push({ kind: 'leave', id: `l${i}`, ts: at(t + 12), room: 'r1', members: [m], remover: 'wxid_bot' })
    for (let k = 0; k < 12; k++)
      events.push(message({ id: `chat${i}-${k}`, sender: `wxid_m${k % 5}`, text: `今天聊点什么 ${k}`, ts: at(t + 20 + k) }))
  }
  return events
}

describe('learn → rules → replay --policy', () => {
  it('writes a shadow ask-owner decision for what the owner used to act on, and nothing for ordinary chat', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qunguard-learn-'))
    try {
      const train = path.join(dir, 'train.jsonl')
      const test = path.join(dir, 'test.jsonl')
      const policyFile = path.join(dir, 'policy.json')
      const out = path.join(dir, 'decisions.jsonl')
      jsonl(train, [...trainHistory(), 'not json at all'])
      jsonl(test, [
        account('wxid_bot'),
        roomSnapshot({ owner: 'wxid_bot', admins: [] }),
        message({ id: 'new-card', sender: 'wxid_x', type: 'card', text: '推荐 代购', ts: at(9000) }),
        message({ id: 'hello', sender: 'wxid_m1', text: '大家好', ts: at(9001) }),
      ])
      const logged: string[] = []
      await learn({ history: [train], out: policyFile, log: (l) => logged.push(l), progress: false })
      expect(logged).toEqual([expect.stringMatching(/train\.jsonl:\d+: skipped/), expect.stringMatching(/^config: built-in defaults/)])
      const rules = formatRules(readPolicy(policyFile))
      expect(rules).toContain('[试运行] 成员推送名片 → 移出群聊')

      await replay({ history: [test], out, policy: policyFile, log: () => {}, progress: false })
      const decisions = fs
        .readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
      expect(decisions).toEqual([
        {
          event: 'new-card',
          room: 'r1',
          target: 'wxid_x',
          action: 'ask-owner',
          mode: 'shadow',
          rule: 'learned:card:anyone',
          score: expect.any(Number),
          reason: expect.stringContaining('推送名片'),
        },
      ])

      // The backtest of the same policy on its training history, as a self-contained page.
      const html = path.join(dir, 'backtest.html')
      const { text } = await runBacktest({ history: [train], policy: policyFile, html, log: () => {}, progress: false })
      const page = fs.readFileSync(html, 'utf8')
      expect(text).toContain('成员推送名片')
      expect(page).toContain('成员推送名片 → 移出群聊')
      expect(page).toContain('估计准确率')
      expect(page).not.toMatch(/<script src=/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('learns from the owners’ answers kept in the guard’s store (--store): N to every removed card, no card rule', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qunguard-learn-'))
    try {
      const train = path.join(dir, 'train.jsonl')
      const policyFile = path.join(dir, 'policy.json')
      jsonl(train, trainHistory())
      const file = path.join(dir, 'qunguard.db')
      const store = SqliteSupervisionStore.open(file)
      for (let i = 0; i < 6; i++) {
        const a = await store.open(newApproval({ decisionId: 100 + i, request: { ...newApproval().request, messageId: `card${i}` } }))
        await store.close(a.owner, a.number, 'rejected', a.createdAt)
      }
      await store.closeStore()
      const logged: string[] = []
      await learn({ history: [train], out: policyFile, store: file, log: (l) => logged.push(l), progress: false })
      expect(logged).toContain(`owners' answers in ${file}: 0 Y, 6 N`)
      expect(formatRules(readPolicy(policyFile))).not.toContain('推送名片')
      await expect(learn({ history: [train], out: policyFile, store: path.join(dir, 'none.db'), log: () => {} })).rejects.toThrow(
        /--store .*none\.db: no such file/,
      )
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
