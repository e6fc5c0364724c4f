import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addUser, publish } from '../src/publish-doc.ts';
import { startRegistry, type RegistryProcess } from '../src/registry-process.ts';
import { checkStore } from '../src/store-check.ts';

describe('a server killed with SIGKILL in the middle of publishes', () => {
  let first: RegistryProcess | undefined;
  let second: RegistryProcess | undefined;
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  it('leaves a consistent store that a restarted server serves', async () => {
    first = await startRegistry();
    const token = await addUser(first.url, 'crasher', 'crash-test-password');
    let accepted = 0;
    let stop = false;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        try {
          const res = await publish(first!.url, token, `fw-crash-${w}`, `1.0.${i}`);
          if (res.ok) accepted++;
        } catch {
          return; // connection refused or reset: the server is gone
        }
      }
    });
    // kill once a good number of publishes went through, while the writers keep publishing
    const deadline = Date.now() + 30_000;
    while (accepted < 60) {
      if (Date.now() > deadline) throw new Error(`only ${accepted} publishes went through in 30 s:\n${first.output()}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    await first.stop({ keepData: true });

    const report = await checkStore(first.dataDir);
    expect(report.problems).toEqual([]);
    expect(report.versions).toBeGreaterThanOrEqual(60);

    // the restart finishes the publishes the kill cut short: every committed version has its version
    // record and its history event, no publish is left in the journal, and no lock file is left over
    second = await startRegistry({ dataDir: first.dataDir });
    const publishEvents = async (name: string) => {
      const res = await fetch(`${second!.url}/-/fw/history?package=${encodeURIComponent(name)}&type=publish`);
      return ((await res.json()) as { events?: Array<{ version?: string }> }).events ?? [];
    };
    const audited = await checkStore(first.dataDir, { audit: publishEvents });
    expect(audited.problems).toEqual([]);
    expect(audited.records).toBe(audited.versions);
    expect(audited.publishEvents).toBe(audited.versions);
    const journal = join(first.dataDir, 'journal', 'publish');
    expect(existsSync(journal) ? readdirSync(journal, { recursive: true }).filter((f) => String(f).endsWith('.json')) : []).toEqual([]);
    const res = await fetch(`${second.url}/fw-crash-0`);
    expect(res.status).toBe(200);
    // the restarted server accepts new publishes on top of what survived
    const after = await publish(second.url, token, 'fw-crash-0', '2.0.0');
    expect(after.ok).toBe(true);
    // no lock file is left: the killed server's were swept, and the running one's (it may still be
    // writing derived data in the background) are released once it stops
    await second.stop({ keepData: true });
    second = undefined;
    expect(readdirSync(join(first.dataDir, '.fw-store', 'locks'))).toEqual([]);
  });
});
