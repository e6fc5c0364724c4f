import { StoreError } from './errors.ts';
import { fsDriver } from './fs-driver.ts';
import { memoryDriver } from './memory-driver.ts';
import { s3Driver } from './s3-driver.ts';
import { wrapStore } from './store.ts';
import type { Store, StoreConfig } from './types.ts';

/**
 * Builds the driver a StoreConfig names and wraps it with the JSON helpers and `updateJson`.
 * On Workers, prefer `wrapStore(s3Driver(...))`, which keeps the fs driver out of the bundle.
 * @example
 * const store = createStore({ driver: 'fs', root: './.factorywager' });
 * await store.updateJson<string[]>('list.json', (cur) => [...(cur ?? []), 'x']);
 */
export function createStore(config: StoreConfig): Store {
  switch (config?.driver) {
    case 'fs':
      if (!config.root) throw new StoreError('INVALID_CONFIG', 'fs store: "root" is required');
      return wrapStore(fsDriver({ root: config.root }));
    case 'memory':
      return wrapStore(memoryDriver());
    case 's3': {
      for (const field of ['bucket', 'accessKeyId', 'secretAccessKey'] as const) {
        if (!config[field]) throw new StoreError('INVALID_CONFIG', `s3 store: "${field}" is required`);
      }
      if (!config.endpoint && !config.accountId) {
        throw new StoreError('INVALID_CONFIG', 's3 store: "endpoint" or "accountId" is required');
      }
      const { driver: _driver, ...options } = config;
      return wrapStore(s3Driver(options));
    }
    default:
      throw new StoreError('INVALID_CONFIG', `unknown store driver ${JSON.stringify((config as { driver?: unknown })?.driver)} (fs, memory, s3)`);
  }
}
