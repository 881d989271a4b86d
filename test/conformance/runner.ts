import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TopologyTestDriver, type TestOutputTopic } from '../../src/testing/index.js';
import type { KeyValueStoreType } from '../../src/state/store-spec.js';
import { defaultKinds, type KindFactory, type KindSetup, type Plan, type ScenarioRecord } from './kinds.js';

export type OrderMode = 'exact' | 'set-per-window';
type Windows = readonly (readonly [number, number])[];

/** A conformance scenario file (see test/conformance/scenarios/shared/README.md). */
export interface Scenario {
  readonly file?: string;
  readonly name: string;
  readonly source?: string;
  readonly topology: { readonly kind: string; readonly [field: string]: unknown };
  readonly steps: readonly {
    readonly input?: readonly { readonly topic: string; readonly key: string | null; readonly value: string | number | null; readonly ts: number }[];
    readonly expect?: { readonly [output: string]: readonly ScenarioRecord[] | Windows | undefined };
  }[];
  readonly order?: OrderMode | { readonly [output: string]: OrderMode };
  readonly outputs?: readonly string[];
  readonly expectDroppedRecords?: number;
}

/** What the engine emitted for a scenario: every output after each step (the oracle's ScenarioRun shape). */
export interface ScenarioRun {
  readonly name?: string;
  readonly file?: string;
  readonly steps: readonly { readonly [output: string]: readonly ScenarioRecord[] | Windows }[];
  readonly droppedRecords?: number;
  readonly error?: string;
}

export type ScenarioStatus = 'pass' | 'fail' | 'unsupported';

export interface ScenarioResult {
  readonly file: string;
  readonly name: string;
  readonly kind: string;
  readonly status: ScenarioStatus;
  /** Why it failed or is unsupported; for a failure, the first differing record. */
  readonly message?: string;
}

export interface RunOptions {
  readonly kinds?: ReadonlyMap<string, KindFactory>;
  /** Compare only these outputs (overrides the scenario's own `outputs`). */
  readonly outputs?: readonly string[];
  /** Key-value store type the drivers default to (`'in-memory'` unless set): the scenarios run on either. */
  readonly defaultStoreType?: KeyValueStoreType;
}

/** Loads every `*.json` scenario of the folders, sorted by file name. */
export function loadScenarios(folders: readonly string[]): (Scenario & { file: string })[] {
  const scenarios: (Scenario & { file: string })[] = [];
  for (const folder of folders) {
    for (const entry of readdirSync(folder).filter((f) => f.endsWith('.json')).sort()) {
      const file = join(folder, entry);
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as Omit<Scenario, 'file'>;
      scenarios.push({ ...parsed, file });
    }
  }
  return scenarios;
}

const show = (r: ScenarioRecord | readonly [number, number] | undefined): string => {
  if (r === undefined) return '(nothing)';
  if (Array.isArray(r)) return `[${r[0]}, ${r[1]})`;
  const s = r as ScenarioRecord;
  return `(${JSON.stringify(s.key)}${s.window ? `@${s.window[0]}/${s.window[1]}` : ''}, ${JSON.stringify(s.value)}, ${s.ts})`;
};

const same = (a: ScenarioRecord, b: ScenarioRecord): boolean =>
  a.key === b.key &&
  a.value === b.value &&
  a.ts === b.ts &&
  (a.window === undefined) === (b.window === undefined) &&
  (a.window === undefined || (a.window[0] === b.window![0] && a.window[1] === b.window![1]));

/** Returns a description of the first difference, or undefined when equal under `mode`. */
export function compareRecords(expected: readonly ScenarioRecord[], actual: readonly ScenarioRecord[], mode: OrderMode): string | undefined {
  if (mode === 'exact') {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      const e = expected[i];
      const a = actual[i];
      if (e === undefined || a === undefined || !same(e, a)) return `record ${i}: expected ${show(e)}, got ${show(a)}`;
    }
    return undefined;
  }
  const windowOf = (r: ScenarioRecord): string => `${JSON.stringify(r.key)}@${r.window ? r.window.join('/') : '-'}`;
  const remaining = [...actual];
  for (const e of expected) {
    const i = remaining.findIndex((a) => same(e, a));
    if (i < 0) return `window ${windowOf(e)}: expected ${show(e)} not produced`;
    remaining.splice(i, 1);
  }
  if (remaining.length > 0) return `window ${windowOf(remaining[0]!)}: unexpected ${show(remaining[0])}`;
  return undefined;
}

function compareWindows(expected: Windows, actual: Windows): string | undefined {
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    const e = expected[i];
    const a = actual[i];
    if (e === undefined || a === undefined || e[0] !== a[0] || e[1] !== a[1]) return `window ${i}: expected ${show(e)}, got ${show(a)}`;
  }
  return undefined;
}

function orderFor(scenario: Scenario, output: string): OrderMode {
  const order = scenario.order ?? 'exact';
  return typeof order === 'string' ? order : (order[output] ?? 'exact');
}

