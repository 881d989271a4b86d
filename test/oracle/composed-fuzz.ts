/**
 * The composed differential fuzzer: random `composed` topologies (composed-generate.ts) run through Kafka Streams (one
 * JVM per batch, so thousands of scenarios cost a few JVM start-ups) and through Tributary's engine, compared record by
 * record (per output: key, window, value, timestamp, order) plus the dropped-records count. The first difference is
 * shrunk by delta debugging against a long-lived oracle JVM: drop sinks, operators (rewiring their readers to their
 * input), steps and input records, then simplify keys, values and timestamps, keeping every change after which the
 * two still differ.
 */
import { firstDifference } from './compare.js';
import { generateComposedScenarios } from './composed-generate.js';
import type { InputRecord, Scenario, ScenarioRun } from './scenario.js';
import { StreamsOracleSession, runStreamsOracle, withOracleExpectations } from './streams/run-oracle.js';
import { runScenarios } from '../conformance/runner.js';

type Node = Readonly<Record<string, unknown>>;
type Composed = Extract<Scenario['topology'], { kind: 'composed' }>;

/** The engine's difference from a Kafka Streams run of the same scenario, or null when they agree. */
export function engineDifference(scenario: Scenario, oracle: ScenarioRun): string | null {
  const [engine] = runScenarios([scenario as never]) as ScenarioRun[];
  const difference = firstDifference(scenario, oracle.steps, engine!, oracle.droppedRecords);
  return difference?.message ?? null;
}

export interface ComposedFailure {
  readonly index: number;
  readonly scenario: Scenario;
  readonly difference: string;
}

export interface ComposedFuzzResult {
  readonly seed: number;
  readonly count: number;
  readonly passed: number;
  readonly failures: readonly ComposedFailure[];
  readonly rejected: readonly { readonly index: number; readonly error: string }[];
  readonly oracleMs: number;
  readonly engineMs: number;
}

/**
 * Scenarios `0..count-1` of `seed`, in batches of `batch` per JVM (the generator is deterministic, so the whole list
 * is drawn once and cut). `onBatch` sees the progress. Stops after the batch with the first failure when `stopEarly`.
 */
export async function fuzzComposed(options: {
  readonly count: number;
  readonly seed: number;
  readonly batch?: number;
  readonly threads?: number;
  readonly stopEarly?: boolean;
  readonly avoidKnown?: boolean;
  readonly onBatch?: (done: number, failures: number) => void;
}): Promise<ComposedFuzzResult> {
  const scenarios = generateComposedScenarios({ count: options.count, seed: options.seed, avoidKnown: options.avoidKnown === true });
  const size = Math.max(1, options.batch ?? 1000);
  const failures: ComposedFailure[] = [];
  const rejected: { index: number; error: string }[] = [];
  let passed = 0;
  let oracleMs = 0;
  let engineMs = 0;
  for (let start = 0; start < scenarios.length; start += size) {
    const slice = scenarios.slice(start, start + size);
    let t = Date.now();
    const runs = await runStreamsOracle(slice, options.threads === undefined ? {} : { threads: options.threads });
    oracleMs += Date.now() - t;
    t = Date.now();
    slice.forEach((scenario, i) => {
      const index = start + i;
      const run = runs[i]!;
      if (run.error !== undefined) {
        rejected.push({ index, error: run.error });
        return;
      }
      const difference = engineDifference(scenario, run);
      if (difference === null) passed++;
      else failures.push({ index, scenario, difference });
    });
    engineMs += Date.now() - t;
    options.onBatch?.(Math.min(start + size, scenarios.length), failures.length);
    if (options.stopEarly === true && failures.length > 0) break;
  }
  return { seed: options.seed, count: options.count, passed, failures, rejected, oracleMs, engineMs };
}

function nodesOf(scenario: Scenario): Node[] {
  return [...(scenario.topology as Composed).nodes];
}

function withTopology(scenario: Scenario, nodes: readonly Node[], sinks: Readonly<Record<string, string>>): Scenario {
  return { ...scenario, topology: { kind: 'composed', nodes, sinks } };
}

/** Keeps only the nodes the sinks read from, directly or through `from` / `other`. */
function pruned(scenario: Scenario): Scenario {
  const { nodes, sinks } = scenario.topology as Composed;
  const byId = new Map(nodes.map((n) => [String(n.id), n]));
  const needed = new Set<string>();
  const visit = (id: string): void => {
    if (needed.has(id)) return;
    needed.add(id);
    const node = byId.get(id);
    for (const field of ['from', 'other', 'others']) {
      const ref = node?.[field];
      if (typeof ref === 'string') visit(ref);
      if (Array.isArray(ref)) for (const r of ref) visit(String(r));
    }
  };
  for (const id of Object.values(sinks)) visit(id);
  return withTopology(scenario, nodes.filter((n) => needed.has(String(n.id))), sinks);
}

