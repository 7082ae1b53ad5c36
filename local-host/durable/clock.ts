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
    let timer: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    const fire = () => (this.now() >= atMs ? fn() : arm());
    const arm = () => {
      const realDelay = Math.max(0, (atMs - this.now()) / this.speed);
      // setTimeout waits at least 1 ms: at high speeds that, not the virtual wait, would set the pace.
      if (realDelay < 1) immediate = setImmediate(fire);
      else timer = setTimeout(fire, Math.min(realDelay, 2 ** 31 - 1));
    };
    arm();
    return () => {
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
    };
  }
}
