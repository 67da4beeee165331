/**
 * The FactsStore contract (what the learned rules remember between messages), run against every
 * adapter: memory, SQLite and — on DynamoDB Local — DynamoDB.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import type { FactsStore, Sighting } from '../../functions/ports/facts-store.port.ts'

const sighting = (id: string, ms: number, o: Partial<Sighting> = {}): Sighting => ({
  id,
  room: 'r1',
  sender: 'wxid_a',
  ms,
  sig: Array.from({ length: 32 }, (_, k) => (k * 2654435761 + ms) >>> 0),
  ...o,
})

const DAY = 86_400_000

export function factsStoreContract(name: string, makeStore: () => Promise<FactsStore>): void {
  describe(`FactsStore contract: ${name}`, () => {
    let store: FactsStore
    beforeEach(async () => {
      store = await makeStore()
    })

    it('keeps each member’s activity per room, replaced whole', async () => {
      expect(await store.getActivity('r1', 'wxid_a')).toBeUndefined()
      await store.saveActivity('r1', 'wxid_a', { times: [1000, 2000] }, 10_000)
      await store.saveActivity('r2', 'wxid_a', { times: [5000], caught: 5000 }, 10_000)
      expect(await store.getActivity('r1', 'wxid_a')).toEqual({ times: [1000, 2000], caught: undefined })
      await store.saveActivity('r1', 'wxid_a', { times: [2000, 3000], caught: 3000 }, 20_000)
      expect(await store.getActivity('r1', 'wxid_a')).toEqual({ times: [2000, 3000], caught: 3000 })
      expect(await store.getActivity('r2', 'wxid_a')).toEqual({ times: [5000], caught: 5000 })
      expect(await store.getActivity('r1', 'wxid_b')).toBeUndefined()
      // With the messages' ids (a cleanup on removal recalls them).
      await store.saveActivity('r1', 'wxid_c', { times: [1000, 2000], ids: ['m1', 'm2'] }, 10_000)
      expect((await store.getActivity('r1', 'wxid_c'))?.ids).toEqual(['m1', 'm2'])
      // With the member's recent texts' signatures (repeats).
      const texts = [
        { id: 'm1', ms: 1000, sig: 'AAAA' },
        { id: 'm2', ms: 2000, sig: 'BBBB' },
      ]
      await store.saveActivity('r1', 'wxid_d', { times: [1000, 2000], texts }, 10_000)
      expect((await store.getActivity('r1', 'wxid_d'))?.texts).toEqual(texts)
      expect((await store.getActivity('r1', 'wxid_c'))?.texts).toBeUndefined()
    })

    it('keeps each room’s messages per hour', async () => {
      expect(await store.getRhythm('r1')).toBeUndefined()
      const byHour = Array.from({ length: 24 }, (_, h) => h)
      await store.saveRhythm('r1', byHour)
      expect(await store.getRhythm('r1')).toEqual(byHour)
      await store.saveRhythm(
        'r1',
        byHour.map((n) => n + 1),
      )
      expect(await store.getRhythm('r1')).toEqual(byHour.map((n) => n + 1))
      expect(await store.getRhythm('r2')).toBeUndefined()
    })

    it('finds sightings by band after a time, the newest per band, each once, with their signatures and posters', async () => {
      await store.addSighting(['0:a', '1:b'], sighting('e1', 1000), 100_000)
      const poster = { staff: false, tenureMs: 3_600_000, via: 'qrcode' } as const
      await store.addSighting(['0:a', '1:c'], sighting('e2', 2000, { room: 'r2', sender: 'wxid_b', by: poster }), 100_000)
      await store.addSighting(['0:z'], sighting('e3', 3000), 100_000)
      await store.addSighting(['0:a', '1:b'], sighting('e1', 1000), 100_000) // the same again: kept once
      const both = await store.findSightings(['0:a', '1:b'], 0, 32)
      expect(both.map((s) => s.id).sort()).toEqual(['e1', 'e2'])
      expect(both.find((s) => s.id === 'e2')).toEqual(sighting('e2', 2000, { room: 'r2', sender: 'wxid_b', by: poster }))
      expect(both.find((s) => s.id === 'e1')?.by).toBeUndefined()
      expect((await store.findSightings(['0:a'], 1000, 32)).map((s) => s.id)).toEqual(['e2'])
      expect((await store.findSightings(['0:a'], 0, 1)).map((s) => s.id)).toEqual(['e2'])
      expect(await store.findSightings(['9:none'], 0, 32)).toEqual([])
    })

    it('keeps what was read from a room’s latest pictures, oldest first, the same picture once', async () => {
      const face = { box: { x: 0.3, y: 0.2, width: 0.4, height: 0.5 }, confidence: 0.98, smile: 0.7 }
      const p1 = { id: 'p1', sender: 'wxid_a', ms: 1000, text: '招聘 手机 138****1234' }
      const p2 = {
        id: 'p2',
        sender: 'wxid_b',
        ms: 2000,
        faceDetails: [face],
        header: { format: 'jpeg', width: 1080, height: 1440, bytes: 250_000 },
        quality: { brightness: 0.5, contrast: 0.2, sharpness: 2.5 },
      }
      await store.rememberPicture('r1', p1, 600_000)
      await store.rememberPicture('r1', p2, 600_000)
      await store.rememberPicture('r1', p2, 600_000)
      await store.rememberPicture('r2', { id: 'p3', sender: 'wxid_a', ms: 1500 }, 600_000)
      expect(await store.recentPictures('r1', 0, 5)).toEqual([p1, p2])
      expect(await store.recentPictures('r1', 1000, 5)).toEqual([p2])
      expect(await store.recentPictures('r1', 0, 1)).toEqual([p2])
      expect((await store.recentPictures('r2', 0, 5)).map((p) => p.id)).toEqual(['p3'])
      expect(await store.recentPictures('r9', 0, 5)).toEqual([])
    })

    it('keeps one report per reporter of a member, newest kept, and gives those after a time, oldest first', async () => {
      await store.addReport('r1', 'wxid_bad', { reporter: 'wxid_a', ms: 1000, event: 'm1' }, 1000 + DAY)
      await store.addReport('r1', 'wxid_bad', { reporter: 'wxid_b', ms: 2000, event: 'm2' }, 2000 + DAY)
      await store.addReport('r1', 'wxid_bad', { reporter: 'wxid_a', ms: 3000, event: 'm3' }, 3000 + DAY)
      await store.addReport('r1', 'wxid_other', { reporter: 'wxid_c', ms: 3000, event: 'm4' }, 3000 + DAY)
      await store.addReport('r2', 'wxid_bad', { reporter: 'wxid_d', ms: 3000, event: 'm5' }, 3000 + DAY)
      expect(await store.reports('r1', 'wxid_bad', 0)).toEqual([
        { reporter: 'wxid_b', ms: 2000, event: 'm2' },
        { reporter: 'wxid_a', ms: 3000, event: 'm3' },
      ])
      expect((await store.reports('r1', 'wxid_bad', 2000)).map((r) => r.reporter)).toEqual(['wxid_a'])
      expect(await store.reports('r1', 'wxid_nobody', 0)).toEqual([])
    })
  })
}
