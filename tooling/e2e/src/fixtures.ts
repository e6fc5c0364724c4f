import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const UTIL = 'fw-e2e-util';
export const GREETER = '@fw-e2e/greeter';
/** A public package the scenario's test upstream serves; the greeter gets it through the proxy. */
export const PUBLIC = 'fw-e2e-public';

/** Writes a publishable package folder and returns its path. */
export function writePackage(dir: string, pkg: Record<string, unknown>, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ license: 'MIT', ...pkg }, null, 2)}\n`);
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    writeFileSync(path, text);
    if (text.startsWith('#!')) chmodSync(path, 0o755);
  }
  return dir;
}

export function utilPackage(dir: string, version: string) {
  return writePackage(dir, { name: UTIL, version, main: 'index.js', description: 'fw e2e util' }, {
    'index.js': `exports.add = (a, b) => a + b;\nexports.version = ${JSON.stringify(version)};\n`,
    'README.md': `# ${UTIL}\n`,
  });
}

/** A scoped package with a bin, a dependency on another private package and one on a public package. */
export function greeterPackage(dir: string, version: string) {
  return writePackage(dir, {
    name: GREETER,
    version,
    description: 'fw e2e greeter',
    bin: { 'fw-greet': 'bin.js' },
    main: 'bin.js',
    dependencies: { [UTIL]: '^1.0.0', [PUBLIC]: '^1.2.0' },
  }, {
    'bin.js': `#!/usr/bin/env node\nconst { add } = require('${UTIL}');\nconsole.log('hello from greeter ' + add(2, 3) + ' with ' + require('${PUBLIC}'));\n`,
  });
}

export function consumerProject(dir: string, deps: Record<string, string>) {
  return writePackage(dir, { name: 'fw-e2e-consumer', version: '0.0.0', private: true, dependencies: deps }, {});
}
