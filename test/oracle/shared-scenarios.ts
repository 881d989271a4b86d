/**
 * Locates and loads the shared conformance scenarios: the copy in test/conformance/scenarios/shared, or the folder
 * `TRIBUTARY_CONFORMANCE_DIR` names (e.g. a newer version of the shared folder).
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
    join(REPO_ROOT, 'test', 'conformance', 'scenarios', 'shared'),
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