/** Candidate scenarios one change smaller than `scenario`, biggest cuts first. */
function* candidates(scenario: Scenario): Generator<Scenario> {
  const { sinks } = scenario.topology as Composed;
  const nodes = nodesOf(scenario);
  // Fewer outputs.
  const sinkNames = Object.keys(sinks);
  if (sinkNames.length > 1) {
    for (const name of sinkNames) {
      const rest = Object.fromEntries(Object.entries(sinks).filter(([n]) => n !== name));
      yield pruned(withTopology(scenario, nodes, rest));
    }
  }
  // Fewer operators: a node with a single input is cut out, its readers (and sinks) read its input instead.
  for (const node of nodes) {
    if (typeof node.from !== 'string' || node.other !== undefined || node.others !== undefined) continue;
    const id = String(node.id);
    const input = node.from;
    const rewire = (ref: unknown): unknown => (ref === id ? input : Array.isArray(ref) ? ref.map((r) => (r === id ? input : r)) : ref);
    const rest = nodes
      .filter((n) => n !== node)
      .map((n) => ({ ...n, ...(n.from === undefined ? {} : { from: rewire(n.from) }), ...(n.other === undefined ? {} : { other: rewire(n.other) }), ...(n.others === undefined ? {} : { others: rewire(n.others) }) }));
    const restSinks = Object.fromEntries(Object.entries(sinks).map(([n, target]) => [n, target === id ? input : target]));
    yield pruned(withTopology(scenario, rest, restSinks));
  }
  // A two-input node (join, merge) replaced by one of its inputs.
  for (const node of nodes) {
    if (typeof node.from !== 'string' || typeof node.other !== 'string') continue;
    for (const input of [node.from, node.other]) {
      const id = String(node.id);
      const rewire = (ref: unknown): unknown => (ref === id ? input : ref);
      const rest = nodes.filter((n) => n !== node).map((n) => ({ ...n, ...(n.from === undefined ? {} : { from: rewire(n.from) }), ...(n.other === undefined ? {} : { other: rewire(n.other) }) }));
      yield pruned(withTopology(scenario, rest, Object.fromEntries(Object.entries(sinks).map(([n, target]) => [n, target === id ? input : target]))));
    }
  }
  // Plainer operators: not materialized.
  for (const [i, node] of nodes.entries()) {
    if (node.materialized === true) yield withTopology(scenario, nodes.map((n, j) => (j === i ? { ...n, materialized: false } : n)), sinks);
  }
  // Fewer steps, then fewer records (halves first, then one by one).
  const steps = scenario.steps;
  if (steps.length > 1) for (let i = 0; i < steps.length; i++) yield { ...scenario, steps: steps.filter((_, j) => j !== i) };
  const records = steps.flatMap((step, s) => (step.input ?? []).map((record, r) => ({ s, r, record })));
  const without = (drop: (s: number, r: number) => boolean): Scenario => ({
    ...scenario,
    steps: steps.map((step, s) => ({ ...step, input: step.input.filter((_, r) => !drop(s, r)) })),
  });
  if (records.length > 3) {
    const half = Math.floor(records.length / 2);
    const first = new Set(records.slice(0, half).map(({ s, r }) => `${s}/${r}`));
    yield without((s, r) => first.has(`${s}/${r}`));
    yield without((s, r) => !first.has(`${s}/${r}`));
  }
  for (const { s, r } of records) yield without((ss, rr) => ss === s && rr === r);
  // Simpler records: key A, short values, smaller timestamps.
  const replace = (s: number, r: number, record: InputRecord): Scenario => ({
    ...scenario,
    steps: steps.map((step, ss) => (ss !== s ? step : { ...step, input: step.input.map((old, rr) => (rr === r ? record : old)) })),
  });
  for (const { s, r, record } of records) {
    if (record.key !== null && record.key !== 'A') yield replace(s, r, { ...record, key: 'A' });
    if (typeof record.value === 'string') {
      const simpler = record.value.includes(':') ? `${record.value.slice(0, record.value.indexOf(':'))}:k` : record.value.includes('k') ? 'k' : 'x';
      if (simpler !== record.value) yield replace(s, r, { ...record, value: simpler });
    }
    if (record.ts > 0) yield replace(s, r, { ...record, ts: Math.floor(record.ts / 2) });
    if (record.ts > 0) yield replace(s, r, { ...record, ts: record.ts - 1 });
  }
}

/**
 * Delta-debugs a failing scenario: tries the candidates of the current smallest failure and keeps the first that still
 * differs, until none does or `budget` candidates ran. Returns the smallest failure with Kafka Streams' outputs as
 * `expect` (a scenario file for test/conformance/scenarios/composed) and the engine's difference.
 */
export async function shrinkComposed(
  failure: ComposedFailure,
  budget = 2000,
): Promise<{ readonly scenario: Scenario; readonly difference: string; readonly tried: number }> {
  const oracle = StreamsOracleSession.start();
  let smallest = failure.scenario;
  let difference = failure.difference;
  let tried = 0;
  try {
    let progress = true;
    while (progress && tried < budget) {
      progress = false;
      for (const candidate of candidates(smallest)) {
        if (tried >= budget) break;
        tried++;
        const run = await oracle.run(candidate);
        if (run.error !== undefined) continue; // Kafka Streams rejects it: not a valid scenario.
        let found: string | null;
        try {
          found = engineDifference(candidate, run);
        } catch (error) {
          found = `engine failed: ${error instanceof Error ? error.message : String(error)}`;
        }
        if (found === null) continue;
        smallest = candidate;
        difference = found;
        progress = true;
        break;
      }
    }
    const run = await oracle.run(smallest);
    return { scenario: withOracleExpectations(smallest, run), difference, tried };
  } finally {
    await oracle.close();
  }
}
