import { describe, expect, it } from 'vitest'
import { parseDecision, parseEvent } from '../../functions/domain/events.ts'

describe('parseEvent', () => {
  it('accepts every event kind of docs/format.md', () => {
    const ts = '2026-03-01T20:15:00+08:00'
    const events = [
      { id: 'a', kind: 'account', ts, self: 'wxid_bot' },
      { id: 'r', kind: 'room', ts, room: 'r1', topic: 't', owner: 'o', admins: [], members: ['o'], names: { o: 'Owner' } },
      {
        id: 'm',
        kind: 'message',
        ts,
        room: 'r1',
        sender: 'u',
        type: 'link',
        text: 'title',
        url: 'https://x',
        mentions: ['o'],
        mentionAll: false,
      },
      { id: 'j', kind: 'join', ts, room: 'r1', members: ['u'], inviter: 'o', via: 'invite' },
      { id: 'l', kind: 'leave', ts, room: 'r1', members: ['u'], remover: 'o' },
      { id: 'c', kind: 'recall', ts, room: 'r1', sender: 'u', messageId: 'm' },
      { id: 'n', kind: 'announcement', ts, room: 'r1', sender: 'o', text: '群规' },
      { id: 'p', kind: 'private', ts, sender: 'o', text: 'Y1' },
    ]
    for (const e of events) expect(parseEvent(e)).toMatchObject({ ok: true, value: { id: e.id, kind: e.kind } })
  })

  it('drops unknown fields instead of failing', () => {
    const r = parseEvent({
      id: 'm',
      kind: 'message',
      ts: '2026-03-01T20:15:00+08:00',
      room: 'r',
      sender: 'u',
      type: 'text',
      futureField: 1,
    })
    expect(r.ok && 'futureField' in r.value).toBe(false)
  })

  it('names the missing field', () => {
    const r = parseEvent({ id: 'm', kind: 'message', ts: '2026-03-01T20:15:00+08:00', room: 'r', type: 'text' })
    expect(r).toEqual({ ok: false, error: expect.stringContaining('message.sender') })
  })

  it('rejects a time without an offset, naming ts', () => {
    const r = parseEvent({ id: 'p', kind: 'private', ts: '2026-03-01 20:15', sender: 'o', text: 'x' })
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/^private\.ts: must be an ISO-8601 time/) })
  })

  it('rejects an unknown kind, naming kind', () => {
    const r = parseEvent({ id: 'x', kind: 'poke', ts: '2026-03-01T20:15:00+08:00' })
    expect(r).toEqual({ ok: false, error: expect.stringContaining('kind') })
  })

  it('rejects an unknown message type and a join without members', () => {
    expect(parseEvent({ id: 'm', kind: 'message', ts: '2026-03-01T20:15:00Z', room: 'r', sender: 'u', type: 'sticker' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('message.type'),
    })
    expect(parseEvent({ id: 'j', kind: 'join', ts: '2026-03-01T20:15:00Z', room: 'r', members: [] })).toMatchObject({
      ok: false,
      error: expect.stringContaining('join.members'),
    })
  })

  it('rejects what is not an object', () => {
    expect(parseEvent('hello')).toEqual({ ok: false, error: 'event: must be a JSON object' })
    expect(parseEvent(null)).toEqual({ ok: false, error: 'event: must be a JSON object' })
  })
})

describe('parseDecision', () => {
  it('accepts the docs/format.md example and rejects a score above 1', () => {
    const d = {
      event: 'm123',
      room: 'r1',
      target: 'wxid_x',
      action: 'remove',
      mode: 'active',
      rule: 'learned-7',
      score: 0.97,
      reason: 'QR-code image',
    }
    expect(parseDecision(d)).toEqual({ ok: true, value: d })
    expect(parseDecision({ ...d, score: 2 })).toMatchObject({ ok: false, error: expect.stringContaining('decision.score') })
  })
})
