// What the shared contract suite imports from 'vitest', for running it inside workerd: the test
// worker is bundled with 'vitest' resolved to this file. describe/it/beforeAll/afterAll only record;
// the host (r2-workerd.test.ts) asks for the list of tests and runs them one request at a time.
// `expect` is vitest's own (@vitest/expect on chai), so the assertions are the same as under vitest.
import * as chai from 'chai';
import { JestAsymmetricMatchers, JestChaiExpect, JestExtend } from '@vitest/expect';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

export const expect = chai.expect as unknown as typeof import('vitest').expect;

type Fn = () => unknown;
interface Suite { name: string; before: Fn[]; after: Fn[]; tests: Array<{ name: string; fn: Fn }> }

const suites: Suite[] = [];
let current: Suite | undefined;

export function describe(name: string, body: () => void): void {
  const suite: Suite = { name, before: [], after: [], tests: [] };
  suites.push(suite);
  const outer = current;
  current = suite;
  try {
    body();
  } finally {
    current = outer;
  }
}
describe.sequential = describe;

export function it(name: string, fn: Fn): void {
  if (!current) throw new Error(`it("${name}") outside describe`);
  current.tests.push({ name, fn });
}
export const test = it;

export function beforeAll(fn: Fn): void {
  current!.before.push(fn);
}

export function afterAll(fn: Fn): void {
  current!.after.push(fn);
}

const started = new Set<Suite>();

/** The registered tests, as `suite > test` names. */
export function listTests(): Array<{ suite: string; test: string }> {
  return suites.flatMap((s) => s.tests.map((t) => ({ suite: s.name, test: t.name })));
}

const describeError = (err: unknown) => {
  const e = err as Error;
  return { message: e?.message ?? String(err), stack: e?.stack ?? '' };
};

/** Runs one test (its suite's beforeAll hooks first, once). */
export async function runTest(suiteName: string, testName: string): Promise<{ ok: boolean; ms: number; error?: { message: string; stack: string } }> {
  const suite = suites.find((s) => s.name === suiteName);
  const t = suite?.tests.find((x) => x.name === testName);
  if (!suite || !t) return { ok: false, ms: 0, error: { message: `no test ${suiteName} > ${testName}`, stack: '' } };
  const start = performance.now();
  try {
    if (!started.has(suite)) {
      started.add(suite);
      for (const fn of suite.before) await fn();
    }
    await t.fn();
    return { ok: true, ms: performance.now() - start };
  } catch (err) {
    return { ok: false, ms: performance.now() - start, error: describeError(err) };
  }
}

/** Runs every started suite's afterAll hooks. */
export async function finish(): Promise<{ ok: boolean; error?: { message: string; stack: string } }> {
  try {
    for (const s of started) for (const fn of s.after) await fn();
    started.clear();
    return { ok: true };
  } catch (err) {
    return { ok: false, error: describeError(err) };
  }
}
