/**
 * A message flood on wechaty-puppet-mock through the QunGuard plugin with a SQLite file store
 * and its inbox: `count` room messages as fast as the mock emits them, 10 of them `加微信` ads
 * from 10 marketers spread through the flood. Shared by the flood e2e test and `npm run bench:flood`.
 */
import path from 'node:path'
import type { WechatyPlugin } from 'wechaty'
import { MockWorld } from '../../bot-host/mock-world.ts'
import { QunGuard, type QunGuardPlugin } from '../../bot-host/qunguard-plugin.ts'
import { SqliteEventInbox } from '../../functions/adapters/local/sqlite-event-inbox.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { parseConfig } from '../../functions/domain/config.ts'

export const FLOOD_ADS = 10

export interface FloodOptions {
  readonly count: number
  readonly dir: string
  /** config.queue; @default the defaults */
  readonly queue?: { memoryPerLane?: number; memoryTotal?: number }
  /** Called often during the flood (e.g. to sample RSS). */
  readonly sample?: () => void
  /** Only the mock puppet and a plugin that counts messages: no guard, no store. */
  readonly puppetOnly?: boolean
}

export interface FloodFigures {
  readonly sent: number
  readonly messagesStored: number
  readonly adsJudged: number
  readonly spilled: number
  readonly peakInMemory: number
  readonly peakConverting: number
  readonly leftInInbox: number
  readonly errors: string[]
}

/** The text of the i-th flood message: an ad at 10 evenly spread places, chatter elsewhere. */
export function floodText(i: number, count: number): { text: string; ad: number | undefined } {
  const step = Math.floor(count / FLOOD_ADS)
  if (i % step === step - 1 && Math.floor(i / step) < FLOOD_ADS) return { text: `加微信 领红包 ${i}`, ad: Math.floor(i / step) }
  return { text: `大家好，今天天气不错 ${i}`, ad: undefined }
}

export async function runFlood(o: FloodOptions): Promise<FloodFigures> {
  const errors: string[] = []
  let seen = 0
  let plugin: QunGuardPlugin | undefined
  let store: SqliteGuardStore | undefined
  let inbox: SqliteEventInbox | undefined
  // Counts the flood's messages as Wechaty hands them to plugins (the bot's own replies aside).
  const counter: WechatyPlugin = (bot) => {
    bot.on('message', (msg) => {
      if (!msg.self()) seen++
    })
  }
  if (!o.puppetOnly) {
    const file = path.join(o.dir, 'flood.db')
    store = SqliteGuardStore.open(file)
    inbox = SqliteEventInbox.open(file)
    const config = parseConfig({
      queue: o.queue ?? {},
      groups: { '*': { rules: [{ id: 'no-ads', any: ['加微信'], reason: '本群禁止广告' }] } },
    })
    plugin = QunGuard({ store, inbox, config, onError: (e) => errors.push(e.message), onNotice: () => {}, tickMs: 0 })
  }
  const world = await MockWorld.start({ plugins: plugin ? [plugin, counter] : [counter] })
  try {
    const owner = world.contact('群主', 'wxid_owner')
    const members = Array.from({ length: 20 }, (_, i) => world.contact(`群友${i}`))
    const marketers = Array.from({ length: FLOOD_ADS }, (_, i) => world.contact(`推广员${i}`))
    const room = world.room('周末亲子活动群', { owner, members: [...members, ...marketers] })
    if (plugin) await plugin.idle()
    for (let i = 0; i < o.count; i++) {
      const { text, ad } = floodText(i, o.count)
      const from = ad === undefined ? members[i % members.length] : marketers[ad]
      from?.say(text).to(room)
      if (i % 100 === 0) o.sample?.()
    }
    // The mock emits on timers: wait until every message has reached the plugin, then until all are judged.
    while (seen < o.count) {
      o.sample?.()
      await world.settle(10)
    }
    if (plugin) {
      await plugin.idle()
      await world.settle()
      await plugin.idle()
    }
    o.sample?.()
    if (!plugin || !store || !inbox) {
      return { sent: o.count, messagesStored: 0, adsJudged: 0, spilled: 0, peakInMemory: 0, peakConverting: 0, leftInInbox: 0, errors }
    }
    const messages = (await store.listMessages({ limit: 10 * o.count })).filter((m) => m.sender !== world.self.id)
    const decisions = await store.listDecisions({ room: room.id })
    const s = plugin.queue.stats
    return {
      sent: o.count,
      messagesStored: messages.length,
      adsJudged: new Set(decisions.filter((d) => d.rule === 'no-ads').map((d) => d.event)).size,
      spilled: s.spilled,
      peakInMemory: s.peakInMemory,
      peakConverting: plugin.converting.peak,
      leftInInbox: Object.values(await inbox.pending()).reduce((a, b) => a + b, 0),
      errors,
    }
  } finally {
    await world.stop()
    await store?.close()
    await inbox?.close()
  }
}
