/**
 * The `composed` topology kind: a small multi-operator topology written out in the scenario file, so that one
 * file runs on Tributary's TopologyTestDriver (here) and on Kafka Streams' (test/oracle/streams ScenarioRunner).
 *
 * `topology.nodes` is a list evaluated in order; each node has an `id`, an `op` and, except sources, `from`
 * (the id of its input). Every function is one of a few fixed rules, so both runners implement them alike:
 * - `stream` / `table` / `globalTable` `{ topic }`: sources (string keys, string-or-long values); a `table` with
 *   `materialized: true` is named (queryable, store `<id>-store`);
 * - `selectKey`: the new key is the value's text up to its first `:`, null when the value is null or has no `:`;
 * - `filter` `{ contains | notContains, materialized? }`: keeps values whose text contains (does not contain) the
 *   string; on a table, `materialized: true` stores the result in a store named `<id>-store`;
 * - `mapValues` `{ suffix, materialized? }`: appends the suffix to the value's text;
 * - `join` / `leftJoin` / `outerJoin` `{ other, window?: { before, after, grace } }`: stream-stream (window
 *   needed), stream-table, stream-globalTable (lookup key: the `selectKey` rule applied to the stream value) or
 *   table-table; the joiner is `left + "+" + right` with `null` for a missing side;
 * - `aggregate` `{ agg?, groupBy? }`: groupByKey (or, with `groupBy: true`, groupBy the `selectKey` rule), then
 *   `agg`: 'aggregate' (default: `"0"` then `agg + "+" + v`), 'count' or 'reduce' (`a + "+" + b`);
 * - `windowedAggregate` `{ type?: 'time' | 'sliding' | 'session', size [advance] | difference | gap, grace, agg?,
 *   emit?: 'update' | 'final', groupBy? }`: the same in tumbling or hopping TimeWindows (default), SlidingWindows
 *   or SessionWindows (session merger: `a + b`); `final` is emitStrategy('final');
 * - `regroupCount` `{ agg?: 'count' | 'aggregate' }`: a table's groupBy (new key: the value's text) then count, or
 *   aggregate `"0"`, adder `+ v`, subtractor `- v`;
 * - `suppress` `{ untilWindowCloses: true } | { timeLimit }` with an unbounded buffer;
 * - `merge` `{ other }`, `branch` `{ contains, take: 'match' | 'default' }` (split with one branch and a default
 *   branch), `repartition`, `toStream`;
 * - `cogroup` `{ other, groupBy? }`: both streams grouped (each under its own name), `"0"`, `agg + "+" + v` for
 *   `from` and `agg + "*" + v` for `other`.
 * `topology.sinks` maps output names to node ids; a table output is its `toStream()`.
 */
import {
  BufferConfig,
  GlobalKTable,
  JoinWindows,
  KGroupedStream,
  KStream,
  KTable,
  Serdes,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  Windowed,
  sessionWindowedSerde,
  timeWindowedSerde,
  type Serde,
} from '../../src/index.js';
import type { TestRecord } from '../../src/testing/index.js';
import type { KindSetup, OutputSpec, ScenarioRecord } from './kinds.js';

type Spec = { readonly [field: string]: unknown };
/** `windowed`: the serde of the windowed keys a windowed aggregate (and what follows it) carries. */
type Handle = { kind: 'stream'; h: KStream<any, any>; windowed?: Serde<any> } | { kind: 'table'; h: KTable<any, any>; windowed?: Serde<any> } | { kind: 'global'; h: GlobalKTable<any, any> };

const scalar = Serdes.json<string | number>();
const scalars = { key: Serdes.string(), value: scalar } as const;
const text = (v: unknown): string => (v === null || v === undefined ? 'null' : String(v));
const joiner = (l: unknown, r: unknown): string => `${text(l)}+${text(r)}`;

/** The `selectKey` rule: the value's text up to the first `:`; null without a value or a `:`. */
export function keyOfValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const s = String(value);
  const i = s.indexOf(':');
  return i < 0 ? null : s.slice(0, i);
}

