import {
  JoinWindows,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  Suppressed,
  BufferConfig,
  TimeWindows,
  Windowed,
  type KGroupedStream,
  type KTable,
  type Serde,
  type Topology,
  sessionWindowedSerde,
  timeWindowedSerde,
} from '../../src/index.js';
import type { TestRecord } from '../../src/testing/index.js';
import { composed } from './composed-kinds.js';

/** A record as scenarios state them. */
export interface ScenarioRecord {
  readonly key: string | null;
  readonly value: string | number | null;
  readonly ts: number;
  readonly window?: readonly [number, number];
}

/** How one output of a kind is read from the driver. */
export interface OutputSpec {
  readonly topic: string;
  readonly key: Serde<any>;
  readonly value: Serde<any>;
  /** Turns a driver record into the scenario shape (windowed kinds decode the window from the key). */
  readonly decode?: (record: TestRecord<any, any>) => ScenarioRecord;
}

/** One topology the scenario's inputs are piped through. */
export interface Plan {
  readonly topology: Topology;
  readonly inputs: { readonly [topic: string]: { readonly key: Serde<any>; readonly value: Serde<any> } };
  readonly outputs: { readonly [output: string]: OutputSpec };
}

/**
 * A kind's topologies, ready for the driver. The first plan's dropped-records count is the scenario's;
 * `extraPlans` (emit-on-window-close runs in a topology of its own, as the Kafka Streams oracle does, so
 * its drops are not counted twice) only contribute outputs.
 */
export interface KindSetup extends Plan {
  readonly extraPlans?: readonly Plan[];
  /** windows-for: the computed windows, no driver involved. */
  readonly windows?: readonly (readonly [number, number])[];
}

/** Builds the topology a scenario's `topology` object describes; returns a reason string when unsupported. */
export type KindFactory = (topology: { readonly kind: string; readonly [field: string]: unknown }, scenario: { readonly source?: string }) => KindSetup | string;

const strings = { key: Serdes.string(), value: Serdes.string() } as const;
/** Scenario values are strings or longs: JSON carries both. */
const scalar = Serdes.json<string | number>();
const scalars = { key: Serdes.string(), value: scalar } as const;
const text = (v: unknown): string => (v === null || v === undefined ? 'null' : String(v));
const joiner = (l: unknown, r: unknown): string => `${text(l)}+${text(r)}`;

function tableSource(): KindSetup {
  const builder = new StreamsBuilder();
  builder.table('input', scalars).toStream().to('updates');
  return { topology: builder.build(), inputs: { input: scalars }, outputs: { updates: { topic: 'updates', ...scalars } } };
}

function tableRegroupAggregate(spec: { readonly [field: string]: unknown }): KindSetup | string {
  const regroup = spec.regroup;
  if (regroup !== 'identity' && regroup !== 'swap') return `unknown regroup ${String(regroup)}`;
  const builder = new StreamsBuilder();
  const grouped = builder
    .table('input', scalars)
    .groupBy((k, v) => (regroup === 'identity' ? ([k, v] as const) : ([text(v), k] as const)), { key: Serdes.string(), value: scalar as Serde<any> });
  const init = typeof spec.init === 'string' ? spec.init : '0';
  let table: KTable<string, any>;
  let outputValue: Serde<any>;
  if (spec.aggregation === 'count') {
    table = grouped.count();
    outputValue = Serdes.long();
  } else if (spec.aggregation === 'concat') {
    table = grouped.aggregate(
      () => init,
      (_k, v, agg) => `${agg}+${text(v)}`,
      (_k, v, agg) => `${agg}-${text(v)}`,
      { value: Serdes.string() },
    );
    outputValue = Serdes.string();
  } else {
    return `unknown aggregation ${String(spec.aggregation)}`;
  }
  table.toStream().to('updates', { value: outputValue });
  const outputs: { [name: string]: OutputSpec } = { updates: { topic: 'updates', key: Serdes.string(), value: outputValue } };
  const suppress = spec.suppress as { timeLimit?: number } | undefined;
  if (suppress !== undefined) {
    if (typeof suppress.timeLimit !== 'number') return 'suppress needs a timeLimit';
    table.suppress(Suppressed.untilTimeLimit(suppress.timeLimit, BufferConfig.unbounded())).toStream().to('suppressed', { value: outputValue });
    outputs.suppressed = { topic: 'suppressed', key: Serdes.string(), value: outputValue };
  }
  return { topology: builder.build(), inputs: { input: scalars }, outputs };
}

