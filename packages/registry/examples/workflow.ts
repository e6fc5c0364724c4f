// The product's workflow in one file, as the README tells it: run with `bun examples/workflow.ts`
// in an empty folder (FW_DATA_DIR and HOME pointing at fresh folders keep it away from yours).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BunXIntegration,
  NPMRegistryServer,
  RegistrySecretsManager,
  VersionManager,
  loadRegistryConfig,
} from '@factorywager/registry';

const work = process.env.FW_EXAMPLE_DIR ?? process.cwd();

// 1. A JSON5 config: the embedded default (filesystem storage), on a free port, no uplink.
writeFileSync(join(work, 'registry.config.json5'), `{
  // comments are fine: this is JSON5
  listen: { host: '127.0.0.1', port: 0 },
  storage: { driver: 'fs', root: './data' },
  uplinks: {},
}`);
const config = await loadRegistryConfig({ path: join(work, 'registry.config.json5') });

// 2. Start the registry.
const server = await new NPMRegistryServer(config, { log: false }).start();
const host = new URL(server.url).host;

// 3. A user, as `npm adduser` creates one; its token goes into the secrets manager.
const res = await fetch(`${server.url}/-/user/org.couchdb.user:ana`, {
  method: 'PUT',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'ana', password: 'correct horse battery staple', email: 'ana@example.com' }),
});
const { token } = (await res.json()) as { token: string };
const secrets = new RegistrySecretsManager();
await secrets.initialize();
await secrets.storeRegistryCredentials(host, { token });

// 4. Publish a package with a bin (here with `bun publish`; npm, pnpm and yarn work the same way).
const pkg = join(work, 'hello');
mkdirSync(join(pkg, 'bin'), { recursive: true });
writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@acme/hello', version: '1.0.0', bin: { hello: 'bin/hello.js' } }));
writeFileSync(join(pkg, 'bin/hello.js'), "#!/usr/bin/env node\nconsole.log('hello from @acme/hello', process.argv.slice(2).join(' '));\n");
writeFileSync(join(pkg, '.npmrc'), `registry=${server.url}/\n//${host}/:_authToken=${(await secrets.getRegistryCredentials(host))!.token}\n`);
// Spawned asynchronously: the registry answers from this very process.
const publish = Bun.spawn(['bun', 'publish'], { cwd: pkg, stdout: 'pipe', stderr: 'pipe' });
if ((await publish.exited) !== 0) throw new Error(`bun publish failed: ${await new Response(publish.stderr).text()}`);

// 5. Its version graph, in three forms.
const versions = new VersionManager({ registryUrl: server.url, token });
const graph = await versions.buildVersionGraph('@acme/hello');
console.log(versions.generateAsciiGraph(graph));
console.log(versions.generateMermaidGraph(graph));
console.log(`${versions.generateD3Json(graph).nodes.length} node(s) in the D3 JSON`);

// 6. Run its bin with the runner: the token comes from the secrets manager.
const bunx = new BunXIntegration({ registry: server.url, cacheDir: join(work, 'bunx-cache') });
console.log(`resolved ${await bunx.resolveVersion('@acme/hello', '^1.0.0')}`);
const code = await bunx.execute({ package: '@acme/hello', args: ['world'] });

await server.stop();
process.exit(code);
