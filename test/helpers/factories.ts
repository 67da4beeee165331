/** Fixture factories for events, so tests state only what matters to them. */
import type { GroupEvent, JoinEvent, LeaveEvent, MessageEvent, RoomEvent } from '../../functions/domain/events.ts'

let seq = 0
const nextId = (prefix: string) => `${prefix}${++seq}`

/** A time `minutes` after 2026-03-01 20:00 China time, as docs/format.md writes it. */
export function at(minutes: number): string {
  const t = new Date(Date.UTC(2026, 2, 1, 12, 0, 0) + minutes * 60_000)
  return t.toISOString().replace('Z', '+00:00')
}

export function message(o: Partial<MessageEvent> & { text?: string } = {}): MessageEvent {
  return { kind: 'message', id: nextId('m'), ts: at(0), room: 'r1', sender: 'wxid_member', type: 'text', ...o }
}

export function roomSnapshot(o: Partial<RoomEvent> = {}): RoomEvent {
  return {
    kind: 'room',
    id: nextId('room'),
    ts: at(0),
    room: 'r1',
    topic: '测试群',
    owner: 'wxid_owner',
    admins: ['wxid_admin'],
    members: ['wxid_owner', 'wxid_admin', 'wxid_member'],
    names: {},
    ...o,
  }
}

export function join(o: Partial<JoinEvent> = {}): JoinEvent {
  return { kind: 'join', id: nextId('j'), ts: at(0), room: 'r1', members: ['wxid_new'], via: 'qrcode', ...o }
}

export function leave(o: Partial<LeaveEvent> = {}): LeaveEvent {
  return { kind: 'leave', id: nextId('l'), ts: at(0), room: 'r1', members: ['wxid_new'], ...o }
}

export function account(self = 'wxid_bot'): GroupEvent {
  return { kind: 'account', id: nextId('a'), ts: at(0), self }
}
