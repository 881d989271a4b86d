/**
 * Locates and loads the shared conformance scenarios (shared/conformance/streams, outside the repository).
 * `TRIBUTARY_CONFORMANCE_DIR` overrides the search.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Scenario } from './scenario.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Thrown when no shared scenario folder can be found. */
export class SharedScenariosNotFoundError extends Error {
  readonly retriable = false;
  constructor(readonly searched: readonly string[]) {
    super(`no shared conformance folder found; set TRIBUTARY_CONFORMANCE_DIR (searched: ${searched.join(', ')})`);
    this.name = 'SharedScenariosNotFoundError';
  }
}

export function sharedScenarioDir(): string {
  const candidates = [
    process.env['TRIBUTARY_CONFORMANCE_DIR'],
    join(REPO_ROOT, '..', 'shared', 'conformance', 'streams'),
    join(REPO_ROOT, '..', '..', 'shared', 'conformance', 'streams'),
  ].filter((dir): dir is string => dir !== undefined && dir !== '');
  const found = candidates.find((dir) => existsSync(dir));
  if (found === undefined) throw new SharedScenariosNotFoundError(candidates);
  return found;
}

export interface ScenarioFile {
  readonly file: string;
  readonly path: string;
  readonly scenario: Scenario;
}

export function loadScenarioFiles(dir: string): ScenarioFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((file) => {
      const path = join(dir, file);
      return { file, path, scenario: JSON.parse(readFileSync(path, 'utf8')) as Scenario };
    });
}