function predicateOf(node: Spec): ((k: unknown, v: unknown) => boolean) | string {
  if (typeof node.contains === 'string') {
    const needle = node.contains;
    return (_k, v) => text(v).includes(needle);
  }
  if (typeof node.notContains === 'string') {
    const needle = node.notContains;
    return (_k, v) => !text(v).includes(needle);
  }
  return `filter ${String(node.id)} needs contains or notContains`;
}

const materialized = (node: Spec) => (node.materialized === true ? { storeName: `${String(node.id)}-store`, key: Serdes.string(), value: scalar as Serde<any> } : undefined);

function joinNodes(node: Spec, left: Handle, right: Handle): Handle | string {
  const op = node.op as 'join' | 'leftJoin' | 'outerJoin';
  if (left.kind === 'stream' && right.kind === 'stream') {
    const w = node.window as { before: number; after: number; grace?: number } | undefined;
    if (w === undefined) return `stream-stream ${op} ${String(node.id)} needs a window`;
    const base = JoinWindows.ofTimeDifferenceAndGrace(0, w.grace ?? 0);
    const windows = w.before >= w.after ? base.before(w.before).after(w.after) : base.after(w.after).before(w.before);
    const joined = { key: Serdes.string(), value: scalar as Serde<any>, otherValue: scalar as Serde<any> };
    const h = op === 'join' ? left.h.join(right.h, joiner, windows, joined) : op === 'leftJoin' ? left.h.leftJoin(right.h, joiner, windows, joined) : left.h.outerJoin(right.h, joiner, windows, joined);
    return { kind: 'stream', h };
  }
  if (left.kind === 'stream' && right.kind === 'table') {
    const joined = { key: Serdes.string(), value: scalar as Serde<any> };
    if (op === 'outerJoin') return 'a stream-table join is inner or left';
    return { kind: 'stream', h: op === 'join' ? left.h.join(right.h, joiner, joined) : left.h.leftJoin(right.h, joiner, joined) };
  }
  if (left.kind === 'stream' && right.kind === 'global') {
    const selector = (_k: unknown, v: unknown) => keyOfValue(v);
    if (op === 'outerJoin') return 'a stream-globalTable join is inner or left';
    return { kind: 'stream', h: op === 'join' ? left.h.join(right.h, selector, joiner) : left.h.leftJoin(right.h, selector, joiner) };
  }
  if (left.kind === 'table' && right.kind === 'table') {
    return { kind: 'table', h: op === 'join' ? left.h.join(right.h, joiner) : op === 'leftJoin' ? left.h.leftJoin(right.h, joiner) : left.h.outerJoin(right.h, joiner) };
  }
  return `${op} ${String(node.id)}: unsupported sides ${left.kind} and ${right.kind}`;
}

const concat = (_k: unknown, v: unknown, agg: string): string => `${agg}+${text(v)}`;

/** groupByKey, or with `groupBy: true` groupBy the selectKey rule (a repartition; null keys are dropped). */
function groupOf(node: Spec, stream: KStream<any, any>, name?: string): KGroupedStream<any, any> {
  const grouped = { key: Serdes.string(), value: scalar as Serde<any>, ...(name === undefined ? {} : { name }) };
  return node.groupBy === true ? stream.groupBy((_k: unknown, v: unknown) => keyOfValue(v), grouped) : stream.groupByKey(grouped);
}

/** `agg`: 'aggregate' (default: "0" then agg + "+" + v), 'count', or 'reduce' (a + "+" + b). */
function aggregateOf(node: Spec, grouped: KGroupedStream<any, any>): KTable<any, any> {
  if (node.agg === 'count') return grouped.count();
  if (node.agg === 'reduce') return grouped.reduce((a: unknown, b: unknown) => `${text(a)}+${text(b)}`, { value: scalar as Serde<any> });
  return grouped.aggregate(() => '0', concat, { value: Serdes.string() });
}

