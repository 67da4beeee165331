/**
 * The owner's cross-group blacklist (群聊黑名单): a member removed for a violation in one of an
 * owner's groups is flagged in all of that owner's groups — removed there too, or the owner asked
 * (`Y<n>`), per each group's `blacklist.action` — and removed again on rejoining. Owners who
 * trust one another (`blacklist.trust`, by WeChat id) read each other's lists.
 *
 * Who is listed (the Guard decides, both runtimes alike):
 *   - a member the guard itself removes (an active `remove` decision), and
 *   - a member the owner, an admin or the bot removes (a `leave` with a staff `remover`) who has
 *     an offence in that group within its offence window (a shadow one counts: the owner's own
 *     removal confirms it). Removals without an offence (housekeeping) list nobody.
 * Staff and whitelisted members are never listed nor acted on.
 *
 * These are pure helpers; the Guard reads and writes the lists through the GuardStore.
 *
 * @example
 *   blacklistReason(entry, '周末亲子活动群') // "黑名单：曾在「周末亲子活动群」因违规被移出"
 */
import type { BlacklistEntry } from '../ports/guard-store.port.ts'
import type { RoomConfig } from './config.ts'
import { groupName } from './owner-words.ts'

/** The rule id of the blacklist's decisions (a rule with a record like every other). */
export const BLACKLIST_RULE_ID = 'blacklist'

/** Whose lists count in a room: its owner's, then those the room's config trusts. */
export function listsFor(owner: string | undefined, cfg: RoomConfig): string[] {
  return [...new Set([...(owner ? [owner] : []), ...cfg.blacklist.trust])]
}

/** Whether a room reads this owner's list (its own owner's, or one it trusts). */
export function readsListOf(listOwner: string, roomOwner: string | undefined, cfg: RoomConfig): boolean {
  return cfg.blacklist.action !== 'off' && listsFor(roomOwner, cfg).includes(listOwner)
}

/** Why the guard acts on a listed member, for the owner: where they were removed. */
export function blacklistReason(entry: BlacklistEntry, removedFromTopic: string | undefined): string {
  return `黑名单：曾在「${groupName(removedFromTopic, entry.room)}」因违规被移出`
}

/**
 * The state the blacklist rule starts in, in a room: acting alone where the owner chose `remove`,
 * proposing (`Y<n>`) where they chose `ask-owner`. Supervision moves it from there like any rule
 * (启用 / 试运行 / 停用, promotion on approvals, demotion on rejections).
 */
export function blacklistInitial(cfg: RoomConfig): 'active' | 'shadow' {
  return cfg.blacklist.action === 'remove' ? 'active' : 'shadow'
}
