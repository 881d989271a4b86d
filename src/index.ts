// The public API of Tributary. Everything a user (or a connector/topology in this repository) needs is
// exported here; deeper paths are internal.

export { StreamsBuilder } from './dsl/streams-builder.js';
export { KStream } from './dsl/kstream.js';
export { KTable } from './dsl/ktable.js';
export { KGroupedStream } from './dsl/kgrouped-stream.js';
export { KGroupedTable } from './dsl/kgrouped-table.js';
export { CogroupedKStream } from './dsl/cogrouped-kstream.js';
export { BranchedKStream } from './dsl/branched-kstream.js';
export { GlobalKTable } from './dsl/global-ktable.js';
export type { Consumed, TableConsumed, Produced, Grouped, Repartitioned, Materialized, Named, Branched, SerdeOf } from './dsl/options.js';
export type {
  KeyValue,
  Predicate,
  ValueMapper,
  KeyValueMapper,
  ForeachAction,
  Initializer,
  Aggregator,
  Reducer,
  RecordContext,
  TopicNameExtractor,
  ConsumedRecord,
  TimestampExtractor,
  StreamPartitioner,
} from './dsl/types.js';

export { Topology } from './graph/topology.js';
export type { Subtopology, SourceTopic } from './graph/topology.js';
export type { TopologyDescription, SubtopologyDescription, NodeDescription } from './graph/describe.js';

export { Record, type Headers } from './processor/record.js';
export { Change } from './processor/change.js';
export type { Processor, ProcessorContext, TaskId, RecordMetadata, PunctuationType, Cancellable } from './processor/processor.js';
export { Task } from './runtime/task.js';
export type { TaskOptions, InputRecord, CommitResult, CommitOffset, ChangelogPartition } from './runtime/task.js';

export { Serdes } from './serde/serdes.js';
export { changeSerde } from './serde/change-serde.js';
export type { Serde, KeyValueSerdes } from './serde/serde.js';
export { AvroSerdeError, topicNameStrategy, recordNameStrategy } from './serde/avro/avro-serde.js';
export type { AvroSerdeOptions, AvroSchemaDefinition, SubjectNameStrategy, PreparedSerde } from './serde/avro/avro-serde.js';
export { confluentSchemaRegistry, SchemaRegistryError } from './serde/avro/schema-registry.js';
export type { SchemaRegistryClient, ConfluentSchemaRegistryOptions } from './serde/avro/schema-registry.js';
export { InMemorySchemaRegistry } from './serde/avro/in-memory-schema-registry.js';

export type { KeyValueStore, ReadOnlyKeyValueStore } from './state/key-value-store.js';
export type { StateStore, ValueAndTimestamp, ChangelogRecord, LoggedStore } from './state/state-store.js';
export { changelogTopicName } from './state/state-store.js';
export { restoreStore, type RestoreProgress, type RestoreOptions } from './state/restore.js';
export { RecordCache, estimateBytes } from './state/record-cache.js';

export { prometheusMetrics, serveMetrics, parseMetricsPort } from './metrics/index.js';
export type { PrometheusMetricsOptions, PrometheusStreamsMetrics, MetricsServer, MetricsServerOptions } from './metrics/index.js';
export type { TaskMetrics, NodeMetrics } from './runtime/task.js';

export {
  TributaryError,
  StreamsError,
  TopologyError,
  StateStoreError,
  DeserializationError,
  ProcessingError,
  ProductionError,
  RecordTooLargeError,
  InvalidTopicError,
  InvalidRecordError,
  ConfigError,
  RetriesExhaustedError,
  logAndFail,
  logAndContinue,
  deadLetter,
  DeadLetterHeaders,
  defaultErrorPolicies,
} from './errors.js';
export type { ErrorPolicy, ErrorPolicies, ErrorPhase, ErrorDecision, FailedRecord, OutgoingRecord, StreamsErrorOptions, InputCoordinates } from './errors.js';
export type {
  TributaryErrorOptions,
  TopologyErrorOptions,
  StateStoreErrorOptions,
  DeserializationErrorOptions,
  ProcessingErrorOptions,
  ProductionErrorOptions,
  RecordTooLargeErrorOptions,
  RetriesExhaustedErrorOptions,
} from './errors.js';

