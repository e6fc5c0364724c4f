// Which cached bins the warm path runs inside its own process, and which it executes. The runs
// themselves (argv, exit codes, require.main) are apps/cli/test/bunx-in-process.test.ts.
import { describe, expect, it } from 'vitest';
import { nodeModulePaths, planInProcess } from '../src/_in-process.ts';

const plan = (file: string, source: string, packageType?: string, hasMainModule = true) => {
  const p = planInProcess({ file, source, packageType, hasMainModule });
  return p.run === 'exec' ? `exec: ${p.reason}` : p.run;
};

describe('planInProcess', () => {
  it('a CommonJS bin compiles into the main module; an ES module or TypeScript bin is imported', () => {
    expect(plan('/p/cli.js', "#!/usr/bin/env node\nrequire('x');\n")).toBe('cjs');
    expect(plan('/p/cli.cjs', 'module.exports = 1;\n', 'module')).toBe('cjs');
    expect(plan('/p/cli', "#!/usr/bin/env node\nconsole.log(1);\n")).toBe('cjs');
    expect(plan('/p/cli.js', "import('./m.js').then((m) => m.run());\n")).toBe('cjs'); // a dynamic import is CommonJS too
    expect(plan('/p/cli.js', 'console.log(1);\n', 'module')).toBe('esm');
    expect(plan('/p/cli.mjs', 'console.log(1);\n')).toBe('esm');
    expect(plan('/p/cli.js', "import { x } from './x.js';\n")).toBe('esm'); // ES syntax in a .js of a CommonJS package: Bun loads it as ESM
    expect(plan('/p/cli.js', 'export default 1;\n')).toBe('esm');
    expect(plan('/p/cli.ts', 'const x: number = 1;\n')).toBe('esm');
    expect(plan('/p/cli.tsx', 'const x = <b />;\n')).toBe('esm');
  });

  it('a bin that asks whether it is the main module, in a way this process cannot answer, is executed', () => {
    expect(plan('/p/cli.mjs', 'if (import.meta.main) run();\n')).toBe('exec: asks import.meta.main or Bun.main');
    expect(plan('/p/cli.js', 'if (Bun.main === __filename) run();\n')).toBe('exec: asks import.meta.main or Bun.main');
    expect(plan('/p/cli.js', 'if (require.main === module) run();\n')).toBe('cjs'); // true in the main module object
    expect(plan('/p/cli.js', 'if (require.main === module) run();\n', undefined, false)).toBe('exec: asks require.main'); // no CommonJS main (fw)
    expect(plan('/p/cli.ts', 'if (require.main === module) run();\n')).toBe('exec: asks require.main');
    expect(plan('/p/cli.js', 'console.log(1);\n', undefined, false)).toBe('esm'); // asks nothing: imported
  });

  it('a file that is not JavaScript or TypeScript is executed', () => {
    expect(plan('/p/cli.sh', 'echo hi\n')).toBe('exec: not JavaScript (.sh)');
    expect(plan('/p/cli.py', 'print(1)\n')).toBe('exec: not JavaScript (.py)');
    expect(plan('/p/cli', '#!/bin/sh\necho hi\n')).toBe('exec: a shebang for another interpreter');
    expect(plan('/p/cli', '#!/usr/bin/env bun\nconsole.log(1)\n')).toBe('cjs');
  });
});

describe('nodeModulePaths', () => {
  it('lists every ancestor node_modules, as Module._nodeModulePaths does', () => {
    expect(nodeModulePaths('/c/pkg/bin')).toEqual(['/c/pkg/bin/node_modules', '/c/pkg/node_modules', '/c/node_modules', '/node_modules']);
    expect(nodeModulePaths('/c/node_modules/x')).toEqual(['/c/node_modules/x/node_modules', '/c/node_modules', '/node_modules']);
    expect(nodeModulePaths('/')).toEqual(['/node_modules']);
  });
});
