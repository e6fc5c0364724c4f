/**
 * Failed-attempt counter over a fixed window, per key (`user:<name>`, `addr:<ip>`). In memory and per
 * process: a replica behind a load balancer counts its own attempts, which bounds guessing to
 * replicas x limit per window. Hand-written because it is a Map and a timestamp.
 */
export class FailureLimiter {
  readonly #hits = new Map<string, { count: number; resetAt: number }>();
  constructor(readonly limit: number, readonly windowMs: number, readonly now: () => number) {}

  /** True when `key` reached the limit inside the current window. */
  blocked(key: string): boolean {
    const entry = this.#hits.get(key);
    if (!entry) return false;
    if (entry.resetAt <= this.now()) {
      this.#hits.delete(key);
      return false;
    }
    return entry.count >= this.limit;
  }

  /** Records one failure for `key`. */
  fail(key: string): void {
    const now = this.now();
    const entry = this.#hits.get(key);
    if (!entry || entry.resetAt <= now) {
      if (this.#hits.size > 100_000) this.#sweep(now);
      this.#hits.set(key, { count: 1, resetAt: now + this.windowMs });
    } else {
      entry.count++;
    }
  }

  /** Takes back one failure of `key`: an attempt counted up front that turned out right. */
  forgive(key: string): void {
    const entry = this.#hits.get(key);
    if (entry && entry.resetAt > this.now() && --entry.count <= 0) this.#hits.delete(key);
  }

  /** Forgets `key` (after a successful login). */
  reset(key: string): void {
    this.#hits.delete(key);
  }

  #sweep(now: number): void {
    for (const [key, entry] of this.#hits) if (entry.resetAt <= now) this.#hits.delete(key);
  }
}
