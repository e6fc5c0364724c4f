import { isStoreError, keys, type Store } from '@factorywager/r2-store';
import type { PackageRule, UplinkConfig } from './config/types.ts';
import { matchPackagePattern } from './auth/access.ts';
import { RegistryError } from './errors.ts';
import { collect } from './_http.ts';
import { sha1Hex, sha512Integrity } from './_crypto.ts';
import { tarballFile, versionOfTarball } from './_names.ts';
import { abbreviatedPackument, type Packument } from './packages/packument.ts';
import { UplinkHealth } from './proxy/uplink-health.ts';
import { applyReleaseAge, type QuarantinedVersion, type ReleaseAgeView } from './proxy/release-age.ts';
import { formatAge, VIA_HEADER } from './proxy/_via.ts';

/** An upstream packument as kept at `cache/uplinks/{name}/packument.json`. */
interface CachedPackument {
  uplink: string;
  /** Last time the upstream confirmed it (200 or 304). */
  fetchedAt: number;
  /** Last time its content changed (our ETag). */
  changedAt?: number;
  /** The upstream's validators, for conditional requests. */
  etag?: string;
  lastModified?: string;
  doc: Packument;
}

interface Held {
  record: CachedPackument;
  view: ReleaseAgeView;
  etag: string;
  full?: Blob;
  abbreviated?: Blob;
}

/** What the guard holds back of one proxied package (`GET /-/fw/quarantine/:pkg`, `registry:info`). */
export interface QuarantineReport {
  name: string;
  /** `upstream` (proxied, with the uplink's name), `local` (published here), `private` (reserved, never proxied). */
  source: 'upstream' | 'local' | 'private';
  uplink?: string;
  /** Seconds; 0 when the guard is off or the package is exempt. */
  minReleaseAge: number;
  excluded: boolean;
  quarantined: QuarantinedVersion[];
  movedTags: Record<string, { upstream: string; served: string | null }>;
}

const MAX_HELD = 200;
const MAX_HOPS = 8;
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
  /** Seconds an upstream version must have been out before it is served (0: off). */
  minReleaseAge?: number;
  /** Package patterns the release-age guard leaves alone. */
  minReleaseAgeExclude?: string[];
  /** This handler's id in the `x-fw-via` header (loop detection). */
  instanceId: string;
  log?: (message: string) => void;
  /** Told of every upstream packument stored in the cache (the package index lists it). */
  onCached?: (doc: Packument, uplink: string, fetchedAt: number) => Promise<void>;
  /**
   * Concurrent requests for one name share one upstream fetch (default true). False on Workers, where
   * a request must never await I/O another request started: each fetches for itself.
   */
  shareInflight?: boolean;
}

/**
 * Proxies names matched by a package rule with `proxy` (and not `private`) to upstream registries:
 * packuments cached, revalidated after the uplink's maxage with conditional requests (If-None-Match,
 * If-Modified-Since), and served from the cache while the upstream is down; tarballs kept on first
 * download (integrity checked). Upstream versions younger than `minReleaseAge` are left out (see
 * {@link applyReleaseAge}) and their tarballs refused with QUARANTINED. The caller asks only for
 * names that do not exist here: a local package always wins, so a name published here is never
 * merged with or replaced by an upstream one.
 * @example
 * const up = new Uplinks({ store, packages, uplinks, publicUrl, fetch, now: () => new Date(), maxBodySize: 1e8, instanceId: 'a1' });
 * const found = await up.packument('left-pad');
 */
export class Uplinks {
  private readonly memory = new Map<string, Held>();
  private readonly loading = new Map<string, Promise<CachedPackument | null>>();

  private readonly health: UplinkHealth;

  constructor(private readonly deps: UplinkDeps) {
    this.health = new UplinkHealth(deps.uplinks, () => deps.now().getTime());
  }

  /** The uplinks configured for a name (those of the first matching rule; none for a private rule). */
  for(name: string): Array<[string, UplinkConfig]> {
    const rule = this.deps.packages.find((r) => matchPackagePattern(r.pattern, name));
    if (!rule || rule.private) return [];
    return (rule.proxy ?? []).flatMap((id) => (this.deps.uplinks[id] ? [[id, this.deps.uplinks[id]!] as [string, UplinkConfig]] : []));
  }

