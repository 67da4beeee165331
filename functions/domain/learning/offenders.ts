/**
 * Who a room's rules have already caught. A member of under three days caught once — a link, a
 * QR code, a card — is far more likely a marketer than other members are, so the `offender`
 * rules judge their next texts as ads at a lower classifier score. Whoever applies a room's
 * rules keeps one memory (PolicyRunner, backtest, the learner replaying its own rules), marks
 * each message's facts with it before matching, and notes each catch.
 *
 * @example
 *   const memory = new OffenderMemory()
 *   const g = memory.mark(facts)                 // { ...facts, offender: true | false }
 *   const rule = rules.find((r) => matches(r, g, score))
 *   if (rule) memory.note(g)
 */
import { type MessageFacts, RECENT_MS } from './features.ts'

export class OffenderMemory {
  /** room \0 sender → when their last catch was. */
  private readonly caught = new Map<string, number>()
  private notes = 0

  /**
   * @param forgetMs how long a catch is remembered. An `offender` rule asks for a member of under
   *   three days (the `recent` window), who cannot have been caught longer ago than that.
   */
  constructor(private readonly forgetMs = RECENT_MS) {}

  /** The facts, with `offender` set: whether the room's rules caught this sender before. */
  mark(f: MessageFacts): MessageFacts {
    const at = this.caught.get(key(f))
    return { ...f, offender: at !== undefined && f.ms - at < this.forgetMs }
  }

  /** One of the room's rules caught this message. */
  note(f: Catch): void {
    this.caught.set(key(f), f.ms)
    // Forget old catches now and then, so a long-running guard's memory stays bounded.
    if (++this.notes % 1000 === 0) for (const [k, at] of this.caught) if (f.ms - at >= this.forgetMs) this.caught.delete(k)
  }

  get size(): number {
    return this.caught.size
  }
}

/** What a catch is remembered by. */
type Catch = Pick<MessageFacts, 'room' | 'sender' | 'ms'>

const key = (f: Catch) => `${f.room}\u0000${f.sender}`
