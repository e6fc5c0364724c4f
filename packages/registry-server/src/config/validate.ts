import type { StoreConfig } from '@factorywager/r2-store';
import { parseDuration } from './_duration.ts';
import { Checker, type Obj } from './_check.ts';
import { finalizeConfig, mergeConfig, type ConfigLayer } from './_merge.ts';
import { baseConfig } from './defaults.ts';
import type { PackageRule, RegistryConfig, UplinkConfig } from './types.ts';

const TOP = ['$schema', 'listen', 'publicUrl', 'storage', 'dataDir', 'auth', 'users', 'packages', 'uplinks', 'minReleaseAge', 'minReleaseAgeExclude', 'upstreamSearchTimeout', 'limits', 'versionCacheTtl', 'secrets', 'index', 'cache', 'feeds'] as const;
const GRANTS = ['access', 'publish', 'unpublish'] as const;
const GROUPS = ['$all', '$authenticated', '$anonymous'];
const USER_NAME = /^[a-z0-9_][a-z0-9._-]{0,63}$/;

function storage(c: Checker, raw: unknown): StoreConfig {
  const o = c.object(raw, 'storage');
  const driver = c.oneOf(o.driver, 'storage.driver', ['fs', 'memory', 's3'] as const);
  if (driver === 'memory') {
    c.object(o, 'storage', ['driver']);
    return { driver };
  }
  if (driver === 'fs') {
    c.object(o, 'storage', ['driver', 'root']);
    return { driver, root: c.string(o.root, 'storage.root') };
  }
  c.object(o, 'storage', ['driver', 'bucket', 'endpoint', 'accountId', 'region', 'accessKeyId', 'secretAccessKey', 'forcePathStyle', 'prefix']);
  if (o.endpoint === undefined && o.accountId === undefined) c.fail('storage', 'needs an endpoint or an accountId for the s3 driver');
  const s3: StoreConfig = {
    driver, bucket: c.string(o.bucket, 'storage.bucket'),
    accessKeyId: c.string(o.accessKeyId, 'storage.accessKeyId'), secretAccessKey: c.string(o.secretAccessKey, 'storage.secretAccessKey'),
  };
  if (o.endpoint !== undefined) s3.endpoint = c.url(o.endpoint, 'storage.endpoint');
  if (o.accountId !== undefined) s3.accountId = c.string(o.accountId, 'storage.accountId');
  if (o.region !== undefined) s3.region = c.string(o.region, 'storage.region');
  if (o.forcePathStyle !== undefined) s3.forcePathStyle = c.boolean(o.forcePathStyle, 'storage.forcePathStyle');
  if (o.prefix !== undefined) s3.prefix = c.string(o.prefix, 'storage.prefix');
  return s3;
}

function packages(c: Checker, raw: unknown, uplinks: Record<string, unknown>): PackageRule[] {
  if (!Array.isArray(raw)) c.fail('packages', 'must be an array of rules');
  return raw.map((r, i) => {
    const f = `packages[${i}]`;
    const o = c.object(r, f, ['pattern', ...GRANTS, 'proxy', 'private', 'maintainersOnly']);
    const grantees = (g: (typeof GRANTS)[number]) => {
      const list = c.strings(o[g] ?? [], `${f}.${g}`);
      for (const name of list) {
        if (name.startsWith('$') && !GROUPS.includes(name)) c.fail(`${f}.${g}`, `names the unknown group "${name}" (known: ${GROUPS.join(', ')})`);
      }
      return list;
    };
    const rule: PackageRule = {
      pattern: c.string(o.pattern, `${f}.pattern`),
      access: grantees('access'),
      publish: grantees('publish'),
      unpublish: grantees('unpublish'),
    };
    if (o.proxy !== undefined) {
      rule.proxy = c.strings(o.proxy, `${f}.proxy`);
      for (const name of rule.proxy) if (!Object.hasOwn(uplinks, name)) c.fail(`${f}.proxy`, `names the uplink "${name}", which is not in uplinks`);
    }
    if (o.private !== undefined) {
      rule.private = c.boolean(o.private, `${f}.private`);
      if (rule.private && rule.proxy?.length) c.fail(`${f}.private`, 'cannot be true on a rule that lists proxy uplinks (a private name is never proxied)');
    }
    if (o.maintainersOnly !== undefined) rule.maintainersOnly = c.boolean(o.maintainersOnly, `${f}.maintainersOnly`);
    return rule;
  });
}