  /** Every configured uplink that some rule proxies to, by name. */
  all(): Array<[string, UplinkConfig]> {
    const ids = new Set(this.deps.packages.filter((r) => !r.private).flatMap((r) => r.proxy ?? []));
    return [...ids].flatMap((id) => (this.deps.uplinks[id] ? [[id, this.deps.uplinks[id]!] as [string, UplinkConfig]] : []));
  }

  /**
   * POSTs JSON to `path` on one uplink and returns the parsed answer; throws (with the uplink's
   * status) when it does not answer 2xx with JSON within its timeout.
   */
  async postJson(id: string, path: string, body: unknown, via: readonly string[] = []): Promise<unknown> {
    const uplink = this.deps.uplinks[id];
    if (!uplink) throw new Error(`no uplink ${id}`);
    const down = this.health.down(id);
    if (down) throw new Error(`${id} is ${down}`);
    const res = await this.deps.fetch(`${uplink.url.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers: this.headers(via, { 'content-type': 'application/json', accept: 'application/json' }),
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(uplink.timeout),
    });
    const bytes = res.body ? await collect(res.body, this.deps.maxBodySize, 'uplink answer') : new Uint8Array(0);
    if (!res.ok) throw new Error(`${id} answered ${res.status}`);
    try {
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new Error(`${id} answered ${res.status} with a body that is not JSON`);
    }
  }

  /** GETs JSON from `path` on one uplink (search); throws when it does not answer 2xx JSON in time. */
  async getJson(id: string, path: string, via: readonly string[] = [], signal?: AbortSignal): Promise<unknown> {
    const uplink = this.deps.uplinks[id];
    if (!uplink) throw new Error(`no uplink ${id}`);
    const down = this.health.down(id);
    if (down) throw new Error(`${id} is ${down}`);
    const res = await this.deps.fetch(`${uplink.url.replace(/\/+$/, '')}${path}`, {
      headers: this.headers(via, { accept: 'application/json' }),
      signal: signal ?? AbortSignal.timeout(uplink.timeout),
    });
    const bytes = res.body ? await collect(res.body, this.deps.maxBodySize, 'uplink answer') : new Uint8Array(0);
    if (!res.ok) throw new Error(`${id} answered ${res.status}`);
    return JSON.parse(new TextDecoder().decode(bytes));
  }

  /** The headers every upstream request carries: the hops so far plus this one. */
  headers(via: readonly string[], extra: Record<string, string> = {}): Record<string, string> {
    return { ...extra, [VIA_HEADER]: [...via, this.deps.instanceId].join(',') };
  }

  /** Refuses a request that has been through this registry already (an uplink chain that loops). */
  checkLoop(via: readonly string[]): void {
    if (via.includes(this.deps.instanceId) || via.length >= MAX_HOPS) {
      throw new RegistryError('LOOP_DETECTED', 'this request has passed through this registry already: an uplink points back at it');
    }
  }

  private minAgeMs(name: string): number {
    const age = this.deps.minReleaseAge ?? 0;
    if (age <= 0 || this.excluded(name)) return 0;
    return age * 1000;
  }

  private excluded(name: string): boolean {
    return (this.deps.minReleaseAgeExclude ?? []).some((p) => matchPackagePattern(p, name));
  }

  /** An upstream document with what the release-age guard holds back left out (as the index lists it). */
  guarded(doc: Packument): Packument {
    return applyReleaseAge(doc, this.minAgeMs(doc.name), this.deps.now().getTime()).doc;
  }

  /** The upstream packument as served (guarded, tarball links here), or null when no uplink has it. */
  async packument(name: string, via: readonly string[] = []): Promise<{ doc: Packument; etag: string } | null> {
    const held = this.servable(name, await this.held(name, via));
    return held ? { doc: held.view.doc, etag: held.etag } : null;
  }

  /** A package whose every version is held back is refused (QUARANTINED), not served empty. */
  private servable(name: string, held: Held | null): Held | null {
    if (!held || Object.keys(held.view.doc.versions).length > 0 || held.view.quarantined.length === 0) return held;
    const next = held.view.quarantined.map((q) => q.maturesAt).filter((t): t is string => t !== null).sort()[0];
    const age = formatAge(this.minAgeMs(name) / 1000);
    throw new RegistryError('QUARANTINED', `every version of ${name} was published upstream less than ${age} ago (minReleaseAge)${next ? `: the first can be installed from ${next}` : ' or has no publish time'}`);
  }

  /** The served packument in one form (kept in memory until it changes). */
  async render(name: string, form: 'full' | 'abbreviated', via: readonly string[] = []): Promise<{ body: Blob; etag: string } | null> {
    const held = this.servable(name, await this.held(name, via));
    if (!held) return null;
    const body = (held[form] ??= new Blob([JSON.stringify(form === 'full' ? held.view.doc : abbreviatedPackument(held.view.doc))]));
    return { body, etag: `W/"${held.etag}-${form === 'full' ? 'f' : 'a'}"` };
  }

  /** What the guard holds back of a proxied package; null when no uplink has it. */
  async quarantine(name: string, via: readonly string[] = []): Promise<QuarantineReport | null> {
    const held = await this.held(name, via);
    if (!held) return null;
    const minReleaseAge = this.minAgeMs(name) / 1000;
    return { name, source: 'upstream', uplink: held.record.uplink, minReleaseAge, excluded: this.excluded(name), quarantined: held.view.quarantined, movedTags: held.view.movedTags };
  }

  private async held(name: string, via: readonly string[], revalidate = true): Promise<Held | null> {
    const cached = revalidate ? null : (this.memory.get(name)?.record ?? (await this.deps.store.getJson<CachedPackument>(packumentKey(name))));
    const record = cached ?? (await this.load(name, via));
    if (!record) return null;
    const nowMs = this.deps.now().getTime();
    const kept = this.memory.get(name);
    if (kept?.record === record && nowMs < kept.view.changesAt) return kept;
    const doc = structuredClone(record.doc);
    for (const [v, manifest] of Object.entries(doc.versions ?? {})) {
      if (manifest?.dist) manifest.dist.tarball = `${this.deps.publicUrl}/${name}/-/${tarballFile(name, v)}`;
    }
    delete doc._fw;
    delete (doc as Partial<Packument>)._rev;
    const view = applyReleaseAge(doc, this.minAgeMs(name), nowMs);
    const held: Held = { record, view, etag: `up-${record.changedAt ?? record.fetchedAt}-${view.quarantined.length}` };
    this.memory.delete(name);
    this.memory.set(name, held);
    if (this.memory.size > MAX_HELD) this.memory.delete(this.memory.keys().next().value!);
    return held;
  }

  /** Fetches from uplink `id`, telling its health whether it answered (no answer or a 5xx is a failure). */
  private async ask(id: string, url: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await this.deps.fetch(url, init);
    } catch (err) {
      this.health.failed(id);
      throw err;
    }
    if (res.status >= 500) this.health.failed(id);
    else this.health.answered(id);
    return res;
  }

  /** The cached record, revalidated once stale; concurrent callers share one upstream request. */
  private load(name: string, via: readonly string[]): Promise<CachedPackument | null> {
    if (this.deps.shareInflight === false) return this.fetchRecord(name, via);
    let pending = this.loading.get(name);
    if (!pending) {
      pending = this.fetchRecord(name, via).finally(() => this.loading.delete(name));
      this.loading.set(name, pending);
    }
    return pending;
  }

  private async fetchRecord(name: string, via: readonly string[]): Promise<CachedPackument | null> {
    const uplinks = this.for(name);
    if (uplinks.length === 0) return null;
    const { store, now } = this.deps;
    const fresh = (c: CachedPackument) => now().getTime() - c.fetchedAt < (this.deps.uplinks[c.uplink]?.maxage ?? 0) * 1000;
    const inMemory = this.memory.get(name)?.record;
    if (inMemory && fresh(inMemory)) return inMemory;
    const stored = await store.getJson<CachedPackument>(packumentKey(name));
    // The copy in memory is the same record unless another replica refreshed the stored one.
    const cached = stored && inMemory && stored.fetchedAt <= inMemory.fetchedAt ? inMemory : (stored ?? inMemory ?? null);
    if (cached && fresh(cached)) return cached;
    let notFound = false;
    const skipped: string[] = [];
    for (const [id, uplink] of uplinks) {
      const down = this.health.down(id);
      if (down) {
        skipped.push(`${id} is ${down}`);
        continue;
      }
      const url = `${uplink.url.replace(/\/+$/, '')}/${name.replace('/', '%2f')}`;
      const conditional: Record<string, string> = {};
      if (cached?.uplink === id && cached.etag) conditional['if-none-match'] = cached.etag;
      if (cached?.uplink === id && cached.lastModified) conditional['if-modified-since'] = cached.lastModified;
      try {
        const res = await this.ask(id, url, { headers: this.headers(via, { accept: 'application/json', ...conditional }), signal: AbortSignal.timeout(uplink.timeout) });
        if (res.status === 304 && cached?.uplink === id) {
          await res.body?.cancel();
          cached.fetchedAt = now().getTime();
          await store.putJson(packumentKey(name), cached);
          return cached;
        }
        if (res.status === 404) { notFound = true; await res.body?.cancel(); continue; }
        if (!res.ok) throw new Error(`status ${res.status}`);
        const doc = JSON.parse(new TextDecoder().decode(await collect(res.body!, this.deps.maxBodySize, 'upstream packument'))) as Packument;
        if (doc?.name !== name || typeof doc.versions !== 'object' || doc.versions === null) throw new Error('not a packument');
        const at = now().getTime();
        const record: CachedPackument = { uplink: id, fetchedAt: at, changedAt: at, doc };
        const etag = res.headers.get('etag');
        const lastModified = res.headers.get('last-modified');
        if (etag) record.etag = etag;
        if (lastModified) record.lastModified = lastModified;
        await store.putJson(packumentKey(name), record);
        // The package index lists the copy as it is served: what the guard holds back is left out.
        await this.deps.onCached?.(this.guarded(doc), id, record.fetchedAt);
        return record;
      } catch (err) {
        this.deps.log?.(`uplink ${id} failed for ${name}: ${(err as Error).message}`);
      }
    }
    if (cached) return cached;
    if (notFound) return null;
    throw new RegistryError('UPSTREAM_UNAVAILABLE', `no uplink answered for ${name}${skipped.length ? ` (${skipped.join('; ')})` : ''}`);
  }

  /**
   * A proxied tarball: the kept copy, else fetched once, checked against the packument, and kept.
   * A version the guard holds back is refused with QUARANTINED (saying when it matures), kept or not.
   */
  async tarball(name: string, file: string, via: readonly string[] = []): Promise<{ body: ReadableStream<Uint8Array> | Uint8Array; etag: string; size: number } | null> {
    const version = versionOfTarball(name, file);
    if (!version || this.for(name).length === 0) return null;
    // The guard is checked on the cached packument (revalidating it for every tarball is not needed).
    const held = await this.held(name, via, false);
    const hold = held?.view.quarantined.find((q) => q.version === version);
    if (hold) {
      const age = formatAge(this.minAgeMs(name) / 1000);
      throw new RegistryError('QUARANTINED', hold.maturesAt
        ? `${name}@${version} was published upstream at ${hold.publishedAt}, less than ${age} ago (minReleaseAge): it can be installed from ${hold.maturesAt}`
        : `${name}@${version} has no publish time upstream, so its age cannot be checked against minReleaseAge (${age}); exempt it with minReleaseAgeExclude`);
    }
    const { store } = this.deps;
    const kept = await store.getStream(tarballKey(name, file));
    if (kept) return { body: kept.body, etag: kept.etag, size: kept.size };
    const dist = held?.record.doc.versions?.[version]?.dist;
    if (!dist?.tarball || !/^https?:\/\//.test(dist.tarball)) return null;
    let bytes: Uint8Array;
    const uplinkId = held!.record.uplink;
    const down = this.health.down(uplinkId);
    if (down) throw new RegistryError('UPSTREAM_UNAVAILABLE', `could not fetch ${name}@${version}: its uplink ${uplinkId} is ${down}`);
    try {
      const res = await this.ask(uplinkId, dist.tarball, { headers: this.headers(via), signal: AbortSignal.timeout(this.deps.uplinks[uplinkId]?.timeout ?? 30_000) });
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
