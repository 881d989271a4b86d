/** Prefixes of generated names; identical to Kafka Streams' so names (and store/topic names) line up. */
export const Prefix = Object.freeze({
  source: 'KSTREAM-SOURCE-',
  sink: 'KSTREAM-SINK-',
  filter: 'KSTREAM-FILTER-',
  filterNot: 'KSTREAM-FILTER-',
  map: 'KSTREAM-MAP-',
  mapValues: 'KSTREAM-MAPVALUES-',
  flatMap: 'KSTREAM-FLATMAP-',
  flatMapValues: 'KSTREAM-FLATMAPVALUES-',
  selectKey: 'KSTREAM-KEY-SELECT-',
  peek: 'KSTREAM-PEEK-',
  foreach: 'KSTREAM-FOREACH-',
  branch: 'KSTREAM-BRANCH-',
  merge: 'KSTREAM-MERGE-',
  pipe: 'KSTREAM-PIPE-',
  repartition: 'KSTREAM-REPARTITION-',
  toTable: 'KSTREAM-TOTABLE-',
  aggregate: 'KSTREAM-AGGREGATE-',
  reduce: 'KSTREAM-REDUCE-',
  cogroupAggregate: 'COGROUPKSTREAM-AGGREGATE-',
  cogroupMerge: 'COGROUPKSTREAM-MERGE-',
  tableSource: 'KTABLE-SOURCE-',
  tableFilter: 'KTABLE-FILTER-',
  tableMapValues: 'KTABLE-MAPVALUES-',
  tableToStream: 'KTABLE-TOSTREAM-',
  tableSelect: 'KTABLE-SELECT-',
  tableAggregate: 'KTABLE-AGGREGATE-',
  tableReduce: 'KTABLE-REDUCE-',
});

const STATE_STORE = 'STATE-STORE-';

/** `<prefix><10-digit zero-padded counter>`, e.g. `KSTREAM-FILTER-0000000003`. */
export function generatedName(prefix: string, index: number): string {
  return prefix + String(index).padStart(10, '0');
}

/** Store names: `<prefix>STATE-STORE-<counter>`, e.g. `KSTREAM-AGGREGATE-STATE-STORE-0000000002`. */
export function generatedStoreName(prefix: string, index: number): string {
  return prefix + STATE_STORE + String(index).padStart(10, '0');
}

/** Unprefixed name of a repartition topic; the runtime prepends `<applicationId>-`. */
export function repartitionTopicName(base: string): string {
  return `${base}-repartition`;
}

/** Full name of an internal topic in Kafka. */
export function internalTopicName(applicationId: string, topic: string): string {
  return `${applicationId}-${topic}`;
}
