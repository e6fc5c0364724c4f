import { createStore, type Store } from '@factorywager/r2-store';
import { createAuth } from './auth/auth.ts';
import { defaultPublicUrl } from './config/public-url.ts';
import type { RegistryConfig } from './config/types.ts';
import { createRegistryHandler, type RegistryHandler, type RequestLogEntry } from './handler.ts';
import { serve, type Listening } from './_serve.ts';
import { offThreadTarballReader, type OffThreadTarballReader } from './packages/tarball-worker.ts';
import { FOREIGN_PUBLISH_MS, journalKey, type PublishOwner } from './packages/publish-journal.ts';
import { hostname } from 'node:os';

/** True when a process with this pid exists. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How often a running server finishes the publishes left half done (see `start`). */
const REPAIR_EVERY_MS = 60_000;
/** The request log's batches: written when this much is waiting, or this long after their first line. */
const LOG_BATCH_BYTES = 64 * 1024;
const LOG_BATCH_MS = 100;

/**
 * Publish liveness by process: a writer on this host is alive while its pid is (this process: while
 * the publish is in flight), so a killed server's half-done publish is taken over at once; a writer on
 * another host sharing the store is presumed alive for a few minutes.
 */
function processOwner(): PublishOwner {
  const host = hostname();
  return {
    instance: crypto.randomUUID(), host, pid: process.pid,
    alive(entry, inflight) {
      if (entry.host !== host || typeof entry.pid !== 'number') return Date.now() - Date.parse(entry.started) < FOREIGN_PUBLISH_MS;
      if (entry.pid === process.pid) return inflight.has(journalKey(entry.name, entry.version));
      return processAlive(entry.pid);
    },
  };
}

export interface ServerDeps {
  /** Default: `createStore(config.storage)`. */
  store?: Store;
  /** Request log sink; default one JSON line per request on stdout; `false` for none. */
  log?: ((entry: RequestLogEntry) => void) | false;
  /** Clock for tokens and rate limits (tests). */
  now?: () => number;
  /** Force the node:http adapter on Bun (tests); default Bun.serve on Bun, node:http elsewhere. */
  runtime?: 'bun' | 'node';
}

/**
 * The registry as a server: Bun.serve on Bun, node:http on Node, over the store of the config.
 * @example
 * const server = await new NPMRegistryServer(await loadRegistryConfig()).start();
 * console.log(`listening on ${server.url}`);
 * process.once('SIGTERM', () => server.stop());
 */
export class NPMRegistryServer {
  readonly config: RegistryConfig;
  #deps: ServerDeps;
  #store: Store | undefined;
  #listening: Listening | undefined;
  #publicUrl: string;
  #handler: RegistryHandler | undefined;
  #tarballs: OffThreadTarballReader | undefined;
  #repairs: ReturnType<typeof setInterval> | undefined;

  constructor(config: RegistryConfig, deps: ServerDeps = {}) {
    this.config = structuredClone(config);
    this.#deps = deps;
    this.#publicUrl = config.publicUrl;
  }

  /** The public URL (tarball links); with port 0, known once started. */
  get url(): string {
    return this.#publicUrl;
  }

  /** The port actually bound; undefined before start. */
  get port(): number | undefined {
    return this.#listening?.port;
  }

