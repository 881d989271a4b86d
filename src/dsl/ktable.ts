import { STATE, type HandleState } from './handle-state.js';
import { KGroupedTable } from './kgrouped-table.js';
import { KStream } from './kstream.js';
import { createTableFilterNode, filterGetsOldValues } from './operators/table-filter.js';
import { createTableGroupByNode } from './operators/table-group-by.js';
import { createTableMapValuesNode } from './operators/table-map-values.js';
import { createTableToStreamNode } from './operators/table-to-stream.js';
import type { Grouped, Materialized, Named, SerdeOf } from './options.js';
import type { KeyValue, Predicate } from './types.js';
import { tableTableJoin, type ValueJoiner } from './joins.js';
import { createSuppressNode } from './operators/suppress.js';
import { Suppressed } from './suppressed.js';
import { TopologyError } from '../errors.js';

/** @internal */
export interface TableState<K, V> extends HandleState<K, V> {
  /** Set when the table is materialized under a queryable name. */
  readonly storeName: string | undefined;
}

/**
 * A changelog stream read as a table: the latest value per key, a null value deletes the key.
 * Internally every update travels as a Change(new, old) pair.
 *
 * @example
 * const users = builder.table('users', { key: Serdes.string(), value: Serdes.json<User>() });
 * users.filter((_, u) => u.active).toStream().to('active-users');
 */
export class KTable<K, V> {
  /** @internal */
  readonly [STATE]: TableState<K, V>;

  /** @internal */
  constructor(state: TableState<K, V>) {
    this[STATE] = Object.freeze(state);
  }

  /** Name of the store holding this table, when it is materialized (queryable). */
  get queryableStoreName(): string | undefined {
    return this[STATE].storeName;
  }

