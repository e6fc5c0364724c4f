import { renderSvg } from '@factorywager/graph-render';
import { buildVersionGraph, type VersionGraph } from '@factorywager/semver-graph';
import { html, raw, type Html } from './_html.ts';
import { ago, bytes, layout, packagePath, when, type PageContext } from './_layout.ts';
import { HISTORY_SHOWN, historyTable } from './_page-history.ts';
import { renderMarkdown } from './markdown.ts';
import type { PackageData, WebManifest } from './types.ts';

/** What the package page needs besides the data. @internal */
export interface PackagePageOptions {
  publicUrl: string;
  now: number;
  /** The version asked for in the URL (`/v/<version>`), else null for the latest. */
  version: string | null;
  /** `?versions=all`: the whole versions table, not the newest {@link VERSIONS_SHOWN}. */
  allVersions?: boolean;
  /** `?graph=all`: every version in the graph, not the newest {@link GRAPH_SHOWN}. */
  allGraph?: boolean;
}

/** Rows of the versions table before "show all" (a package may have thousands). @internal */
export const VERSIONS_SHOWN = 100;
/** Nodes of the graph before "show all": the newest, plus every tagged version. @internal */
export const GRAPH_SHOWN = 250;

/** The newest `n` nodes of a graph plus every tagged one, with the links between the kept nodes. */
function windowed(graph: VersionGraph, n: number): VersionGraph {
  if (graph.nodes.length <= n) return graph;
  const nodes = graph.nodes.filter((node, i) => i < n || node.tags.length > 0 || node.id === graph.current);
  const kept = new Set(nodes.map((node) => node.id));
  return { ...graph, nodes, links: graph.links.filter((l) => kept.has(l.source) && kept.has(l.target)) };
}

const showAll = (path: string, param: 'versions' | 'graph', anchor: string) => `${path}?${param}=all#${anchor}`;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);

function licenseOf(m: WebManifest | undefined): string | undefined {
  return str(m?.license) ?? str((m?.license as { type?: unknown } | undefined)?.type);
}