interface WindowSpec {
  readonly type: 'time' | 'sliding' | 'session';
  readonly size?: number;
  readonly advance?: number;
  readonly difference?: number;
  readonly gap?: number;
  readonly grace?: number;
}

const windowedDecode =
  (r: TestRecord<Windowed<string>, any>): ScenarioRecord => ({ key: r.key!.key, window: [r.key!.window.start, r.key!.window.end], value: r.value, ts: r.timestamp });

function windowedTable(spec: { readonly [field: string]: unknown }, emit: 'update' | 'final'): { builder: StreamsBuilder; table: KTable<Windowed<string>, any>; valueSerde: Serde<any> } | string {
  const builder = new StreamsBuilder();
  const input = builder.stream('input', scalars);
  const grouped: KGroupedStream<string, any> = spec.groupBy === true ? input.groupBy((k) => k, { key: Serdes.string(), value: scalar as Serde<any> }) : input.groupByKey();
  const w = spec.windows as WindowSpec;
  const grace = w.grace ?? 0;
  const init = typeof spec.init === 'string' ? spec.init : '0';
  const count = spec.aggregation === 'count';
  if (!count && spec.aggregation !== 'concat') return `unknown aggregation ${String(spec.aggregation)}`;
  const concat = (_k: string, v: unknown, agg: string): string => `${agg}+${text(v)}`;
  const valueSerde: Serde<any> = count ? Serdes.long() : Serdes.string();
  let table: KTable<Windowed<string>, any>;
  if (w.type === 'session') {
    const sessions = grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(w.gap!, grace)).emitStrategy(emit);
    table = count ? sessions.count() : sessions.aggregate(() => init, concat, (_k, a, b) => `${a}${b}`, { value: Serdes.string() });
  } else {
    const windows = w.type === 'time' ? TimeWindows.ofSizeAndGrace(w.size!, grace).advanceBy(w.advance ?? w.size!) : SlidingWindows.ofTimeDifferenceAndGrace(w.difference!, grace);
    const timed = grouped.windowedBy(windows).emitStrategy(emit);
    table = count ? timed.count() : timed.aggregate(() => init, concat, { value: Serdes.string() });
  }
  return { builder, table, valueSerde };
}

function windowedAggregate(spec: { readonly [field: string]: unknown }, scenario: { readonly source?: string }): KindSetup | string {
  const mode = spec.emitFinal;
  const bySuppress = mode === 'suppress' || (mode === undefined && (scenario.source ?? '').startsWith('SuppressScenarioTest'));
  const main = windowedTable(spec, 'update');
  if (typeof main === 'string') return main;
  main.table.toStream().to('updates');
  const w = spec.windows as WindowSpec;
  const key = w.type === 'session' ? sessionWindowedSerde(Serdes.string()) : timeWindowedSerde(Serdes.string(), w.type === 'time' ? w.size! : w.difference!);
  const out = (topic: string): OutputSpec => ({ topic, key, value: main.valueSerde, decode: windowedDecode as never });
  if (bySuppress) {
    main.table.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())).toStream().to('final');
    return { topology: main.builder.build(), inputs: { input: scalars }, outputs: { updates: out('updates'), final: out('final') } };
  }
  const onClose = windowedTable(spec, 'final');
  if (typeof onClose === 'string') return onClose;
  onClose.table.toStream().to('final');
  return {
    topology: main.builder.build(),
    inputs: { input: scalars },
    outputs: { updates: out('updates') },
    extraPlans: [{ topology: onClose.builder.build(), inputs: { input: scalars }, outputs: { final: out('final') } }],
  };
}

