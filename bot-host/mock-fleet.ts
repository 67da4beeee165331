/**
 * Several bot accounts in the same WeChat groups, on wechaty-puppet-mock: one MockWorld (mocker,
 * puppet, bot) per account, kept in step the way WeChat keeps its members' views in step — the
 * same contacts and rooms with the same ids in every account, each message delivered to every
 * running account with the same message id, a removal by one account seen by the others.
 * An account can be killed (its bot stops: it receives nothing and can do nothing) and restarted.
 * Used by `qunguard demo --failover`, the failover tests and `npm run bench:load`.
 *
 * @example
 *   const fleet = await MockFleet.start({ accounts: [{ name: '守卫甲' }, { name: '守卫乙' }], plugins: [plugin] })
 *   const room = fleet.room('亲子群', { owner, members: [a] })
 *   await fleet.say(a, room, '加微信')
 *   await fleet.kill(0)
 */

import { types } from 'wechaty'
import type { WechatyInterface } from 'wechaty/impls'
import type { mock } from 'wechaty-puppet-mock'
import { MockWorld, type WorldRecord } from './mock-world.ts'

type ContactMock = mock.ContactMock
type RoomMock = mock.RoomMock

export interface FleetAccount {
  readonly name: string
  /** @default `wxid_guard_<n>` */
  readonly id?: string
  /** This account's puppet cannot remove members. @default false */
  readonly removeUnsupported?: boolean
}

export class MockFleet {
  private readonly stopped = new Set<number>()
  private seq = 0

  private constructor(readonly worlds: readonly MockWorld[]) {}

  static async start(o: {
    readonly accounts: readonly FleetAccount[]
    readonly plugins?: readonly Parameters<WechatyInterface['use']>[0][]
    /** Plugins of one account only (a bot host each, on AWS). */
    readonly pluginsFor?: (account: number) => readonly Parameters<WechatyInterface['use']>[0][]
  }): Promise<MockFleet> {
    const worlds: MockWorld[] = []
    for (const [i, a] of o.accounts.entries())
      worlds.push(
        await MockWorld.start({
          plugins: [...(o.plugins ?? []), ...(o.pluginsFor?.(i) ?? [])],
          botName: a.name,
          botId: a.id ?? `wxid_guard_${i + 1}`,
          removeUnsupported: a.removeUnsupported,
        }),
      )
    const fleet = new MockFleet(worlds)
    // Every account knows the others as contacts.
    for (const w of worlds)
      for (const other of worlds) if (other !== w) w.mocker.createContact({ name: other.self.payload.name, id: other.self.id })
    for (const [i, w] of worlds.entries()) fleet.mirrorRemovals(i, w)
    return fleet
  }

  /** The accounts' WeChat ids, in order. */
  get ids(): string[] {
    return this.worlds.map((w) => w.self.id)
  }

  /** A contact with the same id in every account (as the first account sees it). */
  contact(name: string, id?: string): ContactMock {
    const [first, ...rest] = this.worlds
    if (!first) throw new Error('a fleet has at least one account')
    const c = first.contact(name, id)
    for (const w of rest) w.mocker.createContact({ name, id: c.id })
    return c
  }

  /** A room with every account in it, the same in each. */
  room(topic: string, o: { owner: ContactMock; members: readonly ContactMock[]; id?: string }): RoomMock {
    const id = o.id ?? `${Date.now().toString(36)}${(++this.seq).toString(36)}@chatroom`
    const memberIdList = [...new Set([...this.ids, o.owner.id, ...o.members.map((m) => m.id)])]
    // RoomMock.create, not the mocker's createRoom: that one spreads every contact id into a call (too many for a large world).
    const rooms = this.worlds.map((w) =>
      w.mocker.RoomMock.create({ adminIdList: [], avatar: '', topic, ownerId: o.owner.id, memberIdList, id }),
    )
    return rooms[0] as RoomMock
  }

  /** A text message in a room: every running account receives it, with one message id. */
  async say(from: ContactMock, room: RoomMock, text: string, settleMs = 30): Promise<void> {
    await this.send(from, room, text)
    if (settleMs > 0) await this.settle(settleMs)
  }

  /** The same without waiting for the accounts to receive it; the message's id. */
  async send(from: ContactMock, room: RoomMock, text: string): Promise<string> {
    const payload = {
      id: `fleet-${Date.now().toString(36)}-${++this.seq}`,
      talkerId: from.id,
      roomId: room.id,
      timestamp: Date.now(),
      type: types.Message.Text,
      text,
      mentionIdList: [] as string[],
    }
    for (const [i, w] of this.worlds.entries()) {
      if (this.stopped.has(i)) continue
      // As the mock's own `say` delivers a message, with the id chosen here.
      w.mocker.MessageMock.create(payload)
      w.puppet.emit('message', { messageId: payload.id })
    }
    return payload.id
  }

  async join(room: RoomMock, member: ContactMock, inviter: ContactMock, settleMs = 30): Promise<void> {
    for (const [i, w] of this.worlds.entries())
      if (!this.stopped.has(i))
        w.mocker.RoomMock.load(room.id).add(w.mocker.ContactMock.load(member.id)).by(w.mocker.ContactMock.load(inviter.id))
    if (settleMs > 0) await this.settle(settleMs)
  }

  /** The account stops, as a crashed process or a dropped connection would: it receives and does nothing. */
  async kill(i: number): Promise<void> {
    this.stopped.add(i)
    await this.world(i).bot.stop()
  }

  /** The account starts again and logs in. */
  async restart(i: number): Promise<void> {
    const w = this.world(i)
    await w.bot.start()
    w.mocker.login(w.self)
    this.stopped.delete(i)
    await this.settle(100)
  }

  running(i: number): boolean {
    return !this.stopped.has(i)
  }

  /** Everything every account did, with which account did it. */
  records(): (WorldRecord & { readonly by: string })[] {
    return this.worlds.flatMap((w) => w.records.map((r) => ({ ...r, by: w.self.id })))
  }

  removed(room: RoomMock): { member: string; by: string }[] {
    return this.records()
      .filter((r) => r.kind === 'remove' && r.where === room.id)
      .map((r) => ({ member: r.target ?? '', by: r.by }))
  }

  said(room: RoomMock): { text: string; by: string }[] {
    return this.records()
      .filter((r) => r.kind === 'say' && r.where === room.id)
      .map((r) => ({ text: r.text, by: r.by }))
  }

  async stop(): Promise<void> {
    for (const [i, w] of this.worlds.entries()) if (!this.stopped.has(i)) await w.stop()
  }

  async settle(ms = 30): Promise<void> {
    await new Promise((r) => setTimeout(r, ms))
  }

  private world(i: number): MockWorld {
    const w = this.worlds[i]
    if (!w) throw new Error(`no account ${i} in this fleet`)
    return w
  }

  /** A member one account removes leaves the room in every account's view, removed by that account. */
  private mirrorRemovals(i: number, w: MockWorld): void {
    const del = w.puppet.roomDel.bind(w.puppet)
    w.puppet.roomDel = async (roomId: string, contactId: string) => {
      await del(roomId, contactId)
      for (const [j, other] of this.worlds.entries()) {
        if (j === i || this.stopped.has(j)) continue
        const m = other.mocker
        m.RoomMock.load(roomId).remove(m.ContactMock.load(contactId)).by(m.ContactMock.load(w.self.id))
      }
    }
  }
}
