/**
 * StoredPolicy: the learned rulebook as retraining last saved it (a key in the media store — S3
 * on AWS), loaded on first use and reloaded after `refreshMs`, so a warm Lambda container picks
 * up a new rulebook within minutes. `current()` returns the same object until the stored one
 * changes, so callers can keep what they built on it (a Guard) until then.
 *
 * Absent: no rulebook yet (undefined). Unreadable or unreachable: the last good one (if any) is
 * kept and the problem reported — messages are judged by the other rules meanwhile, never lost.
 *
 * @example
 *   const rulebook = new StoredPolicy({ media, key: POLICY_KEY })
 *   const policy = await rulebook.current() // LearnedPolicy | undefined
 */
import { policyFromJson } from './learning/policy-file.ts'
import type { LearnedPolicy } from './learning/rule-learner.ts'
import type { StoredClassifierOptions } from './stored-classifier.ts'

/** Where retraining saves the rulebook and moderate, approvals and the monitor read it. */
export const POLICY_KEY = 'models/policy/policy.json'

/** As the stored classifier's (`refreshMs` @default 5 minutes here). */
export interface StoredPolicyOptions extends StoredClassifierOptions {
  /** Told when a stored rulebook cannot be read (the last good one stays in use). */
  readonly onProblem?: (line: string) => void
}

export class StoredPolicy {
  private policy: LearnedPolicy | undefined
  private text: string | undefined
  private loadedAt = Number.NEGATIVE_INFINITY
  private loading: Promise<void> | undefined

  constructor(private readonly options: StoredPolicyOptions) {}

  async current(): Promise<LearnedPolicy | undefined> {
    const now = (this.options.now ?? Date.now)()
    if (now - this.loadedAt >= (this.options.refreshMs ?? 300_000)) {
      this.loading ??= this.load(now).finally(() => {
        this.loading = undefined
      })
      await this.loading
    }
    return this.policy
  }

  private async load(now: number): Promise<void> {
    let bytes: Uint8Array | undefined
    try {
      bytes = await this.options.media.get(this.options.key)
    } catch (e) {
      // Try again in a minute; keep the rulebook we have meanwhile.
      this.loadedAt = now - (this.options.refreshMs ?? 300_000) + 60_000
      this.options.onProblem?.(`could not read the rulebook ${this.options.key}: ${(e as Error).message}`)
      return
    }
    this.loadedAt = now
    if (!bytes) {
      this.policy = undefined
      this.text = undefined
      return
    }
    const text = new TextDecoder().decode(bytes)
    if (text === this.text) return
    try {
      this.policy = policyFromJson(text)
      this.text = text
    } catch (e) {
      this.options.onProblem?.(
        `the rulebook ${this.options.key} is unreadable, the last good one (if any) stays in use: ${(e as Error).message}`,
      )
    }
  }
}
