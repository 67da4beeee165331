/**
 * A stored decision row (SQLite row or DynamoDB item: the same field names) as a StoredDecision.
 */
import type { Decision } from '../domain/events.ts'
import type { StoredDecision } from '../ports/guard-store.port.ts'

export function toStoredDecision(row: Record<string, unknown>): StoredDecision {
  return {
    id: Number(row.id),
    event: String(row.event),
    room: String(row.room),
    target: String(row.target),
    action: row.action as Decision['action'],
    mode: row.mode as Decision['mode'],
    rule: String(row.rule),
    score: Number(row.score),
    reason: String(row.reason),
    ts: String(row.ts),
  }
}
