/**
 * A scripted WeChat world on wechaty-puppet-mock: a bot account, contacts and rooms, with
 * everything the bot says or does recorded. Used by `qunguard demo` and the end-to-end tests.
 *
 * The mock puppet accepts `roomDel` without changing the room; here it is made to behave like
 * WeChat (the member leaves, a room-leave event with the bot as remover follows), and a test can
 * make removal unsupported, or recall of other members' messages, to exercise the guard's fallback.
 *
 * @example
 *   const world = await MockWorld.start({ plugin })
 *   const room = world.room('亲子群', { owner, members: [a, b] })
 *   await world.say(a, room, '加微信')
 *   await plugin.idle()
 */
import { WechatyBuilder } from 'wechaty'
import type { WechatyInterface } from 'wechaty/impls'
import { mock, PuppetMock } from 'wechaty-puppet-mock'

type ContactMock = mock.ContactMock
type RoomMock = mock.RoomMock

export interface WorldRecord {
  /** Where: a room id, or `dm:<contact id>` for a private message. */
  readonly where: string
  readonly kind: 'say' | 'remove' | 'recall' | 'invite'
  readonly text: string
  readonly target?: string | undefined
}

export interface MockWorldOptions {
  readonly plugins?: readonly Parameters<WechatyInterface['use']>[0][]
  /** The puppet refuses to remove members, as many web-protocol accounts do. @default false */
  readonly removeUnsupported?: boolean
  /** The puppet recalls only the bot's own messages, as most accounts can. @default false (any message) */
  readonly recallOwnOnly?: boolean
  /** Name of the bot account. @default '群守卫' */
  readonly botName?: string
  /** WeChat id of the bot account. @default a random one */
  readonly botId?: string
}

export class MockWorld {
  readonly records: WorldRecord[] = []

  private constructor(
    readonly mocker: mock.Mocker,
    readonly puppet: PuppetMock,
    readonly bot: WechatyInterface,
    readonly self: ContactMock,
  ) {}

  static async start(options: MockWorldOptions = {}): Promise<MockWorld> {
    const mocker = new mock.Mocker()
    const puppet = new PuppetMock({ mocker })
    const bot = WechatyBuilder.build({ puppet })
    // Wechaty emits 'error' for mock payload look-ups it cannot do; without a listener Node would throw.
    bot.on('error', () => {})
    const self = mocker.createContact({ name: options.botName ?? '群守卫', ...(options.botId ? { id: options.botId } : {}) })
    const world = new MockWorld(mocker, puppet, bot, self)
    world.instrument(options.removeUnsupported ?? false, options.recallOwnOnly ?? false)
    for (const p of options.plugins ?? []) bot.use(p)
    await bot.start()
    mocker.login(self)
    await world.settle()
    return world
  }

  /** A contact with a display name (and a fixed WeChat id, for configs that name it). */
  contact(name: string, id?: string): ContactMock {
    return this.mocker.createContact({ name, ...(id ? { id } : {}) })
  }

  /** A room with the bot in it. */
  room(topic: string, o: { owner: ContactMock; members: readonly ContactMock[]; id?: string }): RoomMock {
    const ids = new Set([this.self.id, o.owner.id, ...o.members.map((m) => m.id)])
    return this.mocker.createRoom({ topic, ownerId: o.owner.id, memberIdList: [...ids], ...(o.id ? { id: o.id } : {}) })
  }

  async say(from: ContactMock, to: RoomMock | ContactMock, text: string): Promise<void> {
    from.say(text).to(to)
    await this.settle()
  }

  async join(room: RoomMock, member: ContactMock, inviter: ContactMock): Promise<void> {
    room.add(member).by(inviter)
    await this.settle()
  }

  /** What the bot said in a room, or privately to a contact. */
  said(where: RoomMock | ContactMock): string[] {
    const key = 'memberIdList' in where.payload ? where.id : `dm:${where.id}`
    return this.records.filter((r) => r.kind === 'say' && r.where === key).map((r) => r.text)
  }

  removed(room: RoomMock): string[] {
    return this.records.filter((r) => r.kind === 'remove' && r.where === room.id).map((r) => r.target ?? '')
  }

  /** Members the bot invited into a room. */
  invited(room: RoomMock): string[] {
    return this.records.filter((r) => r.kind === 'invite' && r.where === room.id).map((r) => r.target ?? '')
  }

  /** Ids of the messages the bot recalled in a room. */
  recalled(room: RoomMock): string[] {
    return this.records.filter((r) => r.kind === 'recall' && r.where === room.id).map((r) => r.target ?? '')
  }

  async stop(): Promise<void> {
    await this.bot.stop()
  }

  /** Lets the mock's events (emitted on timers) reach Wechaty. */
  async settle(ms = 30): Promise<void> {
    await new Promise((r) => setTimeout(r, ms))
  }

  private instrument(removeUnsupported: boolean, recallOwnOnly: boolean): void {
    const { puppet, mocker, records } = this
    const send = puppet.messageSendText.bind(puppet)
    puppet.messageSendText = async (conversationId: string, text: string) => {
      const where = conversationId.endsWith('@chatroom') ? conversationId : `dm:${conversationId}`
      records.push({ where, kind: 'say', text })
      return send(conversationId, text)
    }
    puppet.roomDel = async (roomId: string, contactId: string) => {
      if (removeUnsupported) throw new Error('roomDel is not supported by this account')
      records.push({ where: roomId, kind: 'remove', text: '', target: contactId })
      const room = mocker.RoomMock.load(roomId)
      room.remove(mocker.ContactMock.load(contactId)).by(this.self)
    }
    // Like WeChat: an invited member joins, invited by the bot.
    puppet.roomAdd = async (roomId: string, contactId: string) => {
      records.push({ where: roomId, kind: 'invite', text: '', target: contactId })
      mocker.RoomMock.load(roomId).add(mocker.ContactMock.load(contactId)).by(this.self)
    }
    puppet.messageRecall = async (messageId: string) => {
      const payload = mocker.messagePayload(messageId)
      if (recallOwnOnly && payload.talkerId !== this.self.id) return false
      records.push({ where: payload.roomId ?? '', kind: 'recall', text: '', target: messageId })
      return true
    }
  }
}
