import type { Headers } from '../processor/record.js';

/** A key and a value, as map/flatMap/groupBy selectors return them: `[key, value]`. */
export type KeyValue<K, V> = readonly [K, V];

export type Predicate<K, V> = (key: K, value: V) => boolean;
export type ValueMapper<V, VR, K = unknown> = (value: V, key: K) => VR;
export type KeyValueMapper<K, V, R> = (key: K, value: V) => R;
export type ForeachAction<K, V> = (key: K, value: V) => void;
export type Initializer<VA> = () => VA;
export type Aggregator<K, V, VA> = (key: K, value: V, aggregate: VA) => VA;
export type Reducer<V> = (aggregate: V, value: V) => V;

/** What a TopicNameExtractor sees: the record about to be written. */
export interface RecordContext<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;
  /** The input topic of the record being processed (undefined inside punctuations). */
  readonly sourceTopic: string | undefined;
}

/** Chooses the output topic per record, for `to(extractor)`. */
export type TopicNameExtractor<K, V> = (record: RecordContext<K, V>) => string;

/** A consumed record after deserialization, as a timestamp extractor sees it. */
export interface ConsumedRecord<K, V> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: K;
  readonly value: V;
  /** The Kafka record timestamp. */
  readonly timestamp: number;
  readonly headers: Headers;
}

/**
 * Chooses a record's event time. `partitionTime` is the largest timestamp extracted so far from the same
 * partition (-1 before the first). A negative result drops the record (counted in dropped-records).
 */
export type TimestampExtractor<K, V> = (record: ConsumedRecord<K, V>, partitionTime: number) => number;

/** Chooses the partition of an output record; undefined lets the producer hash the key. */
export type StreamPartitioner<K, V> = (topic: string, key: K, value: V, partitionCount: number) => number | undefined;
