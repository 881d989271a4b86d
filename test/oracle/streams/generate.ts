/**
 * Seeded random conformance scenarios (same JSON format as shared/conformance) for differential testing of
 * Tributary's engine against Kafka Streams: random keys (a few, so they collide, sometimes null), tombstones,
 * out-of-order and late timestamps, every window type and emission mode, every join type with random before/after/
 * grace, and the table topologies.
 *
 * Built from fast-check arbitraries so that a failing scenario shrinks: timestamps are generated as deltas from the
 * previous record (shrinking towards "all at the same time"), values are derived from the record's position (so
 * removing records never invalidates the rest), and the topology parameters shrink towards small windows.
 *
 * @example
 * const scenarios = generateScenarios({ count: 200, seed: 7 });
 */
import fc from 'fast-check';
import type { InputRecord, Scenario, ScenarioStep, Topology, WindowSpec } from '../scenario.js';

const KEYS = ['A', 'B', 'C', 'D', 'E'] as const;

/** A record before its topic and value are fixed by the topology and its position. */
interface RawRecord {
  readonly side: boolean;
  readonly key: string | null;
  readonly tombstone: boolean;
  readonly delta: number;
}

const small = (max: number): fc.Arbitrary<number> => fc.integer({ min: 0, max });

const windowSpec: fc.Arbitrary<WindowSpec> = fc.oneof(
  { weight: 4, arbitrary: fc
      .record({ size: fc.integer({ min: 1, max: 40 }), hop: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined, freq: 2 }), grace: small(40) })
      .map(({ size, hop, grace }): WindowSpec => ({ type: 'time', size, advance: hop === undefined ? size : Math.min(hop, size), grace })) },
  { weight: 3, arbitrary: fc
      .record({ difference: fc.integer({ min: 1, max: 40 }), grace: small(40) })
      .map(({ difference, grace }): WindowSpec => ({ type: 'sliding', difference, grace })) },
  { weight: 3, arbitrary: fc
      .record({ gap: fc.integer({ min: 1, max: 40 }), grace: small(40) })
      .map(({ gap, grace }): WindowSpec => ({ type: 'session', gap, grace })) },
);

/** before/after: usually both >= 0 (possibly asymmetric); sometimes one side negative with before + after >= 0. */
const joinBounds: fc.Arbitrary<{ before: number; after: number }> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ before: small(50), after: small(50) }) },
  { weight: 1, arbitrary: fc
      .record({ width: small(50), shift: small(50), negativeBefore: fc.boolean() })
      .map(({ width, shift, negativeBefore }) => {
        const s = Math.min(shift, width);
        return negativeBefore ? { before: -s, after: width } : { before: width, after: -s };
      }) },
);

export const topologyArbitrary: fc.Arbitrary<Topology> = fc.oneof(
  { weight: 40, arbitrary: fc
      .record({
        windows: windowSpec,
        aggregation: fc.constantFrom('count' as const, 'concat' as const),
        groupBy: fc.boolean(),
        emitFinal: fc.constantFrom('onWindowClose' as const, 'suppress' as const),
        emptyInit: fc.boolean(),
      })
      .map(({ windows, aggregation, groupBy, emitFinal, emptyInit }): Topology => ({
        kind: 'windowed-aggregate', windows, aggregation, groupBy, emitFinal,
        ...(aggregation === 'concat' && emptyInit ? { init: '' } : {}),
      })) },
  { weight: 25, arbitrary: fc
      .record({ join: fc.constantFrom('inner' as const, 'left' as const, 'outer' as const), bounds: joinBounds, grace: small(50) })
      .map(({ join, bounds, grace }): Topology => ({ kind: 'stream-stream-join', join, ...bounds, grace })) },
  { weight: 10, arbitrary: fc
      .constantFrom('inner' as const, 'left' as const, 'outer' as const)
      .map((join): Topology => ({ kind: 'table-table-join', join })) },
  { weight: 10, arbitrary: fc
      .constantFrom('inner' as const, 'left' as const)
      .map((join): Topology => ({ kind: 'stream-table-join', join })) },
  { weight: 10, arbitrary: fc
      .record({
        regroup: fc.constantFrom('identity' as const, 'swap' as const),
        aggregation: fc.constantFrom('count' as const, 'concat' as const),
        timeLimit: fc.option(small(30), { nil: undefined }),
      })
      .map(({ regroup, aggregation, timeLimit }): Topology => ({
        kind: 'table-regroup-aggregate', regroup, aggregation,
        ...(timeLimit === undefined ? {} : { suppress: { timeLimit } }),
      })) },
  { weight: 3, arbitrary: fc.constant<Topology>({ kind: 'table-source' }) },
  { weight: 2, arbitrary: fc
      .record({ size: fc.integer({ min: 1, max: 50 }), hop: fc.integer({ min: 1, max: 50 }), ts: small(200) })
      .map(({ size, hop, ts }): Topology => ({ kind: 'windows-for', size, advance: Math.min(size, hop), ts })) },
);

