import { denoClient } from '../src/clients/deno.ts';
import { registryScenario } from '../src/scenario.ts';

registryScenario(denoClient);
