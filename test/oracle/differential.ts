/**
 * Differential check of Tributary's engine against Kafka Streams on generated scenarios: generate (seeded), run the
 * batch through the oracle (one JVM), check the engine against the oracle's outputs, and shrink the first failing
 * scenario with fast-check (replaying exactly that run of the seed).
 */
import fc from 'fast-check';
import type { EngineChecker } from './engine-adapter.js';
import type { Scenario, ScenarioRun } from './scenario.js';
import { generateScenarios, scenarioArbitrary } from './streams/generate.js';
import {
  StreamsOracleSession,
  runStreamsOracle,
  withOracleExpectations,
  type OracleBatchOptions,
} from './streams/run-oracle.js';

export interface GeneratedBatch {
  readonly scenarios: readonly Scenario[];
  readonly runs: readonly ScenarioRun[];
  /** Scenarios with Kafka Streams' outputs as `expect` (absent where Kafka Streams rejected the scenario). */
  readonly expected: readonly (Scenario | undefined)[];
  readonly oracleMs: number;
}

/** Generates `count` scenarios from `seed` and runs them through Kafka Streams. */
export async function generateWithOracle(
  options: { readonly count: number; readonly seed: number } & OracleBatchOptions,
): Promise<GeneratedBatch> {
  const scenarios = generateScenarios(options);
  const started = Date.now();
  const runs = await runStreamsOracle(scenarios, options);
  const oracleMs = Date.now() - started;
  const expected = scenarios.map((scenario, i) =>
    runs[i]!.error === undefined ? withOracleExpectations(scenario, runs[i]!) : undefined,
  );
  return { scenarios, runs, expected, oracleMs };
}

export interface Failure {
  readonly index: number;
  readonly scenario: Scenario;
  readonly difference: string;
  /** For a shrunk failure: how many candidate scenarios the shrinker ran. */
  readonly shrinkRuns?: number;
}

export interface DifferentialResult {
  readonly count: number;
  readonly passed: number;
  readonly failures: readonly Failure[];
  /** Scenarios Kafka Streams itself rejected (not compared), with its error. */
  readonly rejected: readonly { readonly index: number; readonly error: string }[];
  readonly shrunk?: Failure;
  readonly oracleMs: number;
  readonly engineMs: number;
}

export async function runDifferential(
  engine: EngineChecker,
  options: {
    readonly count: number;
    readonly seed: number;
    readonly shrink?: boolean;
    /** Most candidate scenarios the shrinker may run (each is one oracle and one engine run); default 400. */
    readonly shrinkBudget?: number;
  } & OracleBatchOptions,
  generated?: GeneratedBatch,
): Promise<DifferentialResult> {
  const batch = generated ?? (await generateWithOracle(options));
  const rejected = batch.runs.flatMap((run, index) => (run.error === undefined ? [] : [{ index, error: run.error }]));
  const comparable = batch.expected.flatMap((scenario, index) => (scenario === undefined ? [] : [{ scenario, index }]));
  const started = Date.now();
  const verdicts = await engine.check(comparable.map((c) => c.scenario));
  const engineMs = Date.now() - started;
  const failures = comparable.flatMap(({ scenario, index }, i) =>
    verdicts[i] === null ? [] : [{ index, scenario, difference: verdicts[i]! }],
  );
  const base = {
    count: batch.scenarios.length,
    passed: comparable.length - failures.length,
    failures,
    rejected,
    oracleMs: batch.oracleMs,
    engineMs,
  };
  if (failures.length === 0 || options.shrink === false) return base;
  const shrunk = await shrink(engine, options.seed, options.count, failures[0]!, options.shrinkBudget ?? 400);
  return { ...base, shrunk };
}

/**
 * Replays run `failure.index` of the seed under fast-check and lets it shrink the scenario. Once `budget` candidates
 * have run, the remaining ones are treated as passing, which ends the shrink at the smallest failure found so far.
 */
async function shrink(
  engine: EngineChecker,
  seed: number,
  count: number,
  failure: Failure,
  budget: number,
): Promise<Failure> {
  const oracle = StreamsOracleSession.start();
  let smallest: Failure = failure;
  let runs = 0;
  try {
    const property = fc.asyncProperty(scenarioArbitrary('shrunk'), async (scenario) => {
      if (runs >= budget) return true;
      runs++;
      const run = await oracle.run(scenario);
      if (run.error !== undefined) return true; // Kafka Streams rejects it: not a counterexample.
      const expected = withOracleExpectations(scenario, run);
      const [verdict] = await engine.check([expected]);
      if (verdict === null || verdict === undefined) return true;
      smallest = { index: failure.index, scenario: expected, difference: verdict, shrinkRuns: runs };
      return false;
    });
    await fc.check(property, { seed, path: String(failure.index), numRuns: count, endOnFailure: false });
  } finally {
    await oracle.close();
  }
  return { ...smallest, shrinkRuns: runs };
}
