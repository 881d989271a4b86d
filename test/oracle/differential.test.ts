/**
 * The differential machinery itself: generated scenarios run through Kafka Streams, an engine that behaves like
 * Kafka Streams passes, and an engine with a planted bug is caught and its counterexample shrunk.
 * Needs Java 17 and Maven (no broker).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { differenceFromScenario } from './compare.js';
import { runDifferential } from './differential.js';
import type { EngineChecker } from './engine-adapter.js';
import type { OutputRecord, Scenario, ScenarioRun } from './scenario.js';
import { StreamsOracleSession } from './streams/run-oracle.js';

/** An "engine" that is Kafka Streams itself (a second JVM), optionally with its output altered. */
function oracleAsEngine(session: StreamsOracleSession, alter: (run: ScenarioRun) => ScenarioRun): EngineChecker {
  return {
    description: 'Kafka Streams with an altered output',
    async check(scenarios: readonly Scenario[]) {
      const verdicts: (string | null)[] = [];
      for (const scenario of scenarios) {
        const run = alter(await session.run(scenario));
        verdicts.push(differenceFromScenario(scenario, run)?.message ?? null);
      }
      return verdicts;
    },
  };
}

/** Planted bug: the outer join forgets its right-only results. */
function loseRightOnlyResults(run: ScenarioRun): ScenarioRun {
  return {
    ...run,
    steps: run.steps.map((step) => ({
      ...step,
      ...(step['updates'] === undefined
        ? {}
        : {
            updates: (step['updates'] as readonly OutputRecord[]).filter(
              (r) => !(typeof r.value === 'string' && r.value.startsWith('null+')),
            ),
          }),
    })),
  };
}

const inputCount = (scenario: Scenario): number => scenario.steps.reduce((n, step) => n + step.input.length, 0);

describe('differential check against Kafka Streams', () => {
  let session: StreamsOracleSession;
  beforeAll(() => {
    session = StreamsOracleSession.start();
  });
  afterAll(async () => {
    await session.close();
  });

  it('passes an engine that emits what Kafka Streams emits', async () => {
    const result = await runDifferential(oracleAsEngine(session, (run) => run), { count: 60, seed: 11 });
    expect(result.rejected).toEqual([]);
    expect(result.failures.map((f) => f.difference)).toEqual([]);
    expect(result.passed).toBe(60);
  });

  it('catches a planted bug and shrinks the scenario to a few records', async () => {
    const result = await runDifferential(oracleAsEngine(session, loseRightOnlyResults), { count: 150, seed: 5 });
    expect(result.failures.length).toBeGreaterThan(0);
    const shrunk = result.shrunk!;
    expect(shrunk.scenario.topology).toMatchObject({ kind: 'stream-stream-join', join: 'outer' });
    expect(shrunk.difference).toContain('null+');
    expect(inputCount(shrunk.scenario)).toBeLessThanOrEqual(3);
    expect(inputCount(shrunk.scenario)).toBeLessThan(inputCount(result.failures[0]!.scenario));
    console.log(`shrunk after ${shrunk.shrinkRuns} candidates to ${JSON.stringify(shrunk.scenario.steps)}`);
  });
});
