import { runSecretsSuite } from './_suite.ts';

runSecretsSuite({
  name: 'the encrypted file vault',
  useBunSecrets: false,
  expectBackend(init) {
    if (init.backend !== 'file-vault') throw new Error(`expected file-vault, got ${init.backend}`);
  },
  async readLocal(_service, key, _dataDir, m) {
    const b = await (m as unknown as { open(): Promise<{ vault(): Promise<{ get(k: string): Promise<string | null> }> }> }).open();
    return (await b.vault()).get(key);
  },
});
