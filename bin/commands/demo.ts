/**
 * `qunguard demo`: the embedded guard against wechaty-puppet-mock, with a scripted group.
 * A marketer joins, posts ads, is warned twice and removed; an admin who uses the same words
 * is left alone. Prints the timeline in Chinese, as an owner would read it: what members post
 * and what the guard does, then the decision log.
 */
import YAML from 'yaml'
import { MockWorld } from '../../bot-host/mock-world.ts'
import { QunGuard } from '../../bot-host/qunguard-plugin.ts'
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
