import { pnpmClient } from '../src/clients/pnpm.ts';
import { registryScenario } from '../src/scenario.ts';

registryScenario(pnpmClient);