export function composed(spec: Spec): KindSetup | string {
  const nodes = spec.nodes as readonly Spec[] | undefined;
  const sinks = spec.sinks as { readonly [output: string]: string } | undefined;
  if (!Array.isArray(nodes) || sinks === undefined) return 'composed needs nodes and sinks';
  const builder = new StreamsBuilder();
  const handles = new Map<string, Handle>();
  const inputs: { [topic: string]: { key: Serde<any>; value: Serde<any> } } = {};
  for (const node of nodes) {
    const id = String(node.id);
    const from = node.from === undefined ? undefined : handles.get(String(node.from));
    if (node.from !== undefined && from === undefined) return `node ${id}: unknown input ${String(node.from)}`;
    let made: Handle | string;
    switch (node.op) {
      case 'stream':
        inputs[String(node.topic)] = scalars;
        made = { kind: 'stream', h: builder.stream(String(node.topic), scalars) };
        break;
      case 'table':
        inputs[String(node.topic)] = scalars;
        made = { kind: 'table', h: builder.table(String(node.topic), node.materialized === true ? { ...scalars, storeName: `${id}-store` } : scalars) };
        break;
      case 'globalTable':
        inputs[String(node.topic)] = scalars;
        made = { kind: 'global', h: builder.globalTable(String(node.topic), { ...scalars, storeName: `${id}-store` }) };
        break;
      case 'selectKey':
        if (from?.kind !== 'stream') return `selectKey ${id} needs a stream`;
        made = { kind: 'stream', h: from.h.selectKey((_k: unknown, v: unknown) => keyOfValue(v)) };
        break;
      case 'filter': {
        const predicate = predicateOf(node);
        if (typeof predicate === 'string') return predicate;
        if (from?.kind === 'stream') made = { kind: 'stream', h: from.h.filter(predicate) };
        else if (from?.kind === 'table') made = { kind: 'table', h: from.h.filter(predicate, materialized(node)), ...(from.windowed === undefined ? {} : { windowed: from.windowed }) };
        else return `filter ${id} needs a stream or table`;
        break;
      }
      case 'mapValues': {
        const suffix = String(node.suffix ?? '');
        const mapper = (v: unknown): string => `${text(v)}${suffix}`;
        if (from?.kind === 'stream') made = { kind: 'stream', h: from.h.mapValues(mapper) };
        else if (from?.kind === 'table') made = { kind: 'table', h: from.h.mapValues(mapper, materialized(node)), ...(from.windowed === undefined ? {} : { windowed: from.windowed }) };
        else return `mapValues ${id} needs a stream or table`;
        break;
      }
      case 'join':
      case 'leftJoin':
      case 'outerJoin': {
        const other = handles.get(String(node.other));
        if (from === undefined || other === undefined) return `${String(node.op)} ${id} needs from and other`;
        made = joinNodes(node, from, other);
        break;
      }
      case 'aggregate': {
        if (from?.kind !== 'stream') return `aggregate ${id} needs a stream`;
        made = { kind: 'table', h: aggregateOf(node, groupOf(node, from.h)) };
        break;
      }
      case 'regroupCount': {
        if (from?.kind !== 'table') return `regroupCount ${id} needs a table`;
        const grouped = from.h.groupBy((_k: unknown, v: unknown) => [text(v), v] as const, { key: Serdes.string(), value: scalar as Serde<any> });
        const table =
          node.agg === 'aggregate'
            ? grouped.aggregate(() => '0', (_k: unknown, v: unknown, agg: string) => `${agg}+${text(v)}`, (_k: unknown, v: unknown, agg: string) => `${agg}-${text(v)}`, { value: Serdes.string() })
            : grouped.count();
        made = { kind: 'table', h: table };
        break;
      }
      case 'windowedAggregate': {
        if (from?.kind !== 'stream') return `windowedAggregate ${id} needs a stream`;
        const grouped = groupOf(node, from.h);
        const grace = Number(node.grace ?? 0);
        const emit = node.emit === 'final' ? 'final' : 'update';
        if (node.type === 'session') {
          const windowed = grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(Number(node.gap), grace)).emitStrategy(emit);
          const table =
            node.agg === 'count'
              ? windowed.count()
              : node.agg === 'reduce'
                ? windowed.reduce((a: unknown, b: unknown) => `${text(a)}+${text(b)}`, { value: scalar as Serde<any> })
                : windowed.aggregate(() => '0', concat, (_k: unknown, a: string, b: string) => `${a}${b}`, { value: Serdes.string() });
          made = { kind: 'table', h: table, windowed: sessionWindowedSerde(Serdes.string()) };
        } else {
          const sliding = node.type === 'sliding';
          const size = Number(sliding ? node.difference : node.size);
          const windows = sliding ? SlidingWindows.ofTimeDifferenceAndGrace(size, grace) : TimeWindows.ofSizeAndGrace(size, grace).advanceBy(Number(node.advance ?? size));
          const windowed = grouped.windowedBy(windows).emitStrategy(emit);
          const table =
            node.agg === 'count'
              ? windowed.count()
              : node.agg === 'reduce'
                ? windowed.reduce((a: unknown, b: unknown) => `${text(a)}+${text(b)}`, { value: scalar as Serde<any> })
                : windowed.aggregate(() => '0', concat, { value: Serdes.string() });
          made = { kind: 'table', h: table, windowed: timeWindowedSerde(Serdes.string(), size) };
        }
        break;
      }
      case 'merge': {
        const other = handles.get(String(node.other));
        if (from?.kind !== 'stream' || other?.kind !== 'stream') return `merge ${id} needs two streams`;
        made = { kind: 'stream', h: from.h.merge(other.h) };
        break;
      }
      case 'branch': {
        if (from?.kind !== 'stream') return `branch ${id} needs a stream`;
        const needle = String(node.contains);
        const branches = from.h
          .split({ name: `${id}-` })
          .branch((_k: unknown, v: unknown) => text(v).includes(needle), { name: 'match' })
          .defaultBranch({ name: 'default' });
        made = { kind: 'stream', h: branches[`${id}-${node.take === 'default' ? 'default' : 'match'}`]! };
        break;
      }
      case 'repartition':
        if (from?.kind !== 'stream') return `repartition ${id} needs a stream`;
        made = { kind: 'stream', h: from.h.repartition({ key: Serdes.string(), value: scalar as Serde<any> }) };
        break;
      case 'toStream':
        if (from?.kind !== 'table' || from.windowed !== undefined) return `toStream ${id} needs a non-windowed table`;
        made = { kind: 'stream', h: from.h.toStream() };
        break;
      case 'cogroup': {
        const other = handles.get(String(node.other));
        if (from?.kind !== 'stream' || other?.kind !== 'stream') return `cogroup ${id} needs two streams`;
        // Each input grouped under its own name, as on the Kafka Streams side (where two unnamed repartitions clash).
        const table = groupOf(node, from.h, `${id}-left`)
          .cogroup((_k: unknown, v: unknown, agg: string) => `${agg}+${text(v)}`)
          .cogroup(groupOf(node, other.h, `${id}-right`), (_k: unknown, v: unknown, agg: string) => `${agg}*${text(v)}`)
          .aggregate(() => '0', { value: Serdes.string() });
        made = { kind: 'table', h: table };
        break;
      }
      case 'suppress': {
        if (from?.kind !== 'table') return `suppress ${id} needs a table`;
        const suppressed =
          node.untilWindowCloses === true ? Suppressed.untilWindowCloses(BufferConfig.unbounded()) : Suppressed.untilTimeLimit(Number(node.timeLimit), BufferConfig.unbounded());
        made = { kind: 'table', h: from.h.suppress(suppressed), ...(from.windowed === undefined ? {} : { windowed: from.windowed }) };
        break;
      }
      default:
        return `unknown composed op ${String(node.op)}`;
    }
    if (typeof made === 'string') return made;
    handles.set(id, made);
  }
  const outputs: { [name: string]: OutputSpec } = {};
  for (const [name, id] of Object.entries(sinks)) {
    const handle = handles.get(id);
    if (handle === undefined || handle.kind === 'global') return `sink ${name}: ${id} is not a stream or table`;
    const stream = handle.kind === 'table' ? handle.h.toStream() : handle.h;
    const topic = `out-${name}`;
    if (handle.windowed !== undefined) {
      const key = handle.windowed;
      stream.to(topic, { key, value: scalar as Serde<any> });
      outputs[name] = {
        topic,
        key,
        value: scalar,
        decode: ((r: TestRecord<Windowed<string>, any>): ScenarioRecord => ({ key: r.key!.key, window: [r.key!.window.start, r.key!.window.end], value: r.value, ts: r.timestamp })) as never,
      };
    } else {
      stream.to(topic, { key: Serdes.string(), value: scalar as Serde<any> });
      outputs[name] = { topic, key: Serdes.string(), value: scalar };
    }
  }
  return { topology: builder.build(), inputs, outputs };
}