function repositoryUrl(m: WebManifest | undefined): string | undefined {
  const r = m?.repository;
  const url = str(r) ?? str((r as { url?: unknown } | undefined)?.url);
  if (!url) return undefined;
  const https = url.replace(/^git\+/, '').replace(/^git:\/\//, 'https://').replace(/\.git$/, '');
  return /^https?:\/\//.test(https) ? https : undefined;
}

function installCommands(name: string, spec: string, publicUrl: string): Html {
  const scope = name.startsWith('@') ? name.split('/')[0] : null;
  const commands: Array<[string, string]> = [
    ['npm', `npm install ${spec}`],
    ['pnpm', `pnpm add ${spec}`],
    ['yarn', `yarn add ${spec}`],
    ['bun', `bun add ${spec}`],
    ['deno', `deno add npm:${spec}`],
  ];
  const npmrc = scope ? `${scope}:registry=${publicUrl}/` : `registry=${publicUrl}/`;
  return html`<div class="card" id="install">
  <h2>Install</h2>
  <ul class="install">${commands.map(([, cmd]) => html`<li><code data-copy>${cmd}</code></li>`)}</ul>
  <p class="field-hint">With this registry in <code>.npmrc</code>: <code>${npmrc}</code></p>
</div>`;
}

function distTagsCard(d: PackageData, ctx: PageContext): Html {
  const tags = Object.entries(d.distTags).sort(([a], [b]) => (a === 'latest' ? -1 : b === 'latest' ? 1 : a.localeCompare(b)));
  const hidden = (tag: string) => html`<input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="package" value="${d.name}"><input type="hidden" name="tag" value="${tag}">`;
  const items = tags.map(([tag, v]) => html`<li data-tag="${tag}">
    <span class="badge tag">${tag}</span> <a class="to" href="${packagePath(d.name, v)}">${v}</a>
    ${d.canPublish ? html`<details class="tag-edit"><summary aria-label="Change the ${tag} tag">Change</summary>
      <form method="post" action="/-/web/tag">${hidden(tag)}
      <label class="visually-hidden" for="tag-${tag}">Move ${tag} to version</label>
      <input id="tag-${tag}" type="text" name="version" list="versions-list" placeholder="version" required size="8">
      <button class="secondary small" type="submit">Move</button></form>
      ${tag === 'latest' ? null : html`<form method="post" action="/-/web/untag">${hidden(tag)}<button class="secondary small" type="submit" aria-label="Remove the ${tag} tag">Remove</button></form>`}</details>` : null}
  </li>`);
  const add = d.canPublish ? html`<details class="tag-edit add-tag"><summary>Add a tag</summary><form method="post" action="/-/web/tag">
    <input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="package" value="${d.name}">
    <label class="visually-hidden" for="new-tag">Tag</label>
    <input id="new-tag" type="text" name="tag" placeholder="tag, e.g. next" required size="9">
    <label class="visually-hidden" for="new-tag-version">Version</label>
    <input id="new-tag-version" type="text" name="version" list="versions-list" placeholder="version" required size="8">
    <button class="secondary small" type="submit">Add</button>
  </form></details>` : null;
  return html`<div class="card" id="dist-tags"><h2>Dist-tags</h2><ul class="tag-list">${items}</ul>${add}</div>`;
}

function detailsCard(d: PackageData, m: WebManifest | undefined, version: string, now: number): Html {
  const total = Object.values(d.downloads).reduce((n, x) => n + x, 0);
  const homepage = str(m?.homepage);
  const repo = repositoryUrl(m);
  return html`<div class="card"><h2>Details</h2><dl>
  <dt>Version</dt><dd>${version}</dd>
  ${licenseOf(m) ? html`<dt>License</dt><dd>${licenseOf(m)}</dd>` : null}
  <dt>Published</dt><dd><time datetime="${String(d.time[version] ?? '')}" title="${when(d.time[version])}">${ago(d.time[version], now)}</time></dd>
  ${m?._npmUser?.name ? html`<dt>Publisher</dt><dd>${m._npmUser.name}</dd>` : null}
  <dt>Size</dt><dd>${bytes(d.sizes[version] ?? m?.dist?.unpackedSize) || '—'}</dd>
  <dt>Downloads</dt><dd>${total.toLocaleString('en-US')}</dd>
  ${homepage && /^https?:\/\//.test(homepage) ? html`<dt>Homepage</dt><dd><a href="${homepage}" rel="nofollow noopener noreferrer">${homepage.replace(/^https?:\/\//, '')}</a></dd>` : null}
  ${repo ? html`<dt>Repository</dt><dd><a href="${repo}" rel="nofollow noopener noreferrer">${repo.replace(/^https?:\/\//, '')}</a></dd>` : null}
  ${d.maintainers.length ? html`<dt>Maintainers</dt><dd>${d.maintainers.map((p) => p.name).join(', ')}</dd>` : null}
</dl></div>`;
}

function versionsTable(d: PackageData, graph: VersionGraph, ctx: PageContext, all: boolean, path: string): Html {
  const shown = all ? graph.nodes : graph.nodes.slice(0, VERSIONS_SHOWN);
  const rows = shown.map((n) => {
    const m = d.versions[n.id];
    const actions = d.canPublish ? html`<td><span class="actions">
      ${n.id !== graph.current && !n.deprecated ? html`<a class="button secondary small" href="/-/web/rollback?${new URLSearchParams({ package: d.name, version: n.id }).toString()}" data-rollback="${n.id}">Rollback</a>` : null}
      <a class="button secondary small" href="/-/web/deprecate?${new URLSearchParams({ package: d.name, version: n.id }).toString()}">${n.deprecated ? 'Undeprecate' : 'Deprecate'}</a>
    </span></td>` : null;
    return html`<tr class="${n.status === 'current' ? 'is-current' : ''}${n.deprecated ? ' is-deprecated' : ''}" data-version="${n.id}">
  <td class="version"><a href="${packagePath(d.name, n.id)}">${n.id}</a>${n.deprecated ? html`<div class="deprecation" title="deprecated">${n.deprecated}</div>` : null}</td>
  <td class="when"><time datetime="${n.publishedAt ?? ''}" title="${when(n.publishedAt)}">${when(n.publishedAt).slice(0, 10)}</time></td>
  <td class="hide-narrow">${n.publisher ?? ''}</td>
  <td class="num hide-narrow">${bytes(d.sizes[n.id] ?? m?.dist?.unpackedSize)}</td>
  <td>${n.tags.map((t) => html`<span class="badge tag">${t}</span> `)}</td>
  <td class="num">${(d.downloads[n.id] ?? 0).toLocaleString('en-US')}</td>
  ${actions}
</tr>`;
  });
  return html`<div class="table-wrap versions-scroll"><table class="data" id="versions-table">
<caption class="visually-hidden">Versions of ${d.name}, newest first</caption>
<thead><tr><th scope="col">Version</th><th scope="col">Published</th><th scope="col" class="hide-narrow">Publisher</th><th scope="col" class="hide-narrow">Size</th><th scope="col">Tags</th><th scope="col">Downloads</th>${d.canPublish ? html`<th scope="col">Actions</th>` : null}</tr></thead>
<tbody>${rows}</tbody></table></div>
${shown.length < graph.nodes.length ? html`<p class="more">The newest ${shown.length} of ${graph.nodes.length} versions. <a href="${showAll(path, 'versions', 'versions')}" id="all-versions">Show all ${graph.nodes.length} versions</a></p>` : null}`;
}

function quarantineSection(d: PackageData, now: number): Html | null {
  const held = d.quarantined ?? [];
  if (!d.uplink || held.length === 0) return null;
  const age = d.minReleaseAge ? `${Math.round(d.minReleaseAge / 3600)} h` : 'the minimum release age';
  return html`<section class="section" id="quarantine"><h2>Held back <span class="count">${held.length}</span></h2>
<p class="muted">Versions published upstream less than ${age} ago are not served yet (the release-age guard); installs get the newest version that is old enough.</p>
<div class="table-wrap"><table class="data" id="quarantine-table"><caption class="visually-hidden">Upstream versions held back</caption>
<thead><tr><th scope="col">Version</th><th scope="col">Published upstream</th><th scope="col">Served from</th></tr></thead>
<tbody>${held.map((q) => html`<tr data-version="${q.version}"><td class="version">${q.version}</td><td class="when">${q.publishedAt ? when(q.publishedAt) : 'unknown'}</td><td class="when">${q.maturesAt ? html`${when(q.maturesAt)} <span class="muted">(${Date.parse(q.maturesAt) > now ? 'pending' : 'now'})</span>` : 'never on its own (no publish time)'}</td></tr>`)}</tbody>
</table></div></section>`;
}

function depsSection(d: PackageData, m: WebManifest | undefined): Html {
  const groups: Array<[string, Record<string, string> | undefined]> = [
    ['Dependencies', m?.dependencies], ['Peer dependencies', m?.peerDependencies], ['Optional dependencies', m?.optionalDependencies],
  ];
  const lists = groups.filter(([, deps]) => deps && Object.keys(deps).length).map(([title, deps]) => html`<h3>${title} <span class="muted">(${Object.keys(deps!).length})</span></h3>
<ul class="dep-list">${Object.entries(deps!).map(([dep, range]) => html`<li><a href="${packagePath(dep)}">${dep}<span class="range">${String(range)}</span></a></li>`)}</ul>`);
  return html`<section class="section" id="dependencies"><h2>Dependencies</h2>
${lists.length ? lists : html`<p class="muted">No dependencies.</p>`}
<h3>Used by packages here <span class="muted">(${d.dependents.length})</span></h3>
${d.dependents.length ? html`<ul class="dep-list" id="dependents">${d.dependents.map((p) => html`<li><a href="${packagePath(p)}">${p}</a></li>`)}</ul>` : html`<p class="muted">No package here depends on ${d.name}.</p>`}
</section>`;
}

function rollbackDialog(d: PackageData, ctx: PageContext, current: string | null): Html | null {
  if (!d.canPublish) return null;
  return html`<dialog id="rollback-dialog" aria-labelledby="rollback-title">
<form method="post" action="/-/web/rollback">
  <h2 id="rollback-title">Roll back ${d.name}</h2>
  <p>Move <span class="badge tag">latest</span> from <strong>${current ?? '—'}</strong> to <strong data-rollback-version></strong>? Installs of <code>${d.name}</code> get that version from now on; the history records who did it and why.</p>
  <input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="package" value="${d.name}"><input type="hidden" name="tag" value="latest"><input type="hidden" name="from" value="${current ?? ''}"><input type="hidden" name="version" value="">
  <label for="rollback-reason">Reason <span class="muted">(optional)</span></label>
  <textarea id="rollback-reason" name="reason" maxlength="500" placeholder="e.g. 2.3.0 breaks the build on Node 20"></textarea>
  <div class="dialog-actions"><button type="button" class="secondary" data-close>Cancel</button><button type="submit" class="danger">Roll back</button></div>
</form>
</dialog>`;
}

// The graph and its SVG per packument: a source that hands out the same (unchanged) objects for an
// unchanged manifest, as the registry's packument cache does, gets them built once, not per request.
const built = new WeakMap<object, { distTags: object; time: object; graph: VersionGraph; svg: Map<string, string> }>();

function graphOf(d: PackageData): { graph: VersionGraph; svg: Map<string, string> } {
  const kept = built.get(d.versions);
  if (kept && kept.distTags === d.distTags && kept.time === d.time) return kept;
  const graph = buildVersionGraph({ name: d.name, 'dist-tags': d.distTags, versions: d.versions as never, time: d.time as Record<string, string> });
  const entry = { distTags: d.distTags, time: d.time, graph, svg: new Map<string, string>() };
  built.set(d.versions, entry);
  return entry;
}

/** The package page (`/package/<name>` and `/package/<name>/v/<version>`). @internal */
export function packagePage(ctx: PageContext, d: PackageData, opts: PackagePageOptions): string {
  const { graph, svg: svgs } = graphOf(d);
  const latest = graph.current ?? graph.latest ?? Object.keys(d.versions)[0] ?? '';
  const version = opts.version ?? latest;
  const m = d.versions[version];
  const description = str(m?.description) ?? d.description;
  const spec = opts.version && opts.version !== latest ? `${d.name}@${opts.version}` : d.name;
  const readme = d.readme ? raw(renderMarkdown(d.readme, { origin: opts.publicUrl })) : null;
  const path = packagePath(d.name, opts.version ?? undefined);
  const drawn = opts.allGraph ? graph : windowed(graph, GRAPH_SHOWN);
  const svgKey = opts.allGraph ? 'all' : 'window';
  let svg = svgs.get(svgKey);
  if (svg === undefined) {
    svg = renderSvg(drawn, { href: (v) => packagePath(d.name, v), title: `Version graph of ${d.name}: ${drawn.nodes.length} of ${graph.nodes.length} versions` });
    svgs.set(svgKey, svg);
  }
  const graphNote = drawn.nodes.length < graph.nodes.length
    ? html`<p class="more">The newest ${GRAPH_SHOWN} versions and every tagged one: ${drawn.nodes.length} of ${graph.nodes.length}. <a href="${showAll(path, 'graph', 'graph')}" id="all-graph">Show all ${graph.nodes.length} versions in the graph</a></p>`
    : null;
  const main = html`<div class="pkg-head">
  <h1><span>${d.name}</span> <span class="version">${version}</span></h1>
  ${description ? html`<p class="desc">${description}</p>` : null}
  <div class="badges">
    ${(graph.nodes.find((n) => n.id === version)?.tags ?? []).map((t) => html`<span class="badge tag">${t}</span>`)}
    ${m?.deprecated ? html`<span class="badge deprecated">deprecated</span>` : null}
    ${d.uplink ? html`<span class="badge uplink">cached from ${d.uplink}</span>` : null}
    ${licenseOf(m) ? html`<span class="badge">${licenseOf(m)}</span>` : null}
  </div>
  ${m?.deprecated ? html`<div class="notice" role="note"><strong>Deprecated:</strong> ${m.deprecated}</div>` : null}
  ${opts.version && opts.version !== latest ? html`<div class="notice" role="note">You are looking at ${version}. The latest version is <a href="${packagePath(d.name)}">${latest}</a>.</div>` : null}
</div>
<nav class="tabs" aria-label="Sections">
  <a href="#readme">Readme</a><a href="#versions">Versions (${graph.nodes.length})</a><a href="#graph">Graph</a><a href="#history">History (${d.history.length > HISTORY_SHOWN ? `${HISTORY_SHOWN}+` : d.history.length})</a><a href="#dependencies">Dependencies</a>
</nav>
<div class="layout">
  <div>
    <section class="section card" id="readme" aria-label="Readme">${readme ? html`<article class="readme">${readme}</article>` : html`<p class="muted">No README for this version.</p>`}</section>
    ${quarantineSection(d, opts.now)}
    <section class="section" id="versions"><h2>Versions <span class="count">${graph.nodes.length}</span></h2>${versionsTable(d, graph, ctx, opts.allVersions === true, path)}</section>
    <section class="section" id="graph"><h2>Version graph</h2>
      <div class="graph-box" data-graph><div class="graph-tools"><span class="hint">Newest on the left; scroll for older versions</span></div>
      <div class="graph-viewport" tabindex="0" role="region" aria-label="Version graph of ${d.name}, scrollable">${raw(svg)}</div></div>
      ${graphNote}
    </section>
    <section class="section" id="history"><h2>History <span class="count">${d.history.length > HISTORY_SHOWN ? `newest ${HISTORY_SHOWN}` : d.history.length}</span></h2>${historyTable(d.history, opts.now)}</section>
    ${depsSection(d, m)}
  </div>
  <aside aria-label="About ${d.name}">
    ${installCommands(d.name, spec, opts.publicUrl)}
    ${distTagsCard(d, ctx)}
    ${detailsCard(d, m, version, opts.now)}
  </aside>
</div>
${d.canPublish ? html`<datalist id="versions-list">${graph.nodes.map((n) => html`<option value="${n.id}">`)}</datalist>` : null}`;
  return layout(ctx, opts.version ? `${d.name}@${version}` : d.name, main, rollbackDialog(d, ctx, graph.current));
}
