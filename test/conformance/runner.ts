import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TopologyTestDriver, type TestOutputTopic } from '../../src/testing/index.js';
import { defaultKinds, type KindFactory, type KindSetup, type ScenarioRecord } from './kinds.js';

export type OrderMode = 'exact' | 'set-per-window';

/** A conformance scenario file (see shared/conformance/README.md). */
export interface Scenario {
  readonly file: string;
  readonly name: string;
  readonly source?: string;
  readonly topology: { readonly kind: string; readonly [field: string]: unknown };
  readonly steps: readonly {
    readonly input?: readonly { readonly topic: string; readonly key: string | null; readonly value: string | number | null; readonly ts: number }[];
    readonly expect?: { readonly [output: string]: readonly ScenarioRecord[] | undefined };
  }[];
  readonly order?: OrderMode | { readonly [output: string]: OrderMode };
  readonly outputs?: readonly string[];
  readonly expectDroppedRecords?: number;
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
}

/** Loads every `*.json` scenario of the folders, sorted by file name. */
export function loadScenarios(folders: readonly string[]): Scenario[] {
  const scenarios: Scenario[] = [];
  for (const folder of folders) {
    for (const entry of readdirSync(folder).filter((f) => f.endsWith('.json')).sort()) {
      const file = join(folder, entry);
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as Omit<Scenario, 'file'>;
      scenarios.push({ ...parsed, file });
    }
  }
  return scenarios;
}

const show = (r: ScenarioRecord | undefined): string =>
  r === undefined ? '(nothing)' : `(${JSON.stringify(r.key)}${r.window ? `@${r.window[0]}/${r.window[1]}` : ''}, ${JSON.stringify(r.value)}, ${r.ts})`;

const same = (a: ScenarioRecord, b: ScenarioRecord): boolean =>
  a.key === b.key && a.value === b.value && a.ts === b.ts && (a.window === undefined) === (b.window === undefined) && (a.window === undefined || (a.window[0] === b.window![0] && a.window[1] === b.window![1]));

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

function orderFor(scenario: Scenario, output: string): OrderMode {
  const order = scenario.order ?? 'exact';
  return typeof order === 'string' ? order : (order[output] ?? 'exact');
}

/** Builds the scenario's topology, pipes its steps through a TopologyTestDriver and compares outputs. */
export function runScenario(scenario: Scenario, options: RunOptions = {}): ScenarioResult {
  const kind = scenario.topology.kind;
  const base = { file: scenario.file, name: scenario.name, kind };
  const factory = (options.kinds ?? defaultKinds).get(kind);
  if (factory === undefined) return { ...base, status: 'unsupported', message: `topology kind ${kind} is not supported` };
  let setup: KindSetup | string;
  try {
    setup = factory(scenario.topology);
  } catch (error) {
    return { ...base, status: 'fail', message: `building the topology failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof setup === 'string') return { ...base, status: 'unsupported', message: setup };

  const compared = options.outputs ?? scenario.outputs ?? Object.keys(setup.outputs).concat(Object.keys(setup.unsupportedOutputs ?? {}));
  const unsupported = compared.filter((o) => setup.unsupportedOutputs?.[o] !== undefined);
  if (unsupported.length > 0) return { ...base, status: 'unsupported', message: unsupported.map((o) => `${o}: ${setup.unsupportedOutputs![o]}`).join('; ') };

  const driver = new TopologyTestDriver(setup.topology, { initialWallClockTime: 0 });
  try {
    const inputs = new Map(Object.entries(setup.inputs).map(([topic, serdes]) => [topic, driver.createInputTopic<any, any>(topic, serdes.key, serdes.value)]));
    const outputs = new Map<string, TestOutputTopic<any, any>>();
    for (const name of compared) {
      const spec = setup.outputs[name];
      if (spec === undefined) return { ...base, status: 'fail', message: `kind ${kind} has no output named ${name}` };
      outputs.set(name, driver.createOutputTopic<any, any>(spec.topic, spec.key, spec.value));
    }
    for (const [index, step] of scenario.steps.entries()) {
      for (const record of step.input ?? []) {
        const topic = inputs.get(record.topic);
        if (topic === undefined) return { ...base, status: 'fail', message: `step ${index}: kind ${kind} has no input topic ${record.topic}` };
        topic.pipeInput(record.key, record.value, record.ts);
      }
      for (const [name, topic] of outputs) {
        const spec = setup.outputs[name]!;
        const actual = topic.readRecordsToList().map((r) => (spec.decode ? spec.decode(r) : { key: r.key, value: r.value, ts: r.timestamp }));
        const difference = compareRecords(step.expect?.[name] ?? [], actual, orderFor(scenario, name));
        if (difference !== undefined) return { ...base, status: 'fail', message: `step ${index}, output ${name}: ${difference}` };
      }
    }
    if (scenario.expectDroppedRecords !== undefined && driver.droppedRecords !== scenario.expectDroppedRecords) {
      return { ...base, status: 'fail', message: `dropped records: expected ${scenario.expectDroppedRecords}, got ${driver.droppedRecords}` };
    }
    return { ...base, status: 'pass' };
  } catch (error) {
    return { ...base, status: 'fail', message: `error while running: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    driver.close();
  }
}

/** Runs every scenario of the folders. */
export function runFolders(folders: readonly string[], options: RunOptions = {}): ScenarioResult[] {
  return loadScenarios(folders).map((scenario) => runScenario(scenario, options));
}
