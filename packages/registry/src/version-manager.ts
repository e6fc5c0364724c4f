import { RegistryConfig, normalizeRegistry } from '@factorywager/bunx';
import { renderAscii, renderMermaid, renderSvg, toD3Json, type AsciiOptions, type D3Graph, type MermaidOptions } from '@factorywager/graph-render';
import {
  VersionManager as BaseVersionManager,
  DEFAULT_REGISTRY_URL,
  compareVersions,
  parseVersion,
  type FetchPackumentOptions,
  type GraphOptions,
  type Packument,
  type ParsedVersion,
  type VersionGraph,
} from '@factorywager/semver-graph';
import { RegistrySecretsManager } from './secrets-manager.ts';

/** Options of the product's {@link VersionManager}. */
export interface VersionManagerOptions extends FetchPackumentOptions {
  /** Environment for REGISTRY_URL, FW_TOKEN, HOME and the secrets store; default process.env. */
  env?: Record<string, string | undefined>;
}

/**
 * The product's version manager: everything of `@factorywager/semver-graph`'s `VersionManager`
 * (parse, compare, recommend, graphs from the registry, rollback, history), plus the renderers of
 * `@factorywager/graph-render`. Composing them here keeps the two packages independent of each other.
 * Without a `token`, it finds one as the CLI does, when a request needs it: FW_TOKEN, the secret
 * `registry:<host>` of the secrets manager, then the project's and the user's .npmrc.
 * @example
 * const versions = new VersionManager({ registryUrl: 'http://127.0.0.1:4873' });
 * versions.compareVersions('1.2.3', '1.10.0');            // -1
 * const graph = await versions.buildVersionGraph('@acme/hello');
 * console.log(versions.generateMermaidGraph(graph));
 */
export class VersionManager extends BaseVersionManager {
  constructor(options: VersionManagerOptions = {}) {
    const { env = process.env, ...rest } = options;
    let found: Promise<string | null> | undefined;
    const lookup = () => {
      const registry = normalizeRegistry(rest.registryUrl ?? env.REGISTRY_URL ?? DEFAULT_REGISTRY_URL, 'registryUrl');
      const config = new RegistryConfig({ env, credentials: async (r) => (await new RegistrySecretsManager({ env }).getRegistryCredentials(r))?.token ?? null });
      return (found ??= config.tokenFor(registry));
    };
    super({ ...rest, ...(rest.registryUrl === undefined && env.REGISTRY_URL ? { registryUrl: env.REGISTRY_URL } : {}), token: rest.token ?? lookup });
  }

  /** A version split into its parts; throws SemverGraphError INVALID_VERSION. */
  parseVersion(version: string): ParsedVersion {
    return parseVersion(version);
  }

  /** -1, 0 or 1, by semver precedence. */
  compareVersions(a: string, b: string): -1 | 0 | 1 {
    return compareVersions(a, b);
  }

  /**
   * The version graph of a package from the registry's packument, or of a packument you already have.
   */
  override async buildVersionGraph(pkg: string | Packument, options?: GraphOptions): Promise<VersionGraph> {
    return typeof pkg === 'string' ? super.buildVersionGraph(pkg, options) : this.graphFromPackument(pkg, options);
  }

  /** The graph as a Mermaid `graph` definition. */
  generateMermaidGraph(graph: VersionGraph, options?: MermaidOptions): string {
    return renderMermaid(graph, options);
  }

  /** The graph as a terminal tree (lanes per release line, tags, status). */
  generateAsciiGraph(graph: VersionGraph, options?: AsciiOptions): string {
    return renderAscii(graph, options);
  }

  /** The graph as D3 JSON (`nodes` and `links`). */
  generateD3Json(graph: VersionGraph): D3Graph {
    return toD3Json(graph);
  }

  /** The graph as a standalone SVG picture. */
  generateSvgGraph(graph: VersionGraph): string {
    return renderSvg(graph);
  }
}
