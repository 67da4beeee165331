/**
 * MemoryFactsStore: the FactsStore in process memory (replay, tests). Expired activity and
 * sightings are dropped as time moves on (time is the latest `ms` it was given), so a long
 * replay's memory stays bounded by a window's traffic.
 */
import type { FactsStore, MemberActivity, RecentPicture, Report, Sighting } from '../../ports/facts-store.port.ts'

const KEEP_PER_BAND = 256
/** A room's pictures kept to be asked about: more than any question reads. */
const PICTURES_PER_ROOM = 20

export class MemoryFactsStore implements FactsStore {
  private readonly activity = new Map<string, { a: MemberActivity; expires: number }>()
  private readonly rhythms = new Map<string, readonly number[]>()
  private readonly bands = new Map<string, { s: Sighting; expires: number }[]>()
  private readonly pictures = new Map<string, { p: RecentPicture; expires: number }[]>()
  private readonly reported = new Map<string, { r: Report; expires: number }[]>()
  private latest = 0
  private writes = 0

  async getActivity(room: string, member: string): Promise<MemberActivity | undefined> {
    return this.activity.get(`${room}\u0000${member}`)?.a
  }

  async saveActivity(room: string, member: string, activity: MemberActivity, expiresAtMs: number): Promise<void> {
    this.activity.set(`${room}\u0000${member}`, { a: { ...activity, times: [...activity.times] }, expires: expiresAtMs })
    this.advance(Math.max(0, ...activity.times, activity.caught ?? 0))
  }

  async getRhythm(room: string): Promise<readonly number[] | undefined> {
    const r = this.rhythms.get(room)
    return r ? [...r] : undefined
  }

  async saveRhythm(room: string, byHour: readonly number[]): Promise<void> {
    this.rhythms.set(room, [...byHour])
  }

  async findSightings(bands: readonly string[], afterMs: number, perBand: number): Promise<Sighting[]> {
    const seen = new Set<string>()
    const out: Sighting[] = []
    for (const band of bands) {
      const list = (this.bands.get(band) ?? []).filter((e) => e.s.ms > afterMs)
      for (const { s } of list.slice(-perBand)) {
        if (seen.has(s.id)) continue
        seen.add(s.id)
        out.push(s)
      }
    }
    return out
  }

  async addSighting(bands: readonly string[], sighting: Sighting, expiresAtMs: number): Promise<void> {
    for (const band of bands) {
      const list = this.bands.get(band) ?? []
      if (list.some((e) => e.s.id === sighting.id)) continue
      list.push({ s: sighting, expires: expiresAtMs })
      list.sort((a, b) => a.s.ms - b.s.ms)
      // The newest are what lookups ask for; a text repeated all week must not grow without end.
      if (list.length > KEEP_PER_BAND) list.shift()
      this.bands.set(band, list)
    }
    this.advance(sighting.ms)
  }

  async rememberPicture(room: string, picture: RecentPicture, expiresAtMs: number): Promise<void> {
    const list = (this.pictures.get(room) ?? []).filter((e) => e.p.id !== picture.id && e.expires >= picture.ms)
    list.push({ p: structuredClone(picture), expires: expiresAtMs })
    list.sort((a, b) => a.p.ms - b.p.ms)
    this.pictures.set(room, list.slice(-PICTURES_PER_ROOM))
  }

  async recentPictures(room: string, afterMs: number, limit: number): Promise<RecentPicture[]> {
    return (this.pictures.get(room) ?? [])
      .filter((e) => e.p.ms > afterMs)
      .slice(-limit)
      .map((e) => structuredClone(e.p))
  }

  async addReport(room: string, target: string, report: Report, expiresAtMs: number): Promise<void> {
    const key = `${room}\u0000${target}`
    const list = (this.reported.get(key) ?? []).filter((e) => e.r.reporter !== report.reporter && e.expires >= report.ms)
    list.push({ r: { ...report }, expires: expiresAtMs })
    this.reported.set(key, list)
  }

  async reports(room: string, target: string, afterMs: number): Promise<Report[]> {
    return (this.reported.get(`${room}\u0000${target}`) ?? [])
      .filter((e) => e.r.ms > afterMs)
      .map((e) => ({ ...e.r }))
      .sort((a, b) => a.ms - b.ms || (a.reporter < b.reporter ? -1 : 1))
  }

  private advance(ms: number): void {
    this.latest = Math.max(this.latest, ms)
    if (++this.writes % 1000 !== 0) return
    for (const [k, v] of this.activity) if (v.expires < this.latest) this.activity.delete(k)
    for (const [band, list] of this.bands) {
      const kept = list.filter((e) => e.expires >= this.latest)
      if (kept.length) this.bands.set(band, kept)
      else this.bands.delete(band)
    }
  }
}
