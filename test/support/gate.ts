/** Holds fake backend replies in flight until released (a slow network a test controls). */
export class Gate {
  private gate: Promise<void> | null = null
  private open: (() => void) | null = null

  /** Replies from now on wait until `release()`. */
  hold(): void {
    this.gate ??= new Promise<void>((resolve) => (this.open = resolve))
  }

  release(): void {
    this.open?.()
    this.gate = null
    this.open = null
  }

  /** Replies waiting now never arrive (a dead TCP connection); replies from now on pass. */
  strand(): void {
    this.gate = null
    this.open = null
  }

  /** Resolves at once, or when a held gate is released. */
  async pass(): Promise<void> {
    if (this.gate) await this.gate
  }
}
