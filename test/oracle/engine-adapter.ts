/**
 * Finds Tributary's conformance runner (test/conformance/runner.ts) and offers it to the differential check as one
 * operation: check scenarios that carry Kafka Streams' outputs as their `expect`, answer per scenario with null
 * (agrees) or the first difference.
 *
 * Two ways to reach the engine, tried in order:
 * 1. programmatic: the runner module exports `runScenarios(scenarios)` or `runScenario(scenario)` resolving to a
 *    {@link ScenarioRun} (every output per step, plus `droppedRecords`); the comparison is ./compare.ts;
 * 2. command line: `npm run --silent conformance -- <folder>` on a folder of scenario files, reading its
 *    `PASS`/`FAIL` lines (one per scenario, in file-name order, as the conformance runner prints them).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { differenceFromScenario } from './compare.js';
import type { Scenario, ScenarioRun } from './scenario.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ENGINE_RUNNER = join(REPO_ROOT, 'test', 'conformance', 'runner.ts');

export interface EngineChecker {
  readonly description: string;
  /** For each scenario (with Kafka Streams' outputs as `expect`): null when the engine agrees, else the difference. */
  check(scenarios: readonly Scenario[]): Promise<(string | null)[]>;
}

type RunOne = (scenario: Scenario) => Promise<ScenarioRun> | ScenarioRun;
type RunMany = (scenarios: readonly Scenario[]) => Promise<ScenarioRun[]> | ScenarioRun[];

function programmatic(module: Record<string, unknown>): EngineChecker | undefined {
  const many = module['runScenarios'];
  const one = module['runScenario'];
  if (typeof many !== 'function' && typeof one !== 'function') return undefined;
  const run = async (scenarios: readonly Scenario[]): Promise<ScenarioRun[]> => {
    if (typeof many === 'function') return (many as RunMany)(scenarios);
    const runs: ScenarioRun[] = [];
    for (const scenario of scenarios) {
      try {
        runs.push(await (one as RunOne)(scenario));
      } catch (error) {
        runs.push({ steps: [], error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      }
    }
    return runs;
  };
  return {
    description: `${ENGINE_RUNNER} (${typeof many === 'function' ? 'runScenarios' : 'runScenario'})`,
    async check(scenarios) {
      const runs = await run(scenarios);
      return scenarios.map((scenario, i) => {
        const engineRun = runs[i];
        if (engineRun === undefined) return 'the engine returned no run';
        // The dropped-records count is compared only when the engine reports one.
        const expected =
          engineRun.droppedRecords === undefined ? { ...scenario, expectDroppedRecords: undefined } : scenario;
        return differenceFromScenario(expected, engineRun)?.message ?? null;
      });
    },
  };
}

function commandLine(): EngineChecker {
  return {
    description: 'npm run conformance -- <folder>',
    async check(scenarios) {
      const dir = mkdtempSync(join(tmpdir(), 'tributary-differential-'));
      try {
        const files = scenarios.map((scenario, i) => {
          const file = `${String(i).padStart(6, '0')}.json`;
          writeFileSync(join(dir, file), JSON.stringify(scenario, null, 1));
          return file;
        });
        const result = spawnSync('npm', ['run', '--silent', 'conformance', '--', dir], {
          cwd: REPO_ROOT,
          encoding: 'utf8',
          maxBuffer: 256 << 20,
        });
        const lines = `${result.stdout}`.split('\n').filter((line) => /^\s*(PASS|FAIL)\b/.test(line));
        if (lines.length !== scenarios.length) {
          throw new Error(
            `conformance runner printed ${lines.length} PASS/FAIL lines for ${scenarios.length} scenarios (exit ${String(result.status)})\n${result.stdout}\n${result.stderr}`,
          );
        }
        return files.map((file, i) => {
          const line = lines.find((l) => l.includes(file)) ?? lines[i]!;
          return /^\s*PASS\b/.test(line) ? null : line.trim();
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The engine's conformance runner, or undefined when the repository does not have it yet. */
export async function findEngine(): Promise<EngineChecker | undefined> {
  if (!existsSync(ENGINE_RUNNER)) return undefined;
  const module = (await import(pathToFileURL(ENGINE_RUNNER).href)) as Record<string, unknown>;
  return programmatic(module) ?? commandLine();
}
