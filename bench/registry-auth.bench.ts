// Auth costs per request: token verification (signature + revocation lookup in the store), access
// rules, and the deliberately slow password hash. Plain timing loops; figures in ops/s, ms and p99.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '../packages/r2-store/src/index.ts';
import { addUser, checkAccess, createAuth, hashPassword, verifyPassword, type PackageRule, type Principal } from '../packages/registry-server/src/index.ts';

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = samples.reduce((a, b) => a + b, 0);
  return { ops: samples.length / (total / 1000), mean: total / samples.length, p99: sorted[Math.floor(sorted.length * 0.99)]! };
}

async function time(n: number, fn: () => Promise<unknown> | unknown): Promise<number[]> {
  for (let i = 0; i < Math.min(50, n); i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

const line = (name: string, s: ReturnType<typeof stats>) =>
  console.log(`${name.padEnd(44)} ${s.ops.toFixed(0).padStart(9)} ops/s  mean ${s.mean.toFixed(3)} ms  p99 ${s.p99.toFixed(3)} ms`);

const config = {
  auth: { mode: 'jwt' as const, tokenTtl: '30d', allowRegistration: true, maxLoginAttempts: 10, maxSignupsPerAddress: 10, trustProxy: false },
  users: { alice: { roles: ['dev'] } },
  packages: [{ pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['$authenticated'] }],
};

const hashes = await time(5, () => hashPassword('correct horse battery'));
line('hashPassword (PBKDF2-SHA256, 600k iter)', stats(hashes));
const stored = await hashPassword('correct horse battery');
line('verifyPassword', stats(await time(5, () => verifyPassword('correct horse battery', stored))));

const dir = mkdtempSync(join(tmpdir(), 'fw-bench-auth-'));
try {
  for (const [label, store] of [['memory', createStore({ driver: 'memory' })], ['fs', createStore({ driver: 'fs', root: dir })]] as const) {
    const auth = createAuth({ store, config });
    await addUser(store, 'alice', 'correct horse battery'); // named in the config: created by an administrator
    const res = await auth.routes.fetch(new Request('http://x/-/user/org.couchdb.user:alice', { method: 'PUT', body: JSON.stringify({ name: 'alice', password: 'correct horse battery' }) }));
    const { token } = (await res.json()) as { token: string };
    const req = new Request('http://x/pkg', { headers: { authorization: `Bearer ${token}` } });
    line(`authenticate (JWT + 2 record reads, ${label})`, stats(await time(5000, () => auth.authenticate(req))));
    const basic = new Request('http://x/pkg', { headers: { authorization: `Basic ${btoa('alice:correct horse battery')}` } });
    line(`authenticate, Basic (remembered, ${label})`, stats(await time(5000, () => auth.authenticate(basic))));
    line(`authenticate, anonymous (${label})`, stats(await time(5000, () => auth.authenticate(new Request('http://x/pkg')))));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const rules: PackageRule[] = Array.from({ length: 20 }, (_, i) => ({ pattern: `@team${i}/*`, access: ['$authenticated'], publish: [`team${i}`], unpublish: ['admins'] }));
rules.push({ pattern: '**', access: ['$all'], publish: ['$authenticated'], unpublish: ['admins'] });
const who: Principal = { name: 'alice', roles: ['team7'], readOnly: false };
line('checkAccess, 21 rules, last rule matches', stats(await time(100_000, () => checkAccess(rules, who, 'publish', 'left-pad'))));
