/**
 * FactsStore: what the learned rules need to remember between messages, so that the live guard
 * judges the same way whichever process or Lambda container handles a message — each member's
 * recent message times, texts and last catch in a room (bursts, repeats, `offender`), each room's
 * messages per hour of the day (quiet hours), a week of near-duplicate text signatures across
 * rooms (campaigns), and members' reports of one another (举报). Who joined when, and who is staff, come from the guard store. It also
 * keeps, for a few minutes, what was read from each room's latest pictures, so that a member's
 * `识别` or `评分` can be answered wherever the picture was read (never the picture itself).
 *
 * The guard handles one room's messages one at a time (a room's queue embedded, the room's FIFO
 * group on AWS), so a member's activity and a room's rhythm are read, changed and written whole;
 * sightings are only ever added.
 *
 * Adapters: `MemoryFactsStore` (replay, tests), `SqliteFactsStore` (embedded), `DynamoDbFactsStore`
 * (AWS). All pass test/contract/facts-store.contract.ts.
 *
 * @example
 *   const a = await facts.getActivity('r1', 'wxid_a')          // { times: [..], caught?: ms }
 *   await facts.saveActivity('r1', 'wxid_a', { times: [...a.times, now] }, now + 3 * DAY)
 */

import type { FaceDetail, PictureHeader, PictureQuality } from './vision.port.ts'

export interface MemberActivity {
  /** Times (ms) of the member's latest messages in the room, oldest first. */
  readonly times: readonly number[]
  /** When one of the room's rules last caught them (ms). */
  readonly caught?: number | undefined
  /** The event ids of the messages at `times`, where kept (a cleanup on removal recalls them). */
  readonly ids?: readonly string[] | undefined
  /**
   * The member's latest texts in the room (within the repeat window), by their MinHash signature
   * (`encodeSignature`), where a rule reads repeats: the same text pasted again is told from the
   * member's own record, with no lookup across rooms.
   */
  readonly texts?: readonly OwnText[] | undefined
}

/** One of a member's recent texts: its event id, when, and its signature (`encodeSignature`). */
export interface OwnText {
  readonly id: string
  readonly ms: number
  readonly sig: string
}

/** One text seen: where, by whom, when, and its MinHash signature and LSH bands. */
export interface Sighting {
  /** Unique per text seen (the event id). */
  readonly id: string
  readonly room: string
  readonly sender: string
  readonly ms: number
  readonly sig: readonly number[]
  /** Who posted it, as they were then (a campaign rule counts the copies of members like those it is about). */
  readonly by?:
    | { readonly staff: boolean; readonly tenureMs?: number | undefined; readonly via: 'qrcode' | 'invite' | 'unknown' }
    | undefined
}

/** What was read from a picture that members may ask about (识别, 评分): never the picture itself. */
export interface RecentPicture {
  /** The picture message's event id. */
  readonly id: string
  readonly sender: string
  readonly ms: number
  /** The text read from it, personal numbers masked; undefined when it was not read. */
  readonly text?: string | undefined
  readonly faceDetails?: readonly FaceDetail[] | undefined
  readonly header?: PictureHeader | undefined
  readonly quality?: PictureQuality | undefined
}

/** A member's report (举报) of another member in a room. */
export interface Report {
  readonly reporter: string
  readonly ms: number
  /** The report's event id. */
  readonly event: string
}

export interface FactsStore {
  getActivity(room: string, member: string): Promise<MemberActivity | undefined>
  /** Replaces the member's activity; it may be forgotten after `expiresAtMs`. */
  saveActivity(room: string, member: string, activity: MemberActivity, expiresAtMs: number): Promise<void>
  /** The room's messages per hour of the day (24 counts), if any were counted. */
  getRhythm(room: string): Promise<readonly number[] | undefined>
  saveRhythm(room: string, byHour: readonly number[]): Promise<void>
  /**
   * The sightings sharing one of `bands` (LSH band keys) with `ms > afterMs`: for each band the
   * newest `perBand`, each sighting once.
   */
  findSightings(bands: readonly string[], afterMs: number, perBand: number): Promise<Sighting[]>
  /** Adds a sighting under each of its bands; it may be forgotten after `expiresAtMs`. Adding one id twice keeps one. */
  addSighting(bands: readonly string[], sighting: Sighting, expiresAtMs: number): Promise<void>
  /** Keeps what was read from a room's picture until `expiresAtMs`; the same picture kept twice (a redelivery) is kept once. */
  rememberPicture(room: string, picture: RecentPicture, expiresAtMs: number): Promise<void>
  /** The room's pictures with `ms > afterMs`, oldest first (at most the newest `limit`). */
  recentPictures(room: string, afterMs: number, limit: number): Promise<RecentPicture[]>
  /** Records a member's report of `target`, kept until `expiresAtMs`; one reporter's later report replaces their earlier one. */
  addReport(room: string, target: string, report: Report, expiresAtMs: number): Promise<void>
  /** The reports of `target` in the room with `ms > afterMs`, one per reporter, oldest first. */
  reports(room: string, target: string, afterMs: number): Promise<Report[]>
}
