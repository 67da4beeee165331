/**
 * A stored decision row (SQLite row or DynamoDB item: the same field names) as a StoredDecision.
 */
import type { Decision } from '../domain/events.ts'
import type { Outgoing, StoredDecision } from '../ports/guard-store.port.ts'

/** The outgoing message as stored: JSON text in both stores. */
export const outgoingColumn = (o: Outgoing | undefined): string | null => (o ? JSON.stringify(o) : null)

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
    ...(typeof row.outgoing === 'string' ? { outgoing: JSON.parse(row.outgoing) as Outgoing } : {}),
  }
}
