/**
 * Compares what an executor emitted for a scenario with what was expected, under the scenario's `order` rules
 * (test/conformance/scenarios/shared/README.md): `exact` compares record lists in order, `set-per-window` compares the multiset of
 * records of each (key, window). An output absent from a step's expectation must be empty, unless the scenario's
 * `outputs` restricts the comparison to other outputs.
 */
import type { OrderRule, OutputRecord, Scenario, ScenarioRun, StepOutputs } from './scenario.js';

export interface Difference {
  /** Step index, or -1 for the dropped-records count. */
  readonly step: number;
  readonly output: string;
  readonly message: string;
}

type Entry = OutputRecord | readonly [number, number];

/** One record as a canonical string: field order fixed, so equal records give equal strings. */
export function canonical(record: Entry): string {
  if (Array.isArray(record)) return JSON.stringify(record);
  const r = record as OutputRecord;
  return JSON.stringify(
    r.window === undefined
      ? { key: r.key, value: r.value, ts: r.ts }
      : { key: r.key, window: r.window, value: r.value, ts: r.ts },
  );
}

function groupOf(record: Entry): string {
  if (Array.isArray(record)) return JSON.stringify(record);
  const r = record as OutputRecord;
  return JSON.stringify([r.key, r.window ?? null]);
}

export function orderFor(scenario: Pick<Scenario, 'order'>, output: string): OrderRule {
  const order = scenario.order;
  if (order === undefined) return 'exact';
  if (typeof order === 'string') return order;
  return order[output] ?? 'exact';
}

function compareExact(expected: readonly Entry[], actual: readonly Entry[]): string | null {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    if (e === undefined) return `record #${i}: unexpected extra ${canonical(a!)} (expected ${expected.length} records)`;
    if (a === undefined) return `record #${i}: missing ${canonical(e)} (got only ${actual.length} records)`;
    if (canonical(e) !== canonical(a)) return `record #${i}: expected ${canonical(e)}, got ${canonical(a)}`;
  }
  return null;
}

function comparePerWindow(expected: readonly Entry[], actual: readonly Entry[]): string | null {
  const groups = new Map<string, { expected: string[]; actual: string[] }>();
  const add = (records: readonly Entry[], side: 'expected' | 'actual'): void => {
    for (const record of records) {
      const id = groupOf(record);
      let group = groups.get(id);
      if (group === undefined) {
        group = { expected: [], actual: [] };
        groups.set(id, group);
      }
      group[side].push(canonical(record));
    }
  };
  add(expected, 'expected');
  add(actual, 'actual');
  for (const [id, group] of groups) {
    const e = [...group.expected].sort();
    const a = [...group.actual].sort();
    if (e.length !== a.length || e.some((x, i) => x !== a[i])) {
      return `window ${id}: expected {${e.join(', ')}}, got {${a.join(', ')}}`;
    }
  }
  return null;
}

/**
 * The first difference between `expected` (per step; a missing step or output means "no records") and `actual`, or
 * null when they agree. `expectedDropped`, when given, is compared with `actual.droppedRecords`.
 */
export function firstDifference(
  scenario: Pick<Scenario, 'order' | 'outputs'>,
  expected: readonly (StepOutputs | undefined)[],
  actual: ScenarioRun,
  expectedDropped?: number,
): Difference | null {
  if (actual.error !== undefined) return { step: -1, output: '*', message: `executor failed: ${actual.error}` };
  const steps = Math.max(expected.length, actual.steps.length);
  for (let step = 0; step < steps; step++) {
    const e = expected[step] ?? {};
    const a = actual.steps[step] ?? {};
    let names = [...new Set([...Object.keys(e), ...Object.keys(a)])].sort();
    if (scenario.outputs !== undefined) names = names.filter((name) => scenario.outputs!.includes(name));
    for (const output of names) {
      const want = (e[output] ?? []) as readonly Entry[];
      const got = (a[output] ?? []) as readonly Entry[];
      const problem =
        orderFor(scenario, output) === 'set-per-window' ? comparePerWindow(want, got) : compareExact(want, got);
      if (problem !== null) return { step, output, message: `step ${step}, output ${output}: ${problem}` };
    }
  }
  if (expectedDropped !== undefined && actual.droppedRecords !== expectedDropped) {
    return {
      step: -1,
      output: 'droppedRecords',
      message: `dropped records: expected ${expectedDropped}, got ${String(actual.droppedRecords)}`,
    };
  }
  return null;
}

/** The first difference between a scenario file's own `expect` blocks and an executor's run. */
export function differenceFromScenario(scenario: Scenario, actual: ScenarioRun): Difference | null {
  return firstDifference(
    scenario,
    scenario.steps.map((step) => step.expect),
    actual,
    scenario.expectDroppedRecords,
  );
}
