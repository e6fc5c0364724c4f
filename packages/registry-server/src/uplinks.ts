import { isStoreError, keys, type Store } from '@factorywager/r2-store';
import type { PackageRule, UplinkConfig } from './config/types.ts';
import { matchPackagePattern } from './auth/access.ts';
import { RegistryError } from './errors.ts';
import { collect } from './_http.ts';
import { sha1Hex, sha512Integrity } from './_crypto.ts';
import { tarballFile, versionOfTarball } from './_names.ts';
import { abbreviatedPackument, type Packument } from './packages/packument.ts';

/** An upstream packument as kept at `cache/uplinks/{name}/packument.json`. */
interface CachedPackument {
  uplink: string;
  fetchedAt: number;
  doc: Packument;
}

interface Held {
  record: CachedPackument;
  doc: Packument;
  etag: string;
  full?: Blob;
  abbreviated?: Blob;
}

const MAX_HELD = 200;
const packumentKey = keys.uplinkPackument;
const tarballKey = keys.uplinkTarball;

/** The part of `fetch` uplinks use (a test can pass its own). */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export interface UplinkDeps {
  store: Store;
  packages: PackageRule[];
  uplinks: Record<string, UplinkConfig>;
  publicUrl: string;
  fetch: FetchLike;
  now: () => Date;
  maxBodySize: number;
  log?: (message: string) => void;
  /** Told of every upstream packument stored in the cache (the package index lists it). */
  onCached?: (doc: Packument, uplink: string, fetchedAt: number) => Promise<void>;
}

/**
 * Proxies names matched by a package rule with `proxy` to upstream registries: packuments cached for
 * the uplink's maxage, tarballs kept on first download (integrity checked), the cached copy served
 * while the upstream is down. The caller asks only when no local package exists: local always wins.
 * @example
 * const up = new Uplinks({ store, packages, uplinks, publicUrl, fetch, now: () => new Date(), maxBodySize: 1e8 });
 * const found = await up.packument('left-pad');
 */
export class Uplinks {
  constructor(private readonly deps: UplinkDeps) {}

  /** The uplinks configured for a name (those of the first matching rule). */
  for(name: string): Array<[string, UplinkConfig]> {
    const rule = this.deps.packages.find((r) => matchPackagePattern(r.pattern, name));
    return (rule?.proxy ?? []).flatMap((id) => (this.deps.uplinks[id] ? [[id, this.deps.uplinks[id]!] as [string, UplinkConfig]] : []));
  }

  /** The upstream packument with tarball links pointing here, or null when no uplink has it. */
  async packument(name: string): Promise<{ doc: Packument; etag: string } | null> {
    const held = await this.held(name);
    return held ? { doc: held.doc, etag: held.etag } : null;
  }

  /** The upstream packument serialized in one form (kept in memory until the next refresh). */
  async render(name: string, form: 'full' | 'abbreviated'): Promise<{ body: Blob; etag: string } | null> {
    const held = await this.held(name);
    if (!held) return null;
    const body = (held[form] ??= new Blob([JSON.stringify(form === 'full' ? held.doc : abbreviatedPackument(held.doc))]));
    return { body, etag: `W/"${held.etag}-${form === 'full' ? 'f' : 'a'}"` };
  }

  /** Parsed, rewritten and serialized forms per record, so a hot proxied GET does no JSON work. */
  private readonly memory = new Map<string, Held>();

  private async held(name: string): Promise<Held | null> {
    const record = await this.load(name);
    if (!record) return null;
    const kept = this.memory.get(name);
    if (kept?.record === record) return kept;
    const doc = structuredClone(record.doc);
    for (const [v, manifest] of Object.entries(doc.versions ?? {})) {
      if (manifest?.dist) manifest.dist.tarball = `${this.deps.publicUrl}/${name}/-/${tarballFile(name, v)}`;
    }
    delete doc._fw;
    delete (doc as Partial<Packument>)._rev;
    const held: Held = { record, doc, etag: `up-${record.fetchedAt}` };
    this.memory.delete(name);
    this.memory.set(name, held);
    if (this.memory.size > MAX_HELD) this.memory.delete(this.memory.keys().next().value!);
    return held;
  }