function uplinks(c: Checker, raw: unknown): Record<string, UplinkConfig> {
  const o = c.object(raw, 'uplinks');
  const out: Record<string, UplinkConfig> = {};
  for (const [name, value] of Object.entries(o)) {
    const f = `uplinks.${name}`;
    const u = c.object(value, f, ['url', 'timeout', 'maxage', 'maxFails', 'failTimeout']);
    out[name] = {
      url: c.url(u.url, `${f}.url`),
      timeout: u.timeout === undefined ? 30_000 : c.integer(u.timeout, `${f}.timeout`, 1, 600_000),
      maxage: u.maxage === undefined ? 120 : c.integer(u.maxage, `${f}.maxage`, 0, 31_536_000),
      ...(u.maxFails === undefined ? {} : { maxFails: c.integer(u.maxFails, `${f}.maxFails`, 0, 1000) }),
      ...(u.failTimeout === undefined ? {} : { failTimeout: c.integer(u.failTimeout, `${f}.failTimeout`, 0, 86_400) }),
    };
  }
  return out;
}

/** `minReleaseAge`: a duration ("1d", "12h", "90m") or seconds; 0 turns the guard off. */
function releaseAge(c: Checker, raw: unknown): number {
  if (raw === 0 || raw === '0') return 0;
  if (typeof raw === 'number') return c.integer(raw, 'minReleaseAge', 0, 31_536_000 * 10);
  const seconds = typeof raw === 'string' ? parseDuration(raw) : null;
  if (seconds === null) c.fail('minReleaseAge', 'must be a duration such as "1d", "12h" or "90m", a number of seconds, or 0 (off)');
  return seconds;
}

function secrets(c: Checker, raw: unknown): Partial<RegistryConfig['secrets']> {
  const o = c.object(raw, 'secrets', ['roles', 'rotation', 'maxVersions', 'cacheTtl']);
  const out: Partial<RegistryConfig['secrets']> = {};
  if (o.roles !== undefined) {
    out.roles = {};
    for (const [role, grants] of Object.entries(c.object(o.roles, 'secrets.roles'))) {
      if (!Array.isArray(grants)) c.fail(`secrets.roles.${role}`, 'must be an array of grants');
      out.roles[role] = grants.map((g, i) => {
        const f = `secrets.roles.${role}[${i}]`;
        const go = c.object(g, f, ['actions', 'keys', 'environments']);
        const actions = c.strings(go.actions, `${f}.actions`);
        for (const a of actions) c.oneOf(a, `${f}.actions`, ['read', 'write', 'rotate', 'delete'] as const);
        return {
          actions: actions as Array<'read' | 'write' | 'rotate' | 'delete'>,
          keys: c.strings(go.keys, `${f}.keys`),
          ...(go.environments === undefined ? {} : { environments: c.strings(go.environments, `${f}.environments`) }),
        };
      });
    }
  }
  if (o.rotation !== undefined) {
    if (!Array.isArray(o.rotation)) c.fail('secrets.rotation', 'must be an array');
    out.rotation = o.rotation.map((r, i) => {
      const ro = c.object(r, `secrets.rotation[${i}]`, ['pattern', 'maxAgeDays']);
      return { pattern: c.string(ro.pattern, `secrets.rotation[${i}].pattern`), maxAgeDays: c.integer(ro.maxAgeDays, `secrets.rotation[${i}].maxAgeDays`, 1) };
    });
  }
  if (o.maxVersions !== undefined) out.maxVersions = c.integer(o.maxVersions, 'secrets.maxVersions', 1, 10_000);
  if (o.cacheTtl !== undefined) out.cacheTtl = c.integer(o.cacheTtl, 'secrets.cacheTtl', 0, 31_536_000);
  return out;
}

