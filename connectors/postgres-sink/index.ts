/**
 * Tributary's Postgres sink: Kafka topics of Debezium change events or KTable changelogs, upserted into
 * PostgreSQL tables with the semantics of Debezium's JDBC sink.
 */
export { createPostgresSink } from './sink.js';
export type { CommittedBatch, PostgresSink, PostgresSinkOptions, SinkStats } from './sink.js';
export { registerSinkMetrics } from './metrics.js';
export { parseSinkConfig } from './config.js';
export type { SinkConfig, SinkConfigInput } from './config.js';
export {
  BadRecordError, SinkConfigError, SinkError, SinkWriteError, TableError, UnsafeIdentifierError,
  type BadRecordErrorOptions, type BadRecordStage, type SinkConfigErrorOptions, type SinkErrorOptions, type SinkWriteErrorOptions,
  type TableErrorOptions, type UnsafeIdentifierErrorOptions,
} from './errors.js';
export type { RecordOrigin } from './errors.js';
export { compileDelete, compileInsert, compileUpdate, compileCreateTable, compileAddColumns } from './compile.js';
export type { CompiledQuery } from './compile.js';
export { decodeRecord } from './record.js';
export type { KafkaRecord, SinkOperation } from './record.js';
