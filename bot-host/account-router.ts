/**
 * AccountRouter: one ActionExecutor over several bot accounts in one process (`accounts:` in
 * qunguard.yaml). Each action goes to the live account that should do it (domain/registry.ts
 * `botForAction`: in the room, able to, the room owner's own account first for a removal). An
 * account that fails — logged out, stopped, or not answering within `actionTimeoutMs` — is set
 * aside until it beats again, and the action goes to the next; with none live it waits up to
 * `waitMs` (three beats by default) for one to come back. So a pending action is carried out
 * once, by whichever account is alive, and none is dropped for one account's failure.
 *
 * An action handed to an account that then hangs may in rare cases be done by it late as well as
 * by the next one (WeChat gives no receipt to check against); an account that is stopped or logged
 * out never does it.
 *
 * @example
 *   const router = new AccountRouter({ registry, heartbeatSeconds: 30 })
 *   router.add({ id: 'wxid_a', executor: exA, alive: () => botA.isLoggedIn })
 *   const session = new GuardSession({ ..., executor: router })
 */
import { assessBots, botForAction } from '../functions/domain/registry.ts'
import type { ActionExecutor, ActionOutcome, ActionRequest } from '../functions/ports/action-executor.port.ts'
import type { BotRegistry } from '../functions/ports/bot-registry.port.ts'

export interface RoutedAccount {
  /** The account's WeChat id (as it beats in the registry). */
  readonly id: string
  readonly executor: ActionExecutor
  /** Logged in and not stopped, as far as this process knows. */
  alive(): boolean
}

export interface AccountRouterOptions {
  readonly registry: BotRegistry
  readonly heartbeatSeconds: number
  /** An account that has not carried an action out within this is set aside. @default 30 s */
  readonly actionTimeoutMs?: number
  /** How long an action waits for a live account when none is. @default three beats */
  readonly waitMs?: number
  /** How often it looks again while waiting. @default 1 s, or the beat if shorter */
  readonly pollMs?: number
  readonly now?: () => Date
  /** Told when an action moves to another account (for the log). */
  readonly onFailover?: (line: string) => void
  /**
   * The private note for the group's owner when no live account is in the group: what was decided
   * and what to do by hand (sent from any live account). @default none: the action is only recorded failed
   */
  readonly stranded?: ((request: ActionRequest) => Promise<ActionRequest | undefined>) | undefined
}

export class AccountRouter implements ActionExecutor {
  private readonly accounts = new Map<string, RoutedAccount>()
  /** Accounts set aside, and since when: until they beat again after that. */
  private readonly down = new Map<string, number>()

  constructor(private readonly o: AccountRouterOptions) {}

  /** Adds (or replaces, on a new login) an account; it is no longer set aside. */
  add(account: RoutedAccount): void {
    this.accounts.set(account.id, account)
    this.down.delete(account.id)
  }

  /** Sets an account aside now (it logged out), until it beats again. */
  setAside(id: string): void {
    this.down.set(id, this.now().getTime())
  }

  /** The accounts this router carries actions out through. */
  get ids(): string[] {
    return [...this.accounts.keys()]
  }

  async execute(request: ActionRequest): Promise<ActionOutcome> {
    // One account: nothing to choose between, as before several were possible.
    if (this.accounts.size === 1) {
      const [only] = this.accounts.values()
      if (only) return only.executor.execute(request)
    }
    const beatMs = this.o.heartbeatSeconds * 1000
    const deadline = Date.now() + (this.o.waitMs ?? 3 * beatMs)
    const pollMs = this.o.pollMs ?? Math.min(1000, beatMs)
    let failedOver: string | undefined
    for (;;) {
      const chosen = await this.choose(request)
      if (!chosen) {
        if (Date.now() >= deadline) return this.strand(request)
        await new Promise((r) => setTimeout(r, pollMs))
        continue
      }
      const outcome = await this.attempt(chosen, request)
      if (outcome) {
        return failedOver ? { ...outcome, detail: `${outcome.detail} (carried out by ${chosen.id} after ${failedOver} failed)` } : outcome
      }
      failedOver ??= chosen.id
      this.o.onFailover?.(
        `account ${chosen.id} failed on a ${request.decision.action} in ${request.decision.room}; another live account takes it`,
      )
    }
  }

  /** No live account in the room: the owner is told what to do by hand, through any live account. */
  private async strand(request: ActionRequest): Promise<ActionOutcome> {
    const failed: ActionOutcome = { status: 'failed', detail: `no live guard account in room ${request.decision.room} (waited for one)` }
    const note = request.decision.room === 'private' ? undefined : await this.o.stranded?.(request)
    if (!note) return failed
    const by = await this.choose(note)
    const told = by ? await this.attempt(by, note) : undefined
    return told?.status === 'done' ? { status: 'fallback', detail: `${failed.detail}; the owner was told what to do by hand` } : failed
  }

  /** The account's outcome, or undefined when the account itself failed (the action is still to do). */
  private async attempt(account: RoutedAccount, request: ActionRequest): Promise<ActionOutcome | undefined> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.o.actionTimeoutMs ?? 30_000)
    })
    try {
      const outcome = await Promise.race([account.executor.execute(request), timeout])
      // A refusal by WeChat is an outcome; a failure because the account is gone is not.
      if (outcome !== 'timeout' && (outcome.status !== 'failed' || account.alive())) return outcome
    } catch {
      if (account.alive()) throw new Error(`account ${account.id} could not carry out the ${request.decision.action}`)
    } finally {
      clearTimeout(timer)
    }
    this.setAside(account.id)
    return undefined
  }

  private async choose(request: ActionRequest): Promise<RoutedAccount | undefined> {
    const { live } = assessBots(await this.o.registry.list(), this.now(), this.o.heartbeatSeconds)
    const usable = live.filter((b) => {
      const account = this.accounts.get(b.bot)
      const downAt = this.down.get(b.bot)
      return account?.alive() === true && (downAt === undefined || Date.parse(b.record.lastBeat) > downAt)
    })
    const id = botForAction(request, usable)
    return id === undefined ? undefined : this.accounts.get(id)
  }

  private now(): Date {
    return (this.o.now ?? (() => new Date()))()
  }
}
