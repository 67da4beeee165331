/** A one-line progress display on stderr for long commands; silent when not wanted. */
export class Progress {
  /** How far it is. */
  n = 0
  private last = 0
  private readonly started = performance.now()

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly enabled: boolean,
  ) {}

  tick(by = 1): void {
    this.n += by
    if (!this.enabled) return
    const now = performance.now()
    if (now - this.last < 200 && this.n < this.total) return
    this.last = now
    const pct = this.total ? Math.floor((100 * this.n) / this.total) : 100
    const rate = this.n / Math.max(0.001, (now - this.started) / 1000)
    process.stderr.write(`\r${this.label}: ${this.n}/${this.total} (${pct}%), ${Math.round(rate)}/s   `)
  }

  done(): void {
    if (this.enabled && this.last > 0) process.stderr.write('\n')
  }
}
