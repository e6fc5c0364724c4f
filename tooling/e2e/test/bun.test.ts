import { bunClient } from '../src/clients/bun.ts';
import { registryScenario } from '../src/scenario.ts';

registryScenario(bunClient);
