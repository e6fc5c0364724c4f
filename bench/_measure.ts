// Shared by the synchronous benches: median and p95 of repeated runs, and their formatting.

/** Times `fn` (after warm-up) and returns the median and p95 in milliseconds. */
export function measure(fn: () => unknown, { warmup = 5, runs = 30 } = {}): { median: number; p95: number; min: number } {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(runs / 2)]!, p95: times[Math.min(runs - 1, Math.floor(runs * 0.95))]!, min: times[0]! };
}

export function ms(n: number): string {
  return `${n.toFixed(2).padStart(8)} ms`;
}
