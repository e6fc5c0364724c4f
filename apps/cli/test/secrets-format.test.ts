import { describe, expect, it } from 'vitest';
import { formatAudit, formatList } from '../src/commands/_secrets-format.ts';

describe('secrets output', () => {
  it('drops control characters from what others wrote (actor, environment, reason), keeping its own colours', () => {
    const esc = '\u001b';
    const audit = formatAudit([{
      at: '2026-01-01T00:00:00.000Z', actor: `eve${esc}[2J`, action: 'read', key: 'k', outcome: 'denied', reason: `actor "eve${esc}[2J" has no role`,
    }], true);
    expect(audit.replace(/\u001b\[\d+m/g, '')).toBe('2026-01-01T00:00:00.000Z  eve[2J  read k  denied  (actor "eve[2J" has no role)');
    const list = formatList([{
      key: 'k', version: 1, createdAt: '', updatedAt: '', actor: 'a', env: `prod${esc}]0;x\u0007`, ageDays: 0, rotation: 'NONE', deleted: false, storage: 'file-vault',
    }], false);
    expect(list).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(list).toContain('prod]0;x');
  });
});
