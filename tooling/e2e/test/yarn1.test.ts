import { yarn1Client } from '../src/clients/yarn1.ts';
import { registryScenario } from '../src/scenario.ts';

registryScenario(yarn1Client);
