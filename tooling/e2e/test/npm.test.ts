import { npmClient } from '../src/clients/npm.ts';
import { registryScenario } from '../src/scenario.ts';

registryScenario(npmClient);
