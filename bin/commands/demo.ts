/**
 * `qunguard demo`: the embedded guard against wechaty-puppet-mock, with a scripted group.
 * A marketer joins, posts ads, is warned twice and removed; an admin who uses the same words
 * is left alone. Prints the timeline in Chinese, as an owner would read it: what members post
 * and what the guard does, then the decision log.
 */
import YAML from 'yaml'
import { MockFleet } from '../../bot-host/mock-fleet.ts'
import { MockWorld } from '../../bot-host/mock-world.ts'
import { QunGuard } from '../../bot-host/qunguard-plugin.ts'
import { SqliteBotRegistry } from '../../functions/adapters/local/sqlite-bot-registry.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import { memberName, stepName } from '../../functions/domain/owner-words.ts'

export const DEMO_CONFIG = `
groups:
  "*":
    mode: active
    escalation: [warn, warn, remove]
    # Wechaty does not expose group admins, so staff beyond the owner are named here.
    admins: ["wxid_xiaoli"]
    rules:
      - id: no-ads
        any: ["加微信", "代购", "vx"]
        exclude: ["团购接龙"]
        action: escalate
        reason: 本群禁止广告和引流
`

export async function runDemo(print: (line: string) => void = (l) => console.log(l)): Promise<void> {
  const config = parseConfig(YAML.parse(DEMO_CONFIG))
  const store = SqliteGuardStore.open(':memory:')
  const plugin = QunGuard({ config, store, onError: (e) => print(`  ! ${e.message}`) })
  const world = await MockWorld.start({ plugins: [plugin] })
  try {
    const owner = world.contact('王姐')
    const admin = world.contact('小李', 'wxid_xiaoli')
    const mum = world.contact('乐乐妈')
    const marketer = world.contact('优惠小助手')
    const room = world.room('周末亲子活动群', { owner, members: [admin, mum] })

    const names = new Map([owner, admin, mum, marketer, world.self].map((c) => [c.id, c.payload.name]))
    const nameOf = (id: string) => memberName(names.get(id), id)
    let seen = 0
    const report = async () => {
      await plugin.idle()
      await world.settle()
      await plugin.idle()
      for (const r of world.records.slice(seen)) {
        if (r.kind === 'say' && r.where.startsWith('dm:'))
          print(`    🔒 守卫私信 ${nameOf(r.where.slice(3))}：${r.text.replace(/\n/g, ' / ')}`)
        else if (r.kind === 'say') print(`    🛡  守卫在群里说：${r.text}`)
        else if (r.kind === 'remove') print(`    🚫 守卫把 ${nameOf(r.target ?? '')} 移出了群聊`)
        else print(`    ↩  守卫撤回了 ${nameOf(r.target ?? '')} 的一条消息`)
      }
      seen = world.records.length
    }
    const post = async (who: typeof owner, text: string) => {
      print(`  ${who.payload.name}：${text}`)
      await world.say(who, room, text)
      await report()
    }

    print(`群「周末亲子活动群」：群主 王姐，管理员 小李，成员 乐乐妈；守卫用「${world.self.payload.name}」这个号运行`)
    const ladder = config.groups['*']?.escalation?.map(stepName).join(' → ') ?? ''
    print(`规则「本群禁止广告和引流」：消息含 加微信 / 代购 / vx 之一（含 团购接龙 的除外）；处理阶梯：${ladder}\n`)
    await post(mum, '周六上午十点公园见，记得带水')
    print(`  ${marketer.payload.name} 扫描 王姐 分享的二维码入群（Wechaty 把分享人报为邀请人）`)
    await world.join(room, marketer, owner)
    await report()
    await post(marketer, '宝妈兼职，日赚300，加微信 abc8888 详聊')
    await post(admin, '提醒大家：有人私聊让你加微信转账的，千万别信')
    await post(marketer, '正品代购，V.X：abc8888')
    await post(mum, '团购接龙：加微信群的水果团，明天截单')
    await post(marketer, '加 微 信 领 红 包')

    const decisions = await store.listDecisions({ room: room.id })
    const actions = await Promise.all(decisions.map((d) => store.listActions(d.id)))
    print('\n决策记录（与 `qunguard replay` 写出的格式相同，成员换成了昵称）：')
    for (const [i, d] of decisions.entries()) {
      print(
        `  ${JSON.stringify({ event: d.event, target: nameOf(d.target), action: d.action, mode: d.mode, rule: d.rule, reason: d.reason, outcome: actions[i]?.[0]?.status })}`,
      )
    }
  } finally {
    await world.stop()
    await store.close()
  }
}

