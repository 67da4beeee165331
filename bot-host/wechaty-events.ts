/**
 * Turns Wechaty objects into docs/format.md group events.
 *
 * Each function reads what it needs from the Wechaty object and returns a plain event; the
 * Guard validates it again at its edge. Ids are stable (message ids come from the puppet,
 * other events are named after the room, the time and the members) so a redelivered Wechaty
 * event is recognised as a duplicate by the store.
 */

import type { ContactInterface, MessageInterface, RoomInterface } from 'wechaty/impls'
import type * as PUPPET from 'wechaty-puppet'
import { types } from 'wechaty-puppet'
import type { GroupEvent, MessageType } from '../functions/domain/events.ts'

const iso = (d: Date): string => d.toISOString()

const MESSAGE_TYPE: Partial<Record<PUPPET.types.Message, MessageType>> = {
  [types.Message.Text]: 'text',
  [types.Message.Image]: 'image',
  [types.Message.Audio]: 'voice',
  [types.Message.Video]: 'video',
  [types.Message.Emoticon]: 'emoji',
  [types.Message.Url]: 'link',
  [types.Message.MiniProgram]: 'miniprogram',
  [types.Message.Contact]: 'card',
  [types.Message.Attachment]: 'file',
  [types.Message.RedEnvelope]: 'redpacket',
  [types.Message.Transfer]: 'transfer',
  [types.Message.Location]: 'location',
}

export function accountEvent(self: ContactInterface, at: Date): GroupEvent {
  return { kind: 'account', id: `account:${self.id}:${at.getTime()}`, ts: iso(at), self: self.id }
}

/** A snapshot of a room: topic, owner and members (admins are not exposed by Wechaty). */
export async function roomSnapshotEvent(room: RoomInterface, at: Date): Promise<GroupEvent> {
  const [topic, members] = await Promise.all([room.topic(), room.memberAll()])
  const names: Record<string, string> = {}
  for (const m of members) names[m.id] = m.name()
  const owner = room.owner()?.id
  return {
    kind: 'room',
    id: `room:${room.id}:${at.getTime()}`,
    ts: iso(at),
    room: room.id,
    topic,
    ...(owner ? { owner } : {}),
    admins: [],
    members: members.map((m) => m.id),
    names,
  }
}

/** A group message, a recall, or a private message to the bot; undefined for what the guard ignores. */
export async function messageEvent(msg: MessageInterface): Promise<GroupEvent | undefined> {
  const room = msg.room()
  const talker = msg.talker()
  const ts = iso(msg.date())
  if (!room) {
    if (msg.self()) return undefined
    return { kind: 'private', id: msg.id, ts, sender: talker.id, text: msg.text() }
  }
  const kind = msg.type()
  if (kind === types.Message.Recalled) {
    const original = await msg.toRecalled().catch(() => undefined)
    return { kind: 'recall', id: msg.id, ts, room: room.id, sender: talker.id, ...(original ? { messageId: original.id } : {}) }
  }
  const type = MESSAGE_TYPE[kind] ?? 'other'
  let text: string | undefined = msg.text() || undefined
  let url: string | undefined
  if (type === 'link') {
    const link = await msg.toUrlLink().catch(() => undefined)
    if (link) {
      text = [link.title(), link.description()].filter(Boolean).join(' ')
      url = link.url()
    }
  } else if (type === 'miniprogram') {
    const mp = await msg.toMiniProgram().catch(() => undefined)
    if (mp) text = [mp.title(), mp.description()].filter(Boolean).join(' ')
  } else if (type === 'card') {
    const card = await msg.toContact().catch(() => undefined)
    if (card) text = card.name()
  }
  const mentions = (await msg.mentionList().catch(() => [] as ContactInterface[])).map((c) => c.id)
  const mentionAll = /@(所有人|all)(\s|$)/i.test(msg.text())
  return {
    kind: 'message',
    id: msg.id,
    ts,
    room: room.id,
    sender: talker.id,
    senderName: talker.name(),
    type,
    ...(text !== undefined ? { text } : {}),
    ...(url !== undefined ? { url } : {}),
    ...(mentions.length ? { mentions } : {}),
    ...(mentionAll ? { mentionAll } : {}),
  }
}

export function joinEvent(
  room: RoomInterface,
  invitees: readonly ContactInterface[],
  inviter: ContactInterface | undefined,
  at: Date,
): GroupEvent {
  const members = invitees.map((c) => c.id)
  const names: Record<string, string> = {}
  for (const c of invitees) names[c.id] = c.name()
  // Wechaty does not say whether someone came by invitation or by scanning a shared QR code;
  // a named inviter other than the newcomer is an invitation, anything else is unknown.
  const invited = inviter !== undefined && !members.includes(inviter.id)
  return {
    kind: 'join',
    id: `join:${room.id}:${at.getTime()}:${members.join(',')}`,
    ts: iso(at),
    room: room.id,
    members,
    names,
    ...(invited ? { inviter: inviter.id } : {}),
    via: invited ? 'invite' : 'unknown',
  }
}

export function leaveEvent(
  room: RoomInterface,
  leavers: readonly ContactInterface[],
  remover: ContactInterface | undefined,
  at: Date,
): GroupEvent {
  const members = leavers.map((c) => c.id)
  return {
    kind: 'leave',
    id: `leave:${room.id}:${at.getTime()}:${members.join(',')}`,
    ts: iso(at),
    room: room.id,
    members,
    ...(remover && !members.includes(remover.id) ? { remover: remover.id } : {}),
  }
}
