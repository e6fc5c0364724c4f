import { describe, expect, it } from 'vitest';
import { memoryDriver, wrapStore } from '@factorywager/r2-store';
import { classifyKey, memoryJournal, mayTravel, syncStatus, syncUpload } from '@factorywager/sync';

const enc = (s: string) => new TextEncoder().encode(s);
const envelope = JSON.stringify({ format: 'fw-secret-envelope', v: 1, alg: 'AES-256-GCM', key: 'db', version: 1, iv: 'AAAA', data: 'BBBB' });

describe('classifyKey', () => {
  it.each([
    ['packages/left-pad/left-pad-1.0.0.tgz', 'tarball'],
    ['packages/@acme/ui/ui-1.0.0.tgz', 'tarball'],
    ['packages/@acme/ui/manifest.json', 'manifest'],
    ['versions/left-pad/history.json', 'versions'],
    ['secrets/db/password/versions/3.json', 'secret'],
    ['secrets/db/password/current.json', 'secret'],
    ['secrets/_audit/2026-12-01.json', 'secret'],
    ['secrets/_audit/2026-12-01/0001-ab.json', 'secret'],
    ['versions/left-pad/history/0001-ab.json', 'versions'],
    ['auth/users/alice.json', 'auth'],
    ['auth/tokens/alice/0b7c.json', 'auth'],
  ])('%s is a %s', (key, kind) => {
    expect(classifyKey(key)?.kind).toBe(kind);
  });
  it.each(['.secrets/master.key', '.secrets/vault/db%2Fpassword.json', '.docs/index.json', 'secrets/db/notes.txt', 'auth/secret.json', 'cache/bunx/x@1/a', 'packages/x/readme.md'])('%s never travels', (key) => {
    expect(classifyKey(key)).toBeNull();
  });
  it('the signing secret only when asked', () => {
    expect(classifyKey('auth/secret.json', { includeAuthSecret: true })?.kind).toBe('auth');
  });
  it('mayTravel: envelopes, metadata and audit only', () => {
    expect(mayTravel('secrets/db/versions/1.json', enc(envelope))).toBe(true);
    expect(mayTravel('secrets/db/versions/1.json', enc('{"value":"hunter2"}'))).toBe(false);
    expect(mayTravel('secrets/db/current.json', enc(envelope))).toBe(false);
    expect(mayTravel('secrets/db/current.json', enc('not json'))).toBe(false);
  });
});

describe('syncUpload between memory stores', () => {
  const setup = async () => {
    const source = wrapStore(memoryDriver());
    const target = wrapStore(memoryDriver());
    await source.put('packages/a/a-1.0.0.tgz', enc('tarball a'));
    await source.put('packages/b/b-1.0.0.tgz', enc('tarball b'));
    await source.putJson('packages/a/manifest.json', { name: 'a' });
    await source.putJson('packages/b/manifest.json', { name: 'b' });
    await source.put('secrets/db/versions/1.json', envelope);
    await source.put('secrets/db/versions/2.json', '{"plaintext":"oops"}');
    await source.put('.secrets/master.key', 'KEY');
    return { source, target };
  };

  it('holds back the manifest of a package whose tarball differs at the target, refuses non-envelopes', async () => {
    const { source, target } = await setup();
    await target.put('packages/b/b-1.0.0.tgz', enc('another tarball b'));
    const report = await syncUpload({ source, target });
    expect(report.conflicts.map((c) => c.key)).toEqual(['packages/b/b-1.0.0.tgz']);
    expect(report.heldBack).toEqual(['packages/b/manifest.json']);
    expect(report.refused).toEqual(['secrets/db/versions/2.json']);
    expect(report.sent).toEqual(['packages/a/a-1.0.0.tgz', 'secrets/db/versions/1.json', 'packages/a/manifest.json']);
    expect(await target.get('.secrets/master.key')).toBeNull();
    expect(new TextDecoder().decode((await target.get('packages/b/b-1.0.0.tgz'))!.body)).toBe('another tarball b');
  });

  it('skips by journal without a request, by hash with a HEAD, and re-sends what vanished at the target', async () => {
    const { source, target } = await setup();
    const journal = memoryJournal();
    await syncUpload({ source, target, journal });
    let heads = 0;
    const counted = { ...target, head: (k: string) => { heads++; return target.head(k); } };
    const again = await syncUpload({ source, target: counted, journal });
    expect(again.sent).toEqual([]);
    expect(heads).toBe(0);
    const fresh = await syncUpload({ source, target: counted, journal: memoryJournal() });
    expect(fresh.sent).toEqual([]);
    expect(heads).toBeGreaterThan(0);
    await target.delete('packages/a/a-1.0.0.tgz');
    const after = await syncUpload({ source, target, journal });
    expect(after.sent).toEqual(['packages/a/a-1.0.0.tgz']);
  });

  it('dry run sends nothing; status compares both ways', async () => {
    const { source, target } = await setup();
    const dry = await syncUpload({ source, target, dryRun: true });
    expect(dry.sent).toHaveLength(5);
    expect((await target.list()).keys).toEqual([]);
    await target.put('packages/z/manifest.json', '{}');
    await target.put('packages/a/manifest.json', '{"name":"changed"}');
    const s = await syncStatus({ source, target });
    expect(s.extra).toEqual(['packages/z/manifest.json']);
    expect(s.changed).toEqual(['packages/a/manifest.json']);
    expect(s.missing).toContain('packages/a/a-1.0.0.tgz');
    expect(s.missing).not.toContain('.secrets/master.key');
  });
});
