// Shared by the whole-process benches: time spawned commands round-robin and print the figures.

export interface ProcessCase {
  label: string;
  cmd: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  /** Runs before each timed spawn (untimed). */
  reset?: () => void;
}

export interface ProcessFigure {
  label: string;
  median: number;
  p90: number;
  min: number;
}

/**
 * Times every case `runs` times, round-robin (A, B, A, B, ...), so that a change in the machine's
 * load meets every case alike. Output goes nowhere; a failing run throws with its stderr.
 */
export function timeProcesses(cases: ProcessCase[], runs: number): ProcessFigure[] {
  const times = cases.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    cases.forEach((c, k) => {
      c.reset?.();
      const t0 = performance.now();
      const r = Bun.spawnSync(c.cmd, { env: c.env as Record<string, string>, cwd: c.cwd, stdout: 'ignore', stderr: 'pipe' });
      const ms = performance.now() - t0;
      if (r.exitCode !== 0) throw new Error(`${c.label}: exited ${r.exitCode}: ${r.stderr.toString().slice(-500)}`);
      times[k]!.push(ms);
    });
  }
  return cases.map((c, k) => {
    const t = times[k]!.sort((a, b) => a - b);
    return { label: c.label, median: t[Math.floor(runs / 2)]!, p90: t[Math.min(runs - 1, Math.floor(runs * 0.9))]!, min: t[0]! };
  });
}

export function printFigures(figures: ProcessFigure[], baseline?: string): void {
  const base = figures.find((f) => f.label === baseline);
  const w = Math.max(...figures.map((f) => f.label.length));
  for (const f of figures) {
    const ratio = base && f !== base ? `  ${(f.median / base.median).toFixed(2)}x ${base.label}` : '';
    console.log(`${f.label.padEnd(w)}  median ${f.median.toFixed(0).padStart(6)} ms  p90 ${f.p90.toFixed(0).padStart(6)} ms  min ${f.min.toFixed(0).padStart(6)} ms${ratio}`);
  }
}
