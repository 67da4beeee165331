/**
 * `qunguard demo`: the embedded guard against wechaty-puppet-mock, with a scripted group.
 * A marketer joins, posts ads, is warned twice and removed; an admin who uses the same words
 * is left alone. Prints the timeline: what members post and what the guard does.
 */
import YAML from 'yaml'
import { MockWorld } from '../../bot-host/mock-world.ts'
import { QunGuard } from '../../bot-host/qunguard-plugin.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { parseConfig } from '../../functions/domain/config.ts'

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
    let seen = 0
    const report = async () => {
      await plugin.idle()
      await world.settle()
      await plugin.idle()
      for (const r of world.records.slice(seen)) {
        if (r.kind === 'say' && r.where.startsWith('dm:'))
          print(`    🔒 guard → ${names.get(r.where.slice(3)) ?? r.where} (private): ${r.text.replace(/\n/g, ' / ')}`)
        else if (r.kind === 'say') print(`    🛡  guard in group: ${r.text}`)
        else if (r.kind === 'remove') print(`    🚫 guard removed ${names.get(r.target ?? '') ?? r.target} from the group`)
        else print(`    ↩  guard recalled message ${r.target}`)
      }
      seen = world.records.length
    }
    const post = async (who: typeof owner, text: string) => {
      print(`  ${who.payload.name}: ${text}`)
      await world.say(who, room, text)
      await report()
    }

    print(`群「周末亲子活动群」: owner 王姐, admin 小李, member 乐乐妈; the guard runs as ${world.self.payload.name}`)
    print('rule no-ads: any of 加微信 / 代购 / vx, except 团购接龙; ladder warn → warn → remove\n')
    await post(mum, '周六上午十点公园见，记得带水')
    print(`  ${marketer.payload.name} joins by scanning 王姐's shared QR code (Wechaty reports the sharer as the inviter)`)
    await world.join(room, marketer, owner)
    await report()
    await post(marketer, '宝妈兼职，日赚300，加微信 abc8888 详聊')
    await post(admin, '提醒大家：有人私聊让你加微信转账的，千万别信')
    await post(marketer, '正品代购，V.X：abc8888')
    await post(mum, '团购接龙：加微信群的水果团，明天截单')
    await post(marketer, '加 微 信 领 红 包')

    const decisions = await store.listDecisions({ room: room.id })
    const actions = await Promise.all(decisions.map((d) => store.listActions(d.id)))
    print('\ndecision log (as `qunguard replay` writes it):')
    for (const [i, d] of decisions.entries()) {
      print(
        `  ${JSON.stringify({ event: d.event, target: names.get(d.target), action: d.action, mode: d.mode, rule: d.rule, outcome: actions[i]?.[0]?.status })}`,
      )
    }
  } finally {
    await world.stop()
    await store.close()
  }
}
