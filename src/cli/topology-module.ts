import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import type { Topology } from '../graph/topology.js';

/**
 * What `tributary run` and `tributary describe` accept as the default export of a user's module: a built
 * topology, or a function (possibly async) that returns one.
 *
 * @example
 * // topology.mjs
 * import { Serdes, StreamsBuilder } from 'tributary-streams';
 * export default () => {
 *   const builder = new StreamsBuilder();
 *   builder.stream('words', { key: Serdes.string(), value: Serdes.string() }).mapValues((v) => v.toUpperCase()).to('upper');
 *   return builder.build();
 * };
 */
export type TopologyModuleExport = Topology | (() => Topology | Promise<Topology>);

/**
 * Loads the topology a user's module default-exports. Every failure is a `ConfigError` (not retriable) that
 * names the module and says what was expected, so the CLI can print it and exit non-zero.
 *
 * A topology is recognised by its shape rather than `instanceof`: the user's module may import its own copy
 * of the package (a different install, or the sources in a checkout).
 */
export async function loadTopologyModule(path: string, cwd: string = process.cwd()): Promise<Topology> {
  const file = resolve(cwd, path);
  if (!existsSync(file)) throw new ConfigError(`topology module ${file} does not exist`, { context: { module: file } });
  let loaded: { default?: unknown };
  try {
    loaded = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (cause) {
    throw new ConfigError(`cannot load topology module ${file}: ${(cause as Error).message}${typeScriptHint(file, cause)}`, {
      cause,
      context: { module: file },
    });
  }
  let value = loaded.default;
  if (value === undefined) {
    throw new ConfigError(`topology module ${file} has no default export; export default the topology or a function that returns it`, {
      context: { module: file },
    });
  }
  if (typeof value === 'function') {
    try {
      value = await (value as () => unknown)();
    } catch (cause) {
      throw new ConfigError(`the default export of ${file} failed: ${(cause as Error).message}`, { cause, context: { module: file } });
    }
  }
  if (!isTopology(value)) {
    throw new ConfigError(
      `the default export of ${file} is not a topology: expected the result of builder.build(), or a function returning it`,
      { context: { module: file } },
    );
  }
  return value;
}

function isTopology(value: unknown): value is Topology {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { describe?: unknown; subtopologies?: unknown };
  return typeof candidate.describe === 'function' && Array.isArray(candidate.subtopologies);
}

/** Node 20 cannot import TypeScript by itself; say how to run a `.ts` module. */
function typeScriptHint(file: string, cause: unknown): string {
  const code = (cause as { code?: unknown } | null)?.code;
  if (!['.ts', '.mts', '.cts'].includes(extname(file)) || code !== 'ERR_UNKNOWN_FILE_EXTENSION') return '';
  return ' (Node cannot import TypeScript by itself: compile the module to JavaScript, or run with a loader: NODE_OPTIONS="--import tsx" tributary ...)';
}
