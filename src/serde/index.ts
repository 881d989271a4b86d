export type { Serde, KeyValueSerdes } from './serde.js';
export { serializeNullable, deserializeNullable } from './serde.js';
export { Serdes } from './serdes.js';
export { changeSerde } from './change-serde.js';
export { avroSerde, AvroSerdeError, topicNameStrategy, recordNameStrategy } from './avro/avro-serde.js';
export type { AvroSerdeOptions, AvroSchemaDefinition, SubjectNameStrategy, PreparedSerde } from './avro/avro-serde.js';
export { confluentSchemaRegistry, SchemaRegistryError } from './avro/schema-registry.js';
export type { SchemaRegistryClient, ConfluentSchemaRegistryOptions } from './avro/schema-registry.js';
export { InMemorySchemaRegistry } from './avro/in-memory-schema-registry.js';
