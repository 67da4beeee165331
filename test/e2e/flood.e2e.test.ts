/**
 * A flood on wechaty-puppet-mock (issue 18, item 1): 5,000 room messages with 10 `加微信` ads.
 * Before the spilling queue, the room's lane refused events beyond 1,000 (`queue full … event
 * refused`): 1,004 messages stored, 2 of 10 ads judged.
 */
import { describe, expect, it } from 'vitest'
import { FLOOD_ADS, runFlood } from '../helpers/flood.ts'
import { tempDir } from '../helpers/temp-dirs.ts'

describe('QunGuard under a flood on wechaty-puppet-mock', () => {
  it('stores every message and judges every ad, holding at most the configured events in memory', async () => {
    const f = await runFlood({ count: 5000, dir: tempDir('qunguard-flood-'), queue: { memoryPerLane: 200, memoryTotal: 300 } })
    expect(f.errors).toEqual([])
    expect(f.messagesStored).toBe(5000)
    expect(f.adsJudged).toBe(FLOOD_ADS)
    expect(f.spilled).toBeGreaterThan(0)
    expect(f.peakInMemory).toBeLessThanOrEqual(200)
    expect(f.leftInInbox).toBe(0)
  }, 120_000)
})
