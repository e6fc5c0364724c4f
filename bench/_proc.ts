// What a server process has cost so far, read from Linux's /proc: CPU seconds (user + system, from
// /proc/<pid>/stat) and peak resident memory (VmHWM in /proc/<pid>/status).
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on Linux x86-64 and arm64). */
const TICKS = 100;

export interface ProcessCost {
  /** User plus system CPU seconds since the process started. */
  cpu: number;
  /** Peak resident set size in MB (VmHWM). */
  peakRssMb: number;
  /** Current resident set size in MB (VmRSS). */
  rssMb: number;
}

/** The process's CPU seconds and memory now; throws off Linux (no /proc). */
export function processCost(pid: number): ProcessCost {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after it are counted from its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[11]) + Number(fields[12])) / TICKS; // utime and stime: fields 14 and 15
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { cpu, peakRssMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}
