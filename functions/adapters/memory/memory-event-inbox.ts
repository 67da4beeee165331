/** MemoryEventInbox: the EventInbox in one process's memory (tests; not durable, not bounded). */
import type { GroupEvent } from '../../domain/events.ts'
import type { EventInbox, InboxEntry } from '../../ports/event-inbox.port.ts'

export class MemoryEventInbox implements EventInbox {
  private readonly lanes = new Map<string, InboxEntry[]>()
  private seq = 0

  async append(lane: string, event: GroupEvent): Promise<void> {
    const entries = this.lanes.get(lane) ?? []
    entries.push({ seq: ++this.seq, lane, event: structuredClone(event) })
    this.lanes.set(lane, entries)
  }

  async peek(lane: string, limit: number): Promise<InboxEntry[]> {
    return (this.lanes.get(lane) ?? []).slice(0, Math.max(0, limit))
  }

  async remove(seq: number): Promise<void> {
    for (const [lane, entries] of this.lanes) {
      const i = entries.findIndex((e) => e.seq === seq)
      if (i < 0) continue
      entries.splice(i, 1)
      if (entries.length === 0) this.lanes.delete(lane)
      return
    }
  }

  async pending(): Promise<Record<string, number>> {
    return Object.fromEntries([...this.lanes].map(([lane, entries]) => [lane, entries.length]))
  }
}