  /** Opens the store and listens on `config.listen`. */
  async start(): Promise<this> {
    if (this.#listening) return this;
    const { listen } = this.config;
    const store = this.#deps.store ?? createStore(this.config.storage);
    this.#store = store;
    // kept here, not read from this.#listening: requests finishing during stop() still have their peer
    let listening: Listening | undefined;
    const clientAddress = (req: Request) => listening?.addressOf(req) ?? null;
    // With port 0 the public URL is only known after listening; the handler reads it lazily.
    let handle: RegistryHandler | undefined;
    let ready!: (h: RegistryHandler) => void;
    const handlerReady = new Promise<RegistryHandler>((r) => (ready = r));
    this.#listening = listening = await serve({
      runtime: this.#deps.runtime,
      host: listen.host,
      port: listen.port,
      maxBodySize: this.config.limits.maxBodySize * 4 + 1024 * 1024,
      fetch: (req) => (handle ? handle(req) : handlerReady.then((h) => h(req))),
    });
    if (listen.port === 0 && this.config.publicUrl === defaultPublicUrl(listen.host, 0)) {
      this.#publicUrl = defaultPublicUrl(listen.host, this.#listening.port);
      this.config.publicUrl = this.#publicUrl;
    }
    this.config.listen = { ...listen, port: this.#listening.port };
    const log = this.#deps.log === false ? undefined : this.#deps.log ?? this.#stdoutLog();
    const auth = createAuth({ store, config: this.config, clientAddress, now: this.#deps.now });
    // publish tarballs are inflated and parsed in a worker thread: a hostile one never stalls this thread
    this.#tarballs = offThreadTarballReader();
    const created = createRegistryHandler({ store, config: this.config, auth, logger: log, readTarball: this.#tarballs, publishOwner: processOwner() });
    // Publishes a killed server left half done: finished (version record, history) or undone, before
    // the first request is answered; then again every minute, for a replica killed meanwhile and for a
    // publish of this server whose writes after its answer failed.
    const repair = async (when: string) => {
      try {
        for (const note of await created.repair()) {
          process.stderr.write(`registry: ${when}, ${note.outcome} the publish of ${note.name}@${note.version}${note.wrote.length ? ` (${note.wrote.join(', ')})` : ''}\n`);
        }
      } catch (err) {
        process.stderr.write(`registry: could not finish half-done publishes (tried again in a minute): ${(err as Error)?.message ?? String(err)}\n`);
      }
    };
    await repair('after a crash');
    this.#repairs = setInterval(() => void repair('half done'), REPAIR_EVERY_MS);
    this.#repairs.unref?.();
    handle = created;
    this.#handler = handle;
    ready(handle);
    return this;
  }

  // One JSON line per request, written in batches: when 64 KiB are waiting or 100 ms after the first
  // line, and at stop (as a buffered access log of nginx). A write per event-loop turn was a write
  // call for every ~47 requests under wrk and one per request when requests come one at a time
  // (330,000 304s: 7,022 write calls, now 303).
  #pending: string[] = [];
  #pendingBytes = 0;
  #logTimer: ReturnType<typeof setTimeout> | undefined;
  #stdoutLog(): (e: RequestLogEntry) => void {
    return (e) => {
      const line = `${JSON.stringify(e)}\n`;
      this.#pending.push(line);
      this.#pendingBytes += line.length;
      if (this.#pendingBytes >= LOG_BATCH_BYTES) this.#flushLog();
      else if (!this.#logTimer) {
        this.#logTimer = setTimeout(() => this.#flushLog(), LOG_BATCH_MS);
        this.#logTimer.unref?.();
      }
    };
  }

  #flushLog(): void {
    clearTimeout(this.#logTimer);
    this.#logTimer = undefined;
    if (this.#pending.length === 0) return;
    const text = this.#pending.join('');
    this.#pending = [];
    this.#pendingBytes = 0;
    process.stdout.write(text);
  }

  /** Stops listening (in-flight requests get `graceMs` to finish) and closes the store. */
  async stop(graceMs = 5000): Promise<void> {
    const listening = this.#listening;
    this.#listening = undefined;
    clearInterval(this.#repairs);
    this.#repairs = undefined;
    await listening?.stop(graceMs);
    await this.#handler?.idle();
    await this.#tarballs?.close();
    this.#tarballs = undefined;
    this.#flushLog();
    if (!this.#deps.store) await this.#store?.close?.();
  }
}


/**
 * Stops `server` on the first SIGINT or SIGTERM, then resolves (the caller exits). A second signal
 * exits at once.
 * @example
 * const server = await new NPMRegistryServer(config).start();
 * await stopOnSignal(server);
 */
export function stopOnSignal(server: { stop(): Promise<void> }, signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, onSignal);
      for (const s of signals) process.once(s, () => process.exit(130));
      server.stop().finally(() => resolve(signal));
    };
    for (const s of signals) process.on(s, onSignal);
  });
}
