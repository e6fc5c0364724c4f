/** What a progress display shows: objects and bytes done out of a total. */
export interface ProgressState {
  label: string;
  done: number;
  total: number;
  bytesDone?: number;
  bytesTotal?: number;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} kB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

const describe = (s: ProgressState) => {
  const bytes = s.bytesTotal !== undefined ? `, ${formatBytes(s.bytesDone ?? 0)}/${formatBytes(s.bytesTotal)}` : '';
  return `${s.label} ${s.done}/${s.total} objects${bytes}`;
};

/**
 * A progress bar on stderr: redrawn in place on a terminal (at most every 100 ms), plain lines at
 * each tenth of the work otherwise (logs, CI). Written here rather than taken from a library: both
 * modes together are thirty lines, and the CLI's colour and TTY rules stay in one place.
 */
export function progressBar(stream: { isTTY?: boolean; write(s: string): unknown } = process.stderr) {
  let last = 0;
  let lastTenth = -1;
  let drawn = false;
  let label = '';
  return {
    update(s: ProgressState) {
      if (s.total === 0) return;
      const ratio = Math.min(1, s.done / s.total);
      if (stream.isTTY) {
        const now = Date.now();
        if (now - last < 100 && s.done < s.total) return;
        last = now;
        const width = 24;
        const fill = Math.round(ratio * width);
        stream.write(`\r\x1b[2K[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${describe(s)}`);
        drawn = true;
      } else {
        const tenth = Math.floor(ratio * 10);
        if (tenth === lastTenth && s.label === label) return;
        lastTenth = tenth;
        label = s.label;
        stream.write(`${String(tenth * 10).padStart(3)}% ${describe(s)}\n`);
      }
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
