import { describe, expect, it } from 'vitest';
import { runSecretsSuite } from './_suite.ts';

// CI runs this file under tooling/scripts/with-keyring.sh (FW_KEYCHAIN_AVAILABLE=1, an unlocked
// gnome-keyring). Without it the backend assertion fails on purpose: this variant never skips.
runSecretsSuite({
  name: 'the OS keychain (Bun.secrets)',
  useBunSecrets: true,
  env: { FW_REQUIRE_KEYCHAIN: '1' },
  expectBackend(init) {
    if (init.backend !== 'bun-secrets') {
      throw new Error(`expected the bun-secrets backend (FW_KEYCHAIN_AVAILABLE=${process.env.FW_KEYCHAIN_AVAILABLE ?? 'unset'}; run under tooling/scripts/with-keyring.sh): ${init.reason}`);
    }
  },
  async readLocal(service, key) {
    const bun = (globalThis as { Bun?: { secrets: { get(o: { service: string; name: string }): Promise<string | null> } } }).Bun;
    if (!bun) throw new Error('the keychain variant must run under Bun (bun --bun vitest)');
    return bun.secrets.get({ service, name: key });
  },
});

describe('keychain test environment', () => {
  it('runs with FW_KEYCHAIN_AVAILABLE=1 (tooling/scripts/with-keyring.sh), never silently without a keychain', () => {
    expect(process.env.FW_KEYCHAIN_AVAILABLE, 'run: bash tooling/scripts/with-keyring.sh bun --bun vitest run packages/secrets').toBe('1');
  });
});
