/**
 * MemoryApprovalStore: the ApprovalStore and SupervisionStore in one process's memory (tests,
 * replay, and the reference the contract suites check the other adapters against). Lost when
 * the process ends.
 */
import type { ApprovalStatus } from '../../domain/approvals.ts'
import type { SupervisedRule } from '../../domain/supervision/lifecycle.ts'
import { addedToDay, type DayCounts } from '../../domain/supervision/texts.ts'
import type { ApprovalRecord, NewApproval } from '../../ports/approval-store.port.ts'
import {
  type DayAddition,
  type OwnerPacing,
  type RoomOverrides,
  RuleConflictError,
  type SupervisionStore,
} from '../../ports/supervision-store.port.ts'

export class MemoryApprovalStore implements SupervisionStore {
  private readonly supervised = new Map<string, SupervisedRule>()
  private readonly overrides = new Map<string, RoomOverrides>()
  private readonly requests = new Map<string, ApprovalRecord>()
  private readonly byDecision = new Map<number, string>()
  private readonly counters = new Map<string, number>()
  private readonly pacing = new Map<string, OwnerPacing>()
  private readonly days = new Map<string, DayCounts>()

  async open(approval: NewApproval): Promise<ApprovalRecord> {
    const existing = this.byDecision.get(approval.decisionId)
    if (existing !== undefined) return this.requests.get(existing) as ApprovalRecord
    const number = (this.counters.get(approval.owner) ?? 0) + 1
    this.counters.set(approval.owner, number)
    const record: ApprovalRecord = { ...approval, number, status: 'open' }
    const key = `${approval.owner}#${number}`
    this.requests.set(key, record)
    this.byDecision.set(approval.decisionId, key)
    return record
  }

  async get(owner: string, number: number): Promise<ApprovalRecord | undefined> {
    return this.requests.get(`${owner}#${number}`)
  }

  async close(owner: string, number: number, status: Exclude<ApprovalStatus, 'open'>, at: string): Promise<ApprovalRecord | undefined> {
    const key = `${owner}#${number}`
    const record = this.requests.get(key)
    if (record?.status !== 'open') return undefined
    const late = Date.parse(at) > Date.parse(record.deadline)
    if (status !== 'expired' && late) return undefined
    const closed: ApprovalRecord = { ...record, status, answeredAt: at }
    this.requests.set(key, closed)
    return closed
  }

  async listOverdue(before: string): Promise<ApprovalRecord[]> {
    return [...this.requests.values()].filter((r) => r.status === 'open' && Date.parse(r.deadline) < Date.parse(before))
  }

  async listAnswered(since: string): Promise<ApprovalRecord[]> {
    return [...this.requests.values()]
      .filter((r) => (r.status === 'approved' || r.status === 'rejected') && Date.parse(r.answeredAt ?? '') >= Date.parse(since))
      .sort((a, b) => Date.parse(a.answeredAt ?? '') - Date.parse(b.answeredAt ?? ''))
  }

  async countOpen(at: string): Promise<number> {
    return [...this.requests.values()].filter((r) => r.status === 'open' && Date.parse(r.deadline) >= Date.parse(at)).length
  }

  async getRule(room: string, rule: string): Promise<SupervisedRule | undefined> {
    return this.supervised.get(`${room}#${rule}`)
  }

  async saveRule(rule: SupervisedRule): Promise<void> {
    const key = `${rule.room}#${rule.rule}`
    if ((this.supervised.get(key)?.version ?? 0) !== (rule.version ?? 0))
      throw new RuleConflictError(`rule ${rule.rule} of ${rule.room} was saved since it was read`)
    this.supervised.set(key, { ...rule, version: (rule.version ?? 0) + 1 })
  }

  async listRules(room?: string): Promise<SupervisedRule[]> {
    return [...this.supervised.values()]
      .filter((r) => room === undefined || r.room === room)
      .sort((a, b) => a.room.localeCompare(b.room) || a.rule.localeCompare(b.rule))
  }

  async listOpen(owner: string): Promise<ApprovalRecord[]> {
    return [...this.requests.values()].filter((r) => r.owner === owner && r.status === 'open').sort((a, b) => a.number - b.number)
  }

  async listRequests(owner: string, rule?: string): Promise<ApprovalRecord[]> {
    return [...this.requests.values()]
      .filter((r) => r.owner === owner && (rule === undefined || r.rule === rule))
      .sort((a, b) => a.number - b.number)
  }

  async markNotified(owner: string, numbers: readonly number[], at: string): Promise<void> {
    for (const n of numbers) {
      const r = this.requests.get(`${owner}#${n}`)
      if (r) this.requests.set(`${owner}#${n}`, { ...r, notifiedAt: at })
    }
  }

  async getRoomOverrides(room: string): Promise<RoomOverrides> {
    return this.overrides.get(room) ?? {}
  }

  async saveRoomOverrides(room: string, overrides: RoomOverrides): Promise<void> {
    this.overrides.set(room, { ...overrides })
  }

  async getPacing(owner: string): Promise<OwnerPacing | undefined> {
    const p = this.pacing.get(owner)
    return p && { ...p, sent: [...p.sent] }
  }

  async savePacing(owner: string, pacing: OwnerPacing): Promise<void> {
    this.pacing.set(owner, { ...pacing, sent: [...pacing.sent] })
  }

  async listPacedOwners(): Promise<string[]> {
    return [...this.pacing.keys()].sort()
  }

  async addToDay(day: string, room: string, add: DayAddition): Promise<void> {
    const key = `${day}#${room}`
    this.days.set(key, addedToDay(this.days.get(key), add))
  }

  async getDay(day: string, room: string): Promise<DayCounts | undefined> {
    const c = this.days.get(`${day}#${room}`)
    return c && { ...c, changes: [...c.changes] }
  }

  async pruneDays(day: string): Promise<void> {
    for (const key of [...this.days.keys()]) if (key.slice(0, 10) < day) this.days.delete(key)
  }
}