function caches(c: Checker, raw: unknown): Partial<RegistryConfig['cache']> {
  const keys = ['packumentRevalidate', 'changeMapMaxAge', 'packuments', 'packumentBytes', 'tarballBytes', 'tarballMaxSize', 'statsTtl', 'webListPages'] as const;
  const o = c.object(raw, 'cache', [...keys]);
  const max: Record<(typeof keys)[number], number> = { packumentRevalidate: 86_400, changeMapMaxAge: 86_400, packuments: 1_000_000, packumentBytes: 2 ** 40, tarballBytes: 2 ** 40, tarballMaxSize: 2 ** 32, statsTtl: 86_400, webListPages: 100_000 };
  const out: Partial<RegistryConfig['cache']> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = c.integer(o[k], `cache.${k}`, 0, max[k]);
  return out;
}

function packageIndex(c: Checker, raw: unknown): Partial<RegistryConfig['index']> {
  const o = c.object(raw, 'index', ['cacheTtl', 'rebuildAfter', 'searchQueries', 'callers']);
  const out: Partial<RegistryConfig['index']> = {};
  if (o.cacheTtl !== undefined) out.cacheTtl = c.integer(o.cacheTtl, 'index.cacheTtl', 0, 86_400);
  if (o.searchQueries !== undefined) out.searchQueries = c.integer(o.searchQueries, 'index.searchQueries', 0, 100_000);
  if (o.callers !== undefined) out.callers = c.integer(o.callers, 'index.callers', 1, 100_000);
  if (o.rebuildAfter !== undefined) {
    if (parseDuration(c.string(o.rebuildAfter, 'index.rebuildAfter')) === null) c.fail('index.rebuildAfter', 'must be a duration such as "1d", "12h" or "3600"');
    out.rebuildAfter = o.rebuildAfter as string;
  }
  return out;
}

/**
 * Checks a config file's contents (any subset of the fields) and returns it as a layer; every error
 * is RegistryError INVALID_CONFIG naming the file and the field.
 * @example
 * validateConfigLayer({ listen: { port: 8080 } }, 'registry.config.json5'); // { listen: { port: 8080 } }
 */
