/**
 * The host's time. Real in `npm start`; in tests it can run faster than real time, so a
 * 15-minute durable timer fires in milliseconds while the rest of the system keeps its order.
 */
export interface Clock {
  now(): number;
  /** Calls `fn` once the clock reaches `atMs`; returns a cancel function. */
  at(atMs: number, fn: () => void): () => void;
}

export class ScaledClock implements Clock {
  private readonly realStart = Date.now();
  /** @param speed virtual milliseconds per real millisecond (1 = real time) */
  constructor(
    private readonly speed = 1,
    private readonly virtualStart = Date.now(),
  ) {}

  now(): number {
    return this.virtualStart + (Date.now() - this.realStart) * this.speed;
  }

  at(atMs: number, fn: () => void): () => void {
    // setTimeout caps at ~24.8 days; re-arm in chunks for longer waits.
    let timer: NodeJS.Timeout;
    const arm = () => {
      const realDelay = Math.max(0, (atMs - this.now()) / this.speed);
      timer = setTimeout(() => (this.now() >= atMs ? fn() : arm()), Math.min(realDelay, 2 ** 31 - 1));
    };
    arm();
    return () => clearTimeout(timer);
  }
}