  #derive<VR>(node: string, keepValueSerde: boolean, materialized: Materialized<K, VR> | undefined): KTable<K, VR> {
    const s = this[STATE];
    return new KTable<K, VR>({
      graph: s.graph,
      node,
      keySerde: materialized?.key ?? s.keySerde,
      valueSerde: materialized?.value ?? (keepValueSerde ? (s.valueSerde as never) : undefined),
      storeName: materialized?.storeName,
    });
  }

  /** Registers the store of a materialized filter/mapValues; returns its name (undefined = not materialized). */
  #store<VR>(materialized: Materialized<K, VR> | undefined, valueSerde: SerdeOf<VR> | undefined): string | undefined {
    if (materialized?.storeName === undefined) return undefined;
    const s = this[STATE];
    s.graph.addStore({ type: 'key-value', name: materialized.storeName, keySerde: materialized.key ?? s.keySerde, valueSerde: materialized.value ?? valueSerde, logging: materialized.logging ?? true, caching: materialized.caching ?? true });
    return materialized.storeName;
  }

  /**
   * Keeps rows whose value satisfies the predicate; an update that fails it becomes a delete of that key
   * downstream (tombstone), so derived tables stay consistent.
   */
  filter<VS extends V>(predicate: (key: K, value: V) => value is VS, options?: Materialized<K, VS>): KTable<K, VS>;
  filter(predicate: Predicate<K, V>, options?: Materialized<K, V>): KTable<K, V>;
  filter(predicate: Predicate<K, V>, options?: Materialized<K, V>): KTable<K, V> {
    return this.#filter(predicate, false, options);
  }

  /** Keeps rows whose value does not satisfy the predicate (others become tombstones). */
  filterNot(predicate: Predicate<K, V>, options?: Materialized<K, V>): KTable<K, V> {
    return this.#filter(predicate, true, options);
  }

  #filter(predicate: Predicate<K, V>, not: boolean, options: Materialized<K, V> | undefined): KTable<K, V> {
    const s = this[STATE];
    const store = this.#store(options, s.valueSerde);
    // Decided now, as Kafka does when it creates the filter (see filterGetsOldValues). Kafka enables them on the
    // parent even for a materialized filter (which reads its own store): behind a join that makes both join
    // inputs send old values, which changes what the join forwards.
    const getsOldValues = filterGetsOldValues(s.graph, s.node);
    const node = createTableFilterNode(s.graph, s.node, predicate as never, not, options?.name, store).name;
    if (getsOldValues) {
      s.graph.requestOldValues(s.node);
      s.graph.requestOldValues(node);
    }
    return this.#derive(node, true, options);
  }

  /**
   * Maps each row's value: `mapper(value, key)`; deletes stay deletes. With `{ storeName, value }` the
   * result is materialized (queryable, and joinable without recomputation).
   */
  mapValues<VR>(mapper: (value: V, key: K) => VR, options?: Materialized<K, VR>): KTable<K, VR> {
    const s = this[STATE];
    const store = this.#store(options, undefined);
    return this.#derive(createTableMapValuesNode(s.graph, s.node, mapper as never, options?.name, store).name, false, options);
  }

  /**
   * @internal For joins: the store holding this table's current values, materializing a source table on
   * demand at build time. Derived tables must be materialized explicitly (`{ storeName }`).
   */
  requireStore(): void {
    this[STATE].graph.requestMaterialization(this[STATE].node);
  }

  /** The table's updates as a stream; deletes arrive as null values. */
  toStream(options?: Named): KStream<K, V | null> {
    const s = this[STATE];
    const node = createTableToStreamNode(s.graph, s.node, options?.name).name;
    return new KStream<K, V | null>({ graph: s.graph, node, keySerde: s.keySerde, valueSerde: s.valueSerde as never, repartitionRequired: false });
  }

  /**
   * Primary-key join with another table: the result changes whenever either side changes; deletes
   * propagate as tombstones (inner: a delete of either side; left: of the left side).
   *
   * @example
   * users.join(addresses, (u, a) => ({ ...u, city: a.city })).toStream().to('users-with-city');
   */
  join<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO, VR, K>, options?: Named): KTable<K, VR> {
    return this.#tableJoin(other, joiner, 'inner', options);
  }

  /** Every left row appears in the result, joined with null while the right side has no row. */
  leftJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V, VO | null, VR, K>, options?: Named): KTable<K, VR> {
    return this.#tableJoin(other, joiner, 'left', options);
  }

  /** Rows of either side appear in the result; the missing side is null; deleting both sides deletes the row. */
  outerJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<V | null, VO | null, VR, K>, options?: Named): KTable<K, VR> {
    return this.#tableJoin(other, joiner, 'outer', options);
  }

  #tableJoin<VO, VR>(other: KTable<K, VO>, joiner: ValueJoiner<any, any, VR, K>, type: 'inner' | 'left' | 'outer', options: Named | undefined): KTable<K, VR> {
    const s = this[STATE];
    // Kafka's foreign-key join is join(other, foreignKeyExtractor, joiner, ...). From untyped code that call lands
    // here with the extractor as the joiner and the joiner as the options; running it as a primary-key join would
    // silently produce wrong rows, so refuse it until foreign-key joins exist.
    if (typeof (options as unknown) === 'function') {
      const method = type === 'inner' ? 'join' : type === 'left' ? 'leftJoin' : 'outerJoin';
      throw new TopologyError(
        `${method}(other, foreignKeyExtractor, joiner): foreign-key table joins are not supported; join on the primary key with ${method}(other, joiner), or re-key one table first (toStream().selectKey(...).toTable())`,
        { nodeName: s.node },
      );
    }
    const node = tableTableJoin(s, other[STATE], joiner as never, type, options?.name);
    return new KTable<K, VR>({ graph: s.graph, node, keySerde: s.keySerde ?? other[STATE].keySerde, valueSerde: undefined, storeName: undefined });
  }

  /**
   * Holds back updates: `Suppressed.untilWindowCloses(...)` emits each window of a windowed aggregation
   * once, final (Spark's append mode), `Suppressed.untilTimeLimit(ms, ...)` rate-limits updates per key.
   * Without suppress a KTable's updates are Spark's update mode; the materialized store is complete mode.
   *
   * @example
   * counts.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())).toStream().to('final-counts');
   */
  suppress(suppressed: Suppressed): KTable<K, V> {
    const s = this[STATE];
    const name = suppressed.name ?? s.graph.newProcessorName('KTABLE-SUPPRESS-');
    let waitMs = suppressed.timeLimitMs;
    if (suppressed.mode === 'windowClose') waitMs = upstreamWindowWait(s.graph.nodes, s.node);
    // Kafka's suppress always asks its parent for old values (its buffer keeps the prior value): so a filter in
    // front of it drops an update that fails the predicate before and after, which then never reaches the
    // buffer and does not advance the buffer's stream time.
    s.graph.requestOldValues(s.node);
    createSuppressNode(s.graph, s.node, name, {
      mode: suppressed.mode,
      waitMs,
      maxRecords: suppressed.buffer.maxRecords,
      maxBytes: suppressed.buffer.maxBytes,
      whenFull: suppressed.buffer.whenFull,
    });
    return new KTable<K, V>({ graph: s.graph, node: name, keySerde: s.keySerde, valueSerde: s.valueSerde, storeName: undefined });
  }

  /**
   * Re-keys rows with `selector(key, value) => [newKey, newValue]` for an aggregation; each update
   * removes the old row's contribution from its group and adds the new one (through a repartition topic).
   */
  groupBy<KR, VR>(selector: (key: K, value: V) => KeyValue<KR, VR>, grouped: Grouped<KR, VR> = {}): KGroupedTable<KR, VR> {
    const s = this[STATE];
    const node = createTableGroupByNode(s.graph, s.node, selector as never, grouped.key, grouped.name).name;
    return new KGroupedTable<KR, VR>({
      graph: s.graph,
      node,
      keySerde: grouped.key,
      valueSerde: grouped.value,
      groupedName: grouped.name,
    });
  }
}


/** Grace (+ gap for sessions) of the windowed aggregation upstream of `node`: how long untilWindowCloses waits after a window end. */
function upstreamWindowWait(nodes: ReadonlyMap<string, import('../graph/nodes.js').GraphNode>, start: string): number {
  const pending = [start];
  while (pending.length > 0) {
    const node = nodes.get(pending.pop()!);
    if (node === undefined) continue;
    if (node.kind === 'TimeWindowAggregate' || node.kind === 'SlidingWindowAggregate') return node.graceMs;
    if (node.kind === 'SessionWindowAggregate') return node.graceMs + node.gapMs;
    pending.push(...node.parents);
  }
  throw new TopologyError(`suppress(untilWindowCloses) on ${start}: no windowed aggregation upstream; use untilTimeLimit for non-windowed tables`, { nodeName: start });
}
