import { memoryDriver } from '@factorywager/r2-store';
import { testDriver } from './contract.ts';

// The memory driver holds every byte by design: the 64 MiB case checks the bytes, not the RSS bound.
testDriver('memory', async () => ({ driver: memoryDriver() }), { boundedMemory: false, changeStamp: true });
