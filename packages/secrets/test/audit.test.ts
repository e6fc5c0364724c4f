import { describe, expect, it } from 'vitest';
import { createStore } from '@factorywager/r2-store';
import { AUDIT_PREFIX, AuditLog, type AuditEntry } from '@factorywager/secrets';

const entry = (at: string, key: string, action: AuditEntry['action'] = 'rotate'): AuditEntry => ({ at, actor: 'ana', action, key, outcome: 'ok' });

describe('secrets audit storage', () => {
  it('writes one new object per entry and reads entries back oldest first', async () => {
    const store = createStore({ driver: 'memory' });
    const audit = new AuditLog(store);
    await audit.append(entry('2026-12-01T10:00:00.000Z', 'db'));
    await audit.append(entry('2026-12-01T10:00:01.000Z', 'api'));
    await audit.append(entry('2026-12-02T09:00:00.000Z', 'db', 'read'));
    const { keys } = await store.list({ prefix: AUDIT_PREFIX });
    expect(keys).toHaveLength(3);
    expect(keys.every((k) => /^secrets\/_audit\/2026-12-0[12]\/\d{13}-\d{4}-[0-9a-f]{8}\.json$/.test(k))).toBe(true);
    expect((await audit.read()).map((e) => `${e.key}:${e.action}`)).toEqual(['db:rotate', 'api:rotate', 'db:read']);
    expect((await audit.read({ key: 'db' })).map((e) => e.action)).toEqual(['rotate', 'read']);
    expect((await audit.read({ limit: 2 })).map((e) => e.key)).toEqual(['api', 'db']);
  });

  it('still reads the one-object-per-day files of older stores, in order with the new entries', async () => {
    const store = createStore({ driver: 'memory' });
    await store.putJson(`${AUDIT_PREFIX}2026-11-30.json`, { format: 'fw-secrets-audit', v: 1, entries: [entry('2026-11-30T08:00:00.000Z', 'old', 'create')] });
    await store.putJson(`${AUDIT_PREFIX}2026-12-01.json`, { format: 'fw-secrets-audit', v: 1, entries: [entry('2026-12-01T08:00:00.000Z', 'old', 'rotate')] });
    const audit = new AuditLog(store);
    await audit.append(entry('2026-12-01T11:00:00.000Z', 'old', 'read'));
    expect((await audit.read({ key: 'old' })).map((e) => e.action)).toEqual(['create', 'rotate', 'read']);
    expect((await audit.read({ limit: 1 })).map((e) => e.action)).toEqual(['read']);
  });

  it('concurrent appends all land', async () => {
    const store = createStore({ driver: 'memory' });
    const audit = new AuditLog(store);
    await Promise.all(Array.from({ length: 40 }, (_, i) => audit.append(entry('2026-12-01T12:00:00.000Z', `k${i}`))));
    expect(new Set((await audit.read()).map((e) => e.key)).size).toBe(40);
  });
});
