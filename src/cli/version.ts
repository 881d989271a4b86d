import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The version of the installed package, read from its package.json. The CLI runs from `dist/src/cli/` when
 * installed and from `src/cli/` in a checkout, so the file is looked up from this module's folder upwards
 * instead of at a fixed relative path.
 *
 * @example
 * packageVersion(); // '0.1.0'
 */
export function packageVersion(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'tributary-streams' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // No (readable) package.json here: keep walking up.
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
