import type { UplinkConfig } from '../config/types.ts';

/** Default consecutive failures after which an uplink is left alone for a while. */
export const DEFAULT_MAX_FAILS = 2;
/** Default seconds an uplink that failed `maxFails` times in a row is left alone. */
export const DEFAULT_FAIL_TIMEOUT = 60;

/**
 * The state of each uplink as this process saw it: after `maxFails` failures in a row (no answer in
 * time, a network error, a 5xx) an uplink is marked down for `failTimeout` seconds, and requests that
 * would ask it are answered at once from the cache (or with an error) instead of each waiting for its
 * timeout. When the time is up the next request tries again; a failure then marks it down again at
 * once, an answer clears it. Like Verdaccio's `max_fails` / `fail_timeout`; per process (per isolate
 * on Workers), since a replica that can reach the upstream should not wait for one that cannot.
 * @example
 * const health = new UplinkHealth(config.uplinks, Date.now);
 * if (!health.down('upstream')) { try { await ask(); health.answered('upstream'); } catch { health.failed('upstream'); } }
 */
export class UplinkHealth {
  private readonly state = new Map<string, { fails: number; downUntil: number }>();

  constructor(private readonly uplinks: Record<string, UplinkConfig>, private readonly now: () => number) {}

  /** Why `id` is not asked now ("marked down for 42 s more after 2 failures in a row"), or null. */
  down(id: string): string | null {
    const s = this.state.get(id);
    const left = s ? s.downUntil - this.now() : 0;
    return s && left > 0 ? `marked down for ${Math.ceil(left / 1000)} s more after ${s.fails} failures in a row` : null;
  }

  /** The uplink answered (any status but a 5xx): it is up. */
  answered(id: string): void {
    this.state.delete(id);
  }

  /** The uplink did not answer in time, could not be reached, or answered a 5xx. */
  failed(id: string): void {
    const config = this.uplinks[id];
    const maxFails = config?.maxFails ?? DEFAULT_MAX_FAILS;
    if (maxFails === 0) return;
    const s = this.state.get(id) ?? { fails: 0, downUntil: 0 };
    s.fails++;
    if (s.fails >= maxFails) s.downUntil = this.now() + (config?.failTimeout ?? DEFAULT_FAIL_TIMEOUT) * 1000;
    this.state.set(id, s);
  }
}
