/**
 * MemoryApprovalStore: the ApprovalStore in one process's memory (tests, and the reference the
 * contract suite checks the DynamoDB adapter against). Lost when the process ends.
 */
import type { ApprovalStatus } from '../../domain/approvals.ts'
import type { ApprovalRecord, ApprovalStore, NewApproval, RuleRecord } from '../../ports/approval-store.port.ts'

export class MemoryApprovalStore implements ApprovalStore {
  private readonly requests = new Map<string, ApprovalRecord>()
  private readonly byDecision = new Map<number, string>()
  private readonly counters = new Map<string, number>()
  private readonly rules = new Map<string, RuleRecord>()

  async open(approval: NewApproval): Promise<ApprovalRecord> {
    const existing = this.byDecision.get(approval.decisionId)
    if (existing !== undefined) return this.requests.get(existing) as ApprovalRecord
    const number = (this.counters.get(approval.owner) ?? 0) + 1
    this.counters.set(approval.owner, number)
    const record: ApprovalRecord = { ...approval, number, status: 'open' }
    const key = `${approval.owner}#${number}`
    this.requests.set(key, record)
    this.byDecision.set(approval.decisionId, key)
    this.count(record.room, record.rule, 'fired')
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
    this.count(record.room, record.rule, status)
    return closed
  }

  async listOverdue(before: string): Promise<ApprovalRecord[]> {
    return [...this.requests.values()].filter((r) => r.status === 'open' && Date.parse(r.deadline) < Date.parse(before))
  }

  async countOpen(at: string): Promise<number> {
    return [...this.requests.values()].filter((r) => r.status === 'open' && Date.parse(r.deadline) >= Date.parse(at)).length
  }

  async ruleRecord(room: string, rule: string): Promise<RuleRecord> {
    return this.rules.get(`${room}#${rule}`) ?? { room, rule, fired: 0, approved: 0, rejected: 0, expired: 0 }
  }

  private count(room: string, rule: string, what: 'fired' | Exclude<ApprovalStatus, 'open'>): void {
    const r = this.rules.get(`${room}#${rule}`) ?? { room, rule, fired: 0, approved: 0, rejected: 0, expired: 0 }
    this.rules.set(`${room}#${rule}`, { ...r, [what]: r[what] + 1 })
  }
}