  private async load(name: string): Promise<CachedPackument | null> {
    const uplinks = this.for(name);
    if (uplinks.length === 0) return null;
    const { store, now } = this.deps;
    const fresh = (c: CachedPackument) => now().getTime() - c.fetchedAt < (this.deps.uplinks[c.uplink]?.maxage ?? 0) * 1000;
    const inMemory = this.memory.get(name)?.record;
    if (inMemory && fresh(inMemory)) return inMemory;
    const cached = (await store.getJson<CachedPackument>(packumentKey(name))) ?? inMemory ?? null;
    if (cached && fresh(cached)) return cached;
    let notFound = false;
    for (const [id, uplink] of uplinks) {
      const url = `${uplink.url.replace(/\/+$/, '')}/${name.replace('/', '%2f')}`;
      try {
        const res = await this.deps.fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(uplink.timeout) });
        if (res.status === 404) { notFound = true; await res.body?.cancel(); continue; }
        if (!res.ok) throw new Error(`status ${res.status}`);
        const doc = JSON.parse(new TextDecoder().decode(await collect(res.body!, this.deps.maxBodySize, 'upstream packument'))) as Packument;
        if (doc?.name !== name || typeof doc.versions !== 'object') throw new Error('not a packument');
        const record: CachedPackument = { uplink: id, fetchedAt: now().getTime(), doc };
        await store.putJson(packumentKey(name), record);
        await this.deps.onCached?.(doc, id, record.fetchedAt);
        return record;
      } catch (err) {
        this.deps.log?.(`uplink ${id} failed for ${name}: ${(err as Error).message}`);
      }
    }
    if (cached) return cached;
    if (notFound) return null;
    throw new RegistryError('UPSTREAM_UNAVAILABLE', `no uplink answered for ${name}`);
  }

  /** A proxied tarball: the kept copy, else fetched once, checked against the packument, and kept. */
  async tarball(name: string, file: string): Promise<{ body: ReadableStream<Uint8Array> | Uint8Array; etag: string; size: number } | null> {
    const version = versionOfTarball(name, file);
    if (!version || this.for(name).length === 0) return null;
    const { store } = this.deps;
    const kept = await store.getStream(tarballKey(name, file));
    if (kept) return { body: kept.body, etag: kept.etag, size: kept.size };
    const cached = await this.load(name);
    const dist = cached?.doc.versions?.[version]?.dist;
    if (!dist?.tarball || !/^https?:\/\//.test(dist.tarball)) return null;
    let bytes: Uint8Array;
    try {
      const res = await this.deps.fetch(dist.tarball, { signal: AbortSignal.timeout(this.deps.uplinks[cached!.uplink]?.timeout ?? 30_000) });
      if (res.status === 404) return null;
      if (!res.ok || !res.body) throw new Error(`status ${res.status}`);
      bytes = await collect(res.body, this.deps.maxBodySize, 'upstream tarball');
    } catch (err) {
      throw new RegistryError('UPSTREAM_UNAVAILABLE', `could not fetch ${name}@${version} from its uplink`, { cause: err });
    }
    const sha512 = typeof dist.integrity === 'string' ? dist.integrity.split(/\s+/).filter((h) => h.startsWith('sha512-')) : [];
    const ok = sha512.length ? sha512.includes(await sha512Integrity(bytes)) : dist.shasum === (await sha1Hex(bytes));
    if (!ok) throw new RegistryError('UPSTREAM_UNAVAILABLE', `tarball of ${name}@${version} from the uplink failed its integrity check`);
    try {
      await store.put(tarballKey(name, file), bytes, { contentType: 'application/octet-stream', ifNoneMatch: '*' });
    } catch (err) {
      if (!isStoreError(err, 'PRECONDITION_FAILED')) throw err;
    }
    const info = await store.head(tarballKey(name, file));
    return { body: bytes, etag: info?.etag ?? `${version}`, size: bytes.byteLength };
  }
}