export function validateConfigLayer(raw: unknown, source = 'config'): ConfigLayer {
  const c = new Checker(source);
  const o = c.object(raw, '', TOP);
  const layer: ConfigLayer = {};
  if (o.listen !== undefined) {
    const l = c.object(o.listen, 'listen', ['host', 'port']);
    layer.listen = {};
    if (l.host !== undefined) layer.listen.host = c.string(l.host, 'listen.host');
    if (l.port !== undefined) layer.listen.port = c.integer(l.port, 'listen.port', 0, 65535);
  }
  if (o.publicUrl !== undefined) layer.publicUrl = c.url(o.publicUrl, 'publicUrl');
  if (o.storage !== undefined) layer.storage = storage(c, o.storage);
  if (o.dataDir !== undefined) layer.dataDir = c.string(o.dataDir, 'dataDir');
  if (o.auth !== undefined) {
    const a = c.object(o.auth, 'auth', ['mode', 'secret', 'tokenTtl', 'allowRegistration', 'maxLoginAttempts', 'maxSignupsPerAddress', 'trustProxy']);
    const auth: Partial<RegistryConfig['auth']> = {};
    if (a.mode !== undefined) auth.mode = c.oneOf(a.mode, 'auth.mode', ['jwt'] as const);
    if (a.secret !== undefined) {
      auth.secret = c.string(a.secret, 'auth.secret');
      if (auth.secret.length < 32) c.fail('auth.secret', 'must be at least 32 characters (or leave it out: one is generated and kept in the store)');
    }
    if (a.tokenTtl !== undefined && parseDuration(c.string(a.tokenTtl, 'auth.tokenTtl')) === null) c.fail('auth.tokenTtl', 'must be a duration such as "30d", "12h" or "3600"');
    if (a.tokenTtl !== undefined) auth.tokenTtl = a.tokenTtl as string;
    if (a.allowRegistration !== undefined) auth.allowRegistration = c.boolean(a.allowRegistration, 'auth.allowRegistration');
    if (a.maxLoginAttempts !== undefined) auth.maxLoginAttempts = c.integer(a.maxLoginAttempts, 'auth.maxLoginAttempts', 1, 10_000);
    if (a.maxSignupsPerAddress !== undefined) auth.maxSignupsPerAddress = c.integer(a.maxSignupsPerAddress, 'auth.maxSignupsPerAddress', 1, 1_000_000);
    if (a.trustProxy !== undefined) auth.trustProxy = c.boolean(a.trustProxy, 'auth.trustProxy');
    layer.auth = auth;
  }
  if (o.users !== undefined) {
    layer.users = {};
    for (const [name, u] of Object.entries(c.object(o.users, 'users'))) {
      if (!USER_NAME.test(name)) c.fail(`users.${name}`, 'is not a valid user name (lowercase letters, digits, ".", "-", "_")');
      const uo = c.object(u, `users.${name}`, ['roles']);
      layer.users[name] = { roles: c.strings(uo.roles ?? [], `users.${name}.roles`) };
    }
  }
  const up = o.uplinks === undefined ? undefined : uplinks(c, o.uplinks);
  if (up) layer.uplinks = up;
  // Without an uplinks section, rules may name the default uplink (`upstream`).
  if (o.packages !== undefined) layer.packages = packages(c, o.packages, up ?? baseConfig().uplinks);
  if (o.minReleaseAge !== undefined) layer.minReleaseAge = releaseAge(c, o.minReleaseAge);
  if (o.minReleaseAgeExclude !== undefined) layer.minReleaseAgeExclude = c.strings(o.minReleaseAgeExclude, 'minReleaseAgeExclude');
  if (o.upstreamSearchTimeout !== undefined) layer.upstreamSearchTimeout = c.integer(o.upstreamSearchTimeout, 'upstreamSearchTimeout', 1, 60_000);
  if (o.limits !== undefined) {
    const l = c.object(o.limits, 'limits', ['maxBodySize', 'maxUnpackedSize', 'maxTarballEntries', 'maxDistTags', 'maxDeprecationLength', 'maxReadmeSize']);
    const limits: Partial<RegistryConfig['limits']> = {};
    if (l.maxBodySize !== undefined) limits.maxBodySize = c.integer(l.maxBodySize, 'limits.maxBodySize', 1024, 2 ** 32);
    if (l.maxUnpackedSize !== undefined) limits.maxUnpackedSize = c.integer(l.maxUnpackedSize, 'limits.maxUnpackedSize', 1024, 2 ** 40);
    if (l.maxTarballEntries !== undefined) limits.maxTarballEntries = c.integer(l.maxTarballEntries, 'limits.maxTarballEntries', 1, 10_000_000);
    if (l.maxDistTags !== undefined) limits.maxDistTags = c.integer(l.maxDistTags, 'limits.maxDistTags', 1, 100_000);
    if (l.maxDeprecationLength !== undefined) limits.maxDeprecationLength = c.integer(l.maxDeprecationLength, 'limits.maxDeprecationLength', 1, 1_000_000);
    if (l.maxReadmeSize !== undefined) limits.maxReadmeSize = c.integer(l.maxReadmeSize, 'limits.maxReadmeSize', 0, 2 ** 32);
    layer.limits = limits;
  }
  if (o.versionCacheTtl !== undefined) layer.versionCacheTtl = c.integer(o.versionCacheTtl, 'versionCacheTtl', 0, 31_536_000);
  if (o.secrets !== undefined) layer.secrets = secrets(c, o.secrets);
  if (o.index !== undefined) layer.index = packageIndex(c, o.index);
  if (o.cache !== undefined) layer.cache = caches(c, o.cache);
  if (o.feeds !== undefined) {
    const feeds: unknown = o.feeds;
    if (!Array.isArray(feeds)) c.fail('feeds', 'must be an array of feed URLs');
    layer.feeds = (feeds as unknown[]).map((u, i) => c.url(u, `feeds[${i}]`));
  }
  return layer;
}

/**
 * Validates a config object (a whole config or any subset) and returns the full config, merged over
 * the defaults. Errors name the field and the file.
 * @example
 * validateConfig({ packages: [{ pattern: '**', access: ['$all'], publish: 'bob' }] }, 'registry.config.json5');
 * // throws RegistryError INVALID_CONFIG "registry.config.json5: packages[0].publish must be an array of strings"
 */
export function validateConfig(raw: unknown, source = 'config'): RegistryConfig {
  const layer = validateConfigLayer(raw, source);
  return { ...finalizeConfig(mergeConfig(baseConfig(), layer), [layer]), source };
}

