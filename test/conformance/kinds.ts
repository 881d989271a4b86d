import { Serdes, StreamsBuilder, type Serde, type Topology } from '../../src/index.js';
import type { TestRecord } from '../../src/testing/index.js';

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

/** A kind's topology, ready for the driver. */
export interface KindSetup {
  readonly topology: Topology;
  readonly inputs: { readonly [topic: string]: { readonly key: Serde<any>; readonly value: Serde<any> } };
  readonly outputs: { readonly [output: string]: OutputSpec };
  /** Outputs the scenario names that this implementation cannot produce yet (reported as unsupported). */
  readonly unsupportedOutputs?: { readonly [output: string]: string };
}

/** Builds the topology a scenario's `topology` object describes; returns a reason string when unsupported. */
export type KindFactory = (topology: { readonly kind: string; readonly [field: string]: unknown }) => KindSetup | string;

const strings = { key: Serdes.string(), value: Serdes.string() } as const;

function tableSource(): KindSetup {
  const builder = new StreamsBuilder();
  builder.table('input', strings).toStream().to('updates');
  return { topology: builder.build(), inputs: { input: strings }, outputs: { updates: { topic: 'updates', ...strings } } };
}

function tableRegroupAggregate(spec: { readonly [field: string]: unknown }): KindSetup | string {
  const regroup = spec.regroup;
  if (regroup !== 'identity' && regroup !== 'swap') return `unknown regroup ${String(regroup)}`;
  const builder = new StreamsBuilder();
  const grouped = builder
    .table('input', strings)
    .groupBy((k, v) => (regroup === 'identity' ? ([k, v] as const) : ([v, k] as const)), strings);
  const init = typeof spec.init === 'string' ? spec.init : '0';
  let outputValue: Serde<any>;
  if (spec.aggregation === 'count') {
    grouped.count().toStream().to('updates', { value: Serdes.long() });
    outputValue = Serdes.long();
  } else if (spec.aggregation === 'concat') {
    grouped
      .aggregate(
        () => init,
        (_k, v, agg) => `${agg}+${v}`,
        (_k, v, agg) => `${agg}-${v}`,
        { value: Serdes.string() },
      )
      .toStream()
      .to('updates');
    outputValue = Serdes.string();
  } else {
    return `unknown aggregation ${String(spec.aggregation)}`;
  }
  const setup: KindSetup = {
    topology: builder.build(),
    inputs: { input: strings },
    outputs: { updates: { topic: 'updates', key: Serdes.string(), value: outputValue } },
  };
  if (spec.suppress !== undefined) {
    return { ...setup, unsupportedOutputs: { suppressed: 'KTable.suppress(untilTimeLimit) is not implemented yet' } };
  }
  return setup;
}

/** The kinds this implementation runs. Windowed and join kinds register here when they exist. */
export const defaultKinds: ReadonlyMap<string, KindFactory> = new Map<string, KindFactory>([
  ['table-source', () => tableSource()],
  ['table-regroup-aggregate', (spec) => tableRegroupAggregate(spec)],
]);