/**
 * `qunguard demo --failover`: two guard accounts in the same group (one guard, config `accounts`).
 * Marketers flood the group; halfway through, account 守卫甲 drops off; 守卫乙 carries out every
 * pending warning and removal, tells the owner once, and 守卫甲 comes back without repeating
 * anything. Beats are one second here (30 s by default) so that the story takes seconds.
 */
export async function runFailoverDemo(print: (line: string) => void = (l) => console.log(l)): Promise<void> {
  const config = parseConfig(YAML.parse(DEMO_CONFIG))
  const store = SqliteGuardStore.open(':memory:')
  const registry = SqliteBotRegistry.open(':memory:')
  const plugin = QunGuard({
    config,
    store,
    tickMs: 0,
    accounts: { registry, heartbeatSeconds: 1, actionTimeoutMs: 2000 },
    onNotice: () => {},
    onError: (e) => print(`  ! ${e.message}`),
  })
  const fleet = await MockFleet.start({
    accounts: [
      { name: '守卫甲', id: 'wxid_guard_jia' },
      { name: '守卫乙', id: 'wxid_guard_yi' },
    ],
    plugins: [plugin],
  })
  try {
    const owner = fleet.contact('王姐', 'wxid_wangjie')
    const mum = fleet.contact('乐乐妈')
    const room = fleet.room('周末亲子活动群', { owner, members: [mum] })
    const marketers = ['优惠小助手', '兼职宝妈', '代购阿珍', '理财顾问'].map((n) => fleet.contact(n))
    const names = new Map<string, string>([
      [owner.id, '王姐'],
      [mum.id, '乐乐妈'],
      ['wxid_guard_jia', '守卫甲'],
      ['wxid_guard_yi', '守卫乙'],
      ...marketers.map((m) => [m.id, m.payload.name] as [string, string]),
    ])
    const nameOf = (id: string) => memberName(names.get(id), id)
    let seen = 0
    const report = async () => {
      await plugin.idle()
      await fleet.settle()
      await plugin.idle()
      const records = fleet.records()
      for (const r of records.slice(seen)) {
        const by = nameOf(r.by)
        if (r.kind === 'say' && r.where.startsWith('dm:'))
          print(`    🔒 ${by} 私信 ${nameOf(r.where.slice(3))}：${r.text.replace(/\n/g, ' / ')}`)
        else if (r.kind === 'say') print(`    🛡  ${by} 在群里说：${r.text}`)
        else if (r.kind === 'remove') print(`    🚫 ${by} 把 ${nameOf(r.target ?? '')} 移出了群聊`)
      }
      seen = records.length
    }
    print('群「周末亲子活动群」由两个守卫号 守卫甲、守卫乙 一起看守（同一个守卫，心跳每 1 秒一次；默认 30 秒）')
    print('规则：消息含 加微信 / 代购 / vx 之一 → 警告、警告、移出\n')
    for (const m of marketers) await fleet.join(room, m, owner)
    await plugin.checkAccounts()
    await report()
    for (const [i, m] of marketers.entries()) {
      if (i === 2) {
        print('\n  ⚡ 守卫甲 掉线了（进程崩溃或网络中断），广告还在继续……\n')
        await fleet.kill(0)
      }
      for (const text of ['加微信 领优惠券', '代购 正品低价', 'vx 私聊']) {
        print(`  ${m.payload.name}：${text}`)
        await fleet.say(m, room, text)
        await report()
      }
    }
    print('\n  …三次心跳没有收到 守卫甲 的消息：')
    await fleet.settle(3200)
    await plugin.checkAccounts()
    await report()
    print('\n  ⚡ 守卫甲 重新登录')
    await fleet.restart(0)
    await plugin.checkAccounts()
    await report()
    const decisions = (await store.listDecisions({ room: room.id })).filter((d) => d.mode === 'active')
    const actions = await Promise.all(decisions.map((d) => store.listActions(d.id)))
    const done = actions.filter((a) => a.length === 1 && a[0]?.status === 'done').length
    const by = (id: string) => fleet.records().filter((r) => r.where === room.id && r.by === id).length
    print(
      `\n结果：${decisions.length} 个处理决定，${done} 个各执行了一次（守卫甲 ${by('wxid_guard_jia')} 个，守卫乙 ${by('wxid_guard_yi')} 个），没有遗漏，没有重复。`,
    )
  } finally {
    plugin.stop()
    await fleet.stop()
    await store.close()
    await registry.close()
  }
}
