import { bunClient } from '../src/clients/bun.ts';
import { registryScenario } from '../src/scenario.ts';
import { startWorkerdRegistry } from '../src/workerd-registry.ts';

// The registry as a Cloudflare Worker (apps/server/src/worker.ts) in workerd, over an R2 binding.
registryScenario(bunClient, { where: 'workerd over an R2 binding', startRegistry: startWorkerdRegistry });
