import { yarn4Client } from '../src/clients/yarn4.ts';
import { registryScenario } from '../src/scenario.ts';

registryScenario(yarn4Client);
