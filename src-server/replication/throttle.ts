/**
 * A bandwidth limit shared by every transfer of one replication configuration (API.md: KiB/s for all the
 * replication traffic it sends): a token bucket. It starts empty, so no run beats its limit, and saves up
 * at most one second's worth while idle.
 */
export class Throttle {
  private bytesPerSecond: number | null;
  private available: number;
  private last = Date.now();
  /** Takes wait in line, so one large part cannot starve the others. */
  private queue: Promise<void> = Promise.resolve();

  constructor(limitKBps: number | null) {
    this.bytesPerSecond = limitKBps === null ? null : limitKBps * 1024;
    this.available = 0;
  }

  get limitKBps(): number | null {
    return this.bytesPerSecond === null ? null : this.bytesPerSecond / 1024;
  }

  /** A configuration changed its limit: applies from the next part on. */
  setLimit(limitKBps: number | null): void {
    this.bytesPerSecond = limitKBps === null ? null : limitKBps * 1024;
  }

  /** Resolves once `bytes` may be sent. */
  take(bytes: number): Promise<void> {
    if (this.bytesPerSecond === null) return Promise.resolve();
    const turn = this.queue.then(() => this.wait(bytes));
    this.queue = turn;
    return turn;
  }

  private async wait(bytes: number): Promise<void> {
    const rate = this.bytesPerSecond;
    if (rate === null) return;
    const now = Date.now();
    this.available = Math.min(rate, this.available + ((now - this.last) / 1000) * rate);
    this.last = now;
    this.available -= bytes;
    if (this.available < 0) await new Promise((resolve) => setTimeout(resolve, (-this.available / rate) * 1000));
  }
}