const rawRecord: fc.Arbitrary<RawRecord> = fc.record({
  side: fc.boolean(),
  key: fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: fc.constant(null) }),
  tombstone: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  // Mostly moving forward, often standing still, sometimes back (out of order) and rarely far back (late).
  delta: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 15 }) },
    { weight: 2, arbitrary: fc.integer({ min: -10, max: 0 }) },
    { weight: 1, arbitrary: fc.integer({ min: 15, max: 120 }) },
    { weight: 1, arbitrary: fc.integer({ min: -120, max: -10 }) },
  ),
});

const rawSteps = fc.array(fc.array(rawRecord, { maxLength: 10 }), { minLength: 1, maxLength: 4 });

function topicsOf(topology: Topology): readonly [string, string] | readonly [string] | readonly [] {
  switch (topology.kind) {
    case 'windows-for':
      return [];
    case 'windowed-aggregate':
    case 'table-source':
    case 'table-regroup-aggregate':
      return ['input'];
    default:
      return ['left', 'right'];
  }
}

/** Builds the scenario from a topology and raw records: topics, values and timestamps become concrete here. */
export function buildScenario(name: string, topology: Topology, steps: readonly (readonly RawRecord[])[]): Scenario {
  const topics = topicsOf(topology);
  if (topics.length === 0) {
    return { name, topology, steps: [{ input: [] }], order: 'exact' };
  }
  let ts = 0;
  let position = 0;
  const built: ScenarioStep[] = steps.map((records) => ({
    input: records.map((raw): InputRecord => {
      ts = Math.max(0, ts + raw.delta);
      const topic = topics.length === 2 && raw.side ? topics[1]! : topics[0]!;
      const value = raw.tombstone ? null : `${topic === 'right' ? 'r' : 'v'}${position}`;
      position++;
      return { topic, key: raw.key, value, ts };
    }),
  }));
  const sliding = topology.kind === 'windowed-aggregate' && topology.windows.type === 'sliding';
  // Sliding windows: Kafka Streams' own tests compare per-window sets (store iteration order is an implementation
  // detail); everything else is compared in emission order.
  return { name, topology, steps: built, order: sliding ? 'set-per-window' : 'exact' };
}

/** Arbitrary over whole scenarios (named by `name`, which does not take part in shrinking). */
export function scenarioArbitrary(name = 'fuzz'): fc.Arbitrary<Scenario> {
  return fc.tuple(topologyArbitrary, rawSteps).map(([topology, steps]) => buildScenario(name, topology, steps));
}

/** `count` scenarios from `seed`; scenario i equals run i of `fc.check(…, { seed })` over {@link scenarioArbitrary}. */
export function generateScenarios(options: { readonly count: number; readonly seed: number }): Scenario[] {
  return fc
    .sample(scenarioArbitrary(), { seed: options.seed, numRuns: options.count })
    .map((scenario, i) => ({ ...scenario, name: `fuzz seed ${options.seed} #${i} ${describe(scenario.topology)}` }));
}

/** Short human description of a topology, used in scenario names. */
export function describe(topology: Topology): string {
  switch (topology.kind) {
    case 'windowed-aggregate': {
      const w = topology.windows;
      const shape =
        w.type === 'time' ? `time ${w.size}/${w.advance ?? w.size}` : w.type === 'sliding' ? `sliding ${w.difference}` : `session ${w.gap}`;
      return `${topology.aggregation} ${shape} grace ${w.grace ?? 0}${topology.groupBy ? ' groupBy' : ''} final=${topology.emitFinal ?? '?'}`;
    }
    case 'stream-stream-join':
      return `stream-stream ${topology.join} before ${topology.before} after ${topology.after} grace ${topology.grace}`;
    case 'stream-table-join':
    case 'table-table-join':
      return `${topology.kind} ${topology.join}`;
    case 'table-regroup-aggregate':
      return `table regroup ${topology.regroup} ${topology.aggregation}${topology.suppress ? ` suppress ${topology.suppress.timeLimit}` : ''}`;
    default:
      return topology.kind;
  }
}