/** Pipes every step through one plan's driver; returns the plan's outputs per step and its dropped records. */
function runPlan(plan: Plan, scenario: Scenario, defaultStoreType: KeyValueStoreType | undefined): { steps: { [output: string]: ScenarioRecord[] }[]; dropped: number } {
  const driver = new TopologyTestDriver(plan.topology, { initialWallClockTime: 0, ...(defaultStoreType === undefined ? {} : { defaultStoreType }) });
  try {
    const inputs = new Map(Object.entries(plan.inputs).map(([topic, serdes]) => [topic, driver.createInputTopic<any, any>(topic, serdes.key, serdes.value)]));
    const outputs = new Map<string, TestOutputTopic<any, any>>();
    for (const [name, spec] of Object.entries(plan.outputs)) outputs.set(name, driver.createOutputTopic<any, any>(spec.topic, spec.key, spec.value));
    const steps: { [output: string]: ScenarioRecord[] }[] = [];
    for (const [index, step] of scenario.steps.entries()) {
      for (const record of step.input ?? []) {
        const topic = inputs.get(record.topic);
        if (topic === undefined) throw new Error(`step ${index}: kind ${scenario.topology.kind} has no input topic ${record.topic}`);
        topic.pipeInput(record.key, record.value, record.ts);
      }
      const got: { [output: string]: ScenarioRecord[] } = {};
      for (const [name, topic] of outputs) {
        const spec = plan.outputs[name]!;
        got[name] = topic.readRecordsToList().map((r) => (spec.decode ? spec.decode(r) : { key: r.key, value: r.value, ts: r.timestamp }));
      }
      steps.push(got);
    }
    return { steps, dropped: driver.droppedRecords };
  } finally {
    driver.close();
  }
}

/**
 * Runs a scenario through the engine and reports what it emitted (every output of the kind, per step),
 * without comparing. Throws for an unknown kind.
 */
export function executeScenario(scenario: Scenario, kinds: ReadonlyMap<string, KindFactory> = defaultKinds, defaultStoreType?: KeyValueStoreType): ScenarioRun {
  const factory = kinds.get(scenario.topology.kind);
  if (factory === undefined) throw new Error(`topology kind ${scenario.topology.kind} is not supported`);
  const setup: KindSetup | string = factory(scenario.topology, scenario);
  if (typeof setup === 'string') throw new Error(setup);
  const meta = { name: scenario.name, ...(scenario.file === undefined ? {} : { file: scenario.file }) };
  if (setup.windows !== undefined) return { ...meta, steps: scenario.steps.map(() => ({ windows: setup.windows! })), droppedRecords: 0 };
  const main = runPlan(setup, scenario, defaultStoreType);
  for (const extra of setup.extraPlans ?? []) {
    const run = runPlan(extra, scenario, defaultStoreType);
    run.steps.forEach((outputs, i) => Object.assign(main.steps[i]!, outputs));
  }
  return { ...meta, steps: main.steps, droppedRecords: main.dropped };
}

/** The oracle's entry point: one run per scenario; a scenario the engine rejects gets `error`. */
export function runScenarios(scenarios: readonly Scenario[]): ScenarioRun[] {
  return scenarios.map((scenario) => {
    try {
      return executeScenario(scenario);
    } catch (error) {
      return { name: scenario.name, steps: [], error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  });
}

/** Builds the scenario's topology, pipes its steps through a TopologyTestDriver and compares outputs. */
export function runScenario(scenario: Scenario, options: RunOptions = {}): ScenarioResult {
  const kind = scenario.topology.kind;
  const base = { file: scenario.file ?? '', name: scenario.name, kind };
  const kinds = options.kinds ?? defaultKinds;
  if (!kinds.has(kind)) return { ...base, status: 'unsupported', message: `topology kind ${kind} is not supported` };
  let run: ScenarioRun;
  try {
    run = executeScenario(scenario, kinds, options.defaultStoreType);
  } catch (error) {
    return { ...base, status: 'fail', message: `error: ${error instanceof Error ? error.message : String(error)}` };
  }
  const compared = options.outputs ?? scenario.outputs;
  for (const [index, step] of scenario.steps.entries()) {
    const actual = run.steps[index] ?? {};
    const names = compared ?? [...new Set([...Object.keys(actual), ...Object.keys(step.expect ?? {})])];
    for (const name of names) {
      const got = actual[name];
      if (got === undefined) return { ...base, status: 'fail', message: `step ${index}: kind ${kind} has no output named ${name}` };
      const expected = step.expect?.[name] ?? [];
      const difference =
        name === 'windows' ? compareWindows(expected as Windows, got as Windows) : compareRecords(expected as readonly ScenarioRecord[], got as readonly ScenarioRecord[], orderFor(scenario, name));
      if (difference !== undefined) return { ...base, status: 'fail', message: `step ${index}, output ${name}: ${difference}` };
    }
  }
  if (scenario.expectDroppedRecords !== undefined && run.droppedRecords !== scenario.expectDroppedRecords) {
    return { ...base, status: 'fail', message: `dropped records: expected ${scenario.expectDroppedRecords}, got ${run.droppedRecords}` };
  }
  return { ...base, status: 'pass' };
}

/** Runs every scenario of the folders. */
export function runFolders(folders: readonly string[], options: RunOptions = {}): ScenarioResult[] {
  return loadScenarios(folders).map((scenario) => runScenario(scenario, options));
}
