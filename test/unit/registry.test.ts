import { describe, expect, it } from 'vitest'
import { assessBots, botForRoom } from '../../functions/domain/registry.ts'

const now = new Date('2026-03-01T12:10:00.000Z')
const beat = (bot: string, secondsAgo: number, rooms: string[] = []) => ({
  bot,
  lastBeat: new Date(now.getTime() - secondsAgo * 1000).toISOString(),
  rooms,
})

describe('assessBots', () => {
  it('declares a bot dead after three missed beats, not before', () => {
    const { live, dead } = assessBots([beat('on-time', 30), beat('two-missed', 179), beat('three-missed', 181)], now, 60)
    expect(live.map((b) => [b.bot, b.missed])).toEqual([
      ['on-time', 0],
      ['two-missed', 2],
    ])
    expect(dead.map((b) => [b.bot, b.missed])).toEqual([['three-missed', 3]])
  })

  it('treats an unreadable time as dead and refuses a zero interval', () => {
    expect(assessBots([{ bot: 'x', lastBeat: 'garbage', rooms: [] }], now, 60).dead).toHaveLength(1)
    expect(() => assessBots([], now, 0)).toThrow(RangeError)
  })
})

describe('botForRoom', () => {
  it('fails over to the most recently heard live bot in the room', () => {
    const { live } = assessBots([beat('a', 100, ['r1']), beat('b', 10, ['r1']), beat('c', 5, ['r2']), beat('dead', 999, ['r1'])], now, 60)
    expect(botForRoom('r1', live)).toBe('b')
    expect(botForRoom('r3', live)).toBeUndefined()
  })
})