function streamStreamJoin(spec: { readonly [field: string]: unknown }): KindSetup | string {
  const before = Number(spec.before);
  const after = Number(spec.after);
  const grace = Number(spec.grace ?? 0);
  const builder = new StreamsBuilder();
  const left = builder.stream('left', scalars);
  const right = builder.stream('right', scalars);
  const base = JoinWindows.ofTimeDifferenceAndGrace(0, grace);
  const windows = before >= after ? base.before(before).after(after) : base.after(after).before(before);
  const joined = { key: Serdes.string(), value: scalar, otherValue: scalar };
  const out =
    spec.join === 'inner'
      ? left.join(right, joiner, windows, joined)
      : spec.join === 'left'
        ? left.leftJoin(right, joiner, windows, joined)
        : spec.join === 'outer'
          ? left.outerJoin(right, joiner, windows, joined)
          : undefined;
  if (out === undefined) return `unknown stream-stream join ${String(spec.join)}`;
  out.to('updates', { key: Serdes.string(), value: Serdes.string() });
  return { topology: builder.build(), inputs: { left: scalars, right: scalars }, outputs: { updates: { topic: 'updates', ...strings } } };
}

function streamTableJoin(spec: { readonly [field: string]: unknown }): KindSetup | string {
  const builder = new StreamsBuilder();
  const left = builder.stream('left', scalars);
  const right = builder.table('right', scalars);
  const out = spec.join === 'inner' ? left.join(right, joiner) : spec.join === 'left' ? left.leftJoin(right, joiner) : undefined;
  if (out === undefined) return `unknown stream-table join ${String(spec.join)}`;
  out.to('updates', { key: Serdes.string(), value: Serdes.string() });
  return { topology: builder.build(), inputs: { left: scalars, right: scalars }, outputs: { updates: { topic: 'updates', ...strings } } };
}

function tableTableJoin(spec: { readonly [field: string]: unknown }): KindSetup | string {
  const builder = new StreamsBuilder();
  const left = builder.table('left', scalars);
  const right = builder.table('right', scalars);
  const out =
    spec.join === 'inner' ? left.join(right, joiner) : spec.join === 'left' ? left.leftJoin(right, joiner) : spec.join === 'outer' ? left.outerJoin(right, joiner) : undefined;
  if (out === undefined) return `unknown table-table join ${String(spec.join)}`;
  out.toStream().to('updates', { key: Serdes.string(), value: Serdes.string() });
  return { topology: builder.build(), inputs: { left: scalars, right: scalars }, outputs: { updates: { topic: 'updates', ...strings } } };
}

function windowsFor(spec: { readonly [field: string]: unknown }): KindSetup {
  const windows = TimeWindows.ofSizeWithNoGrace(Number(spec.size)).advanceBy(Number(spec.advance)).windowsFor(Number(spec.ts));
  const builder = new StreamsBuilder();
  builder.stream('unused', strings);
  return { topology: builder.build(), inputs: {}, outputs: {}, windows: windows.map((w) => [w.start, w.end] as const) };
}

/** Every topology kind of test/conformance/scenarios/shared/README.md. */
export const defaultKinds: ReadonlyMap<string, KindFactory> = new Map<string, KindFactory>([
  ['windows-for', (spec) => windowsFor(spec)],
  ['windowed-aggregate', (spec, scenario) => windowedAggregate(spec, scenario)],
  ['table-source', () => tableSource()],
  ['table-regroup-aggregate', (spec) => tableRegroupAggregate(spec)],
  ['stream-stream-join', (spec) => streamStreamJoin(spec)],
  ['stream-table-join', (spec) => streamTableJoin(spec)],
  ['table-table-join', (spec) => tableTableJoin(spec)],
  // Not in the shared README: a small multi-operator topology described in the file (composed-kinds.ts).
  ['composed', (spec) => composed(spec)],
]);
