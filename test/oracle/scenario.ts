/**
 * The conformance scenario format of test/conformance/scenarios/shared/README.md, as TypeScript types, plus the shape of the
 * outputs an executor (the Kafka Streams oracle or Tributary's engine) reports for a scenario.
 */

/** A scalar as scenarios carry it: text, a long (number serde topics), or null (a tombstone). */
export type ScenarioValue = string | number | null;

/** One input record, piped in order. */
export interface InputRecord {
  readonly topic: string;
  readonly key: string | null;
  readonly value: ScenarioValue;
  readonly ts: number;
}

/** One emitted record; `window` only for windowed keys (`[start, end]` as Kafka Streams prints them). */
export interface OutputRecord {
  readonly key: string | null;
  readonly window?: readonly [number, number];
  readonly value: ScenarioValue;
  readonly ts: number;
}

export type WindowSpec =
  | { readonly type: 'time'; readonly size: number; readonly advance?: number; readonly grace?: number }
  | { readonly type: 'sliding'; readonly difference: number; readonly grace?: number }
  | { readonly type: 'session'; readonly gap: number; readonly grace?: number };

/**
 * How `final` is produced for a windowed aggregate. Not in the shared README: without it the oracle uses
 * `suppress(untilWindowCloses(unbounded()))` when `source` names SuppressScenarioTest and
 * `emitStrategy(onWindowClose())` otherwise. Generated scenarios always set it.
 */
export type EmitFinal = 'suppress' | 'onWindowClose';

export type Topology =
  | { readonly kind: 'windows-for'; readonly size: number; readonly advance: number; readonly ts: number }
  | {
      readonly kind: 'windowed-aggregate';
      readonly windows: WindowSpec;
      readonly aggregation: 'concat' | 'count';
      readonly groupBy: boolean;
      readonly init?: string;
      readonly emitFinal?: EmitFinal;
    }
  | { readonly kind: 'table-source' }
  | {
      readonly kind: 'table-regroup-aggregate';
      readonly regroup: 'identity' | 'swap';
      readonly aggregation: 'concat' | 'count';
      readonly init?: string;
      readonly suppress?: { readonly timeLimit: number };
    }
  | {
      readonly kind: 'stream-stream-join';
      readonly join: 'inner' | 'left' | 'outer';
      readonly before: number;
      readonly after: number;
      readonly grace: number;
    }
  | { readonly kind: 'stream-table-join'; readonly join: 'inner' | 'left' }
  | { readonly kind: 'table-table-join'; readonly join: 'inner' | 'left' | 'outer' }
  /** Not in the shared README: a small multi-operator topology (test/conformance/composed-kinds.ts). */
  | { readonly kind: 'composed'; readonly nodes: readonly Readonly<Record<string, unknown>>[]; readonly sinks: Readonly<Record<string, string>> };

export type TopologyKind = Topology['kind'];

/** Outputs per step: record lists, or `windows` (a list of `[start, end]`) for `windows-for`. */
export type StepOutputs = Readonly<Record<string, readonly OutputRecord[] | readonly (readonly [number, number])[]>>;

export interface ScenarioStep {
  readonly input: readonly InputRecord[];
  readonly expect?: StepOutputs;
}

export type OrderRule = 'exact' | 'set-per-window';

export interface Scenario {
  readonly name: string;
  readonly source?: string;
  readonly note?: string;
  readonly topology: Topology;
  readonly steps: readonly ScenarioStep[];
  readonly order?: OrderRule | Readonly<Record<string, OrderRule>>;
  readonly outputs?: readonly string[];
  readonly expectDroppedRecords?: number;
}

/** What an executor reports for one scenario: every output of the topology after each step. */
export interface ScenarioRun {
  readonly name?: string;
  readonly file?: string;
  readonly steps: readonly StepOutputs[];
  readonly droppedRecords?: number;
  /** Set when the executor rejected the scenario (for Kafka Streams: the exception it threw). */
  readonly error?: string;
}