export { TimeWindows, SlidingWindows, SessionWindows, JoinWindows, Windowed, seconds, minutes, hours } from './dsl/windows.js';
export type { Window } from './dsl/windows.js';
export { TimeWindowedKStream, SessionWindowedKStream } from './dsl/windowed-kstream.js';
export { CogroupedWindowedKStream } from './dsl/cogrouped-windowed-kstream.js';
export type { EmitStrategy, WindowedMaterialized } from './dsl/windowed-kstream.js';
export type { Merger } from './dsl/operators/session-window-aggregate.js';
export { Suppressed, BufferConfig } from './dsl/suppressed.js';
export type { BufferFullStrategy } from './dsl/suppressed.js';
export type { ValueJoiner, StreamJoined, Joined, StreamJoinType } from './dsl/joins.js';
export { timeWindowedSerde, sessionWindowedSerde } from './serde/windowed-serdes.js';
export type { WindowEntry } from './state/window-store.js';
export { InMemoryWindowStore } from './state/window-store.js';
export type { SessionEntry } from './state/session-store.js';
export { InMemorySessionStore } from './state/session-store.js';
export type { WindowStoreSpec, SessionStoreSpec } from './state/store-spec.js';

export {
  KafkaStreams,
  CHANGELOG_OFFSETS_HEADER,
  DEFAULT_ALOS_COMMIT_INTERVAL_MS,
  DEFAULT_EOS_COMMIT_INTERVAL_MS,
} from './runtime/kafka-streams.js';
export type { KafkaStreamsConfig, KafkaStreamsEvents, StreamsState, ProcessingGuarantee, StreamsMetricsHooks, CommitInfo, RecoveryInfo } from './runtime/kafka-streams.js';
export { TransactionFailedError, classifyTransactionFailure, type TransactionFailureKind, type TransactionFailedErrorOptions } from './kafka/transaction-errors.js';
export { kafkajsAdapter, type KafkajsAdapterOptions } from './kafka/kafkajs-adapter.js';
export { parseKafkaSecurityConfig, KAFKA_SECURITY_CONFIG_KEYS } from './kafka/client-security.js';
export type { KafkaSecurityOptions, KafkaTlsOptions, KafkaSaslOptions, SaslMechanism, SecurityProtocol, PemSource } from './kafka/client-security.js';
export { KafkaConnectError, DEFAULT_KAFKA_CONNECT_TIMEOUT_MS } from './kafka/connect-failure.js';
export { withRetry, isRetriable, isConcurrentTransactions, type RetryOptions } from './kafka/retry.js';
export { retry, Backoff, type BackoffOptions } from './retry.js';
export { ALL_DELIVERED } from './kafka/port.js';
export type {
  SendReport,
  RejectedRecord,
  KafkaPort,
  AdminPort,
  ConsumerPort,
  ProducerPort,
  TransactionPort,
  PartitionAssignor,
  TopicPartition,
  TopicPartitionOffset,
  NewTopic,
  ConsumedBatch,
  SeekPosition,
  ConsumedRecord as KafkaConsumedRecord,
} from './kafka/port.js';

// RxJS in Tributary: task clocks for timed operators inside KStream.pipe(...), store-backed operators,
// observables out of a running application and into the TopologyTestDriver.
export { streamTimeScheduler, wallClockScheduler } from './rx/pipe-runtime.js';
export { scanWithStore, type ScanStore } from './rx/scan-with-store.js';
export { tableChanges } from './rx/table-changes.js';
export type { ObserveOptions, OverflowPolicy } from './rx/record-hub.js';
export { liveView, type LiveViewOptions } from './rx/live-view.js';
