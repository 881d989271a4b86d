// Public door of `tributary/testing`: the in-process TopologyTestDriver, and real services for
// integration tests, demos and benchmarks.
export { startKafka, parseBrokers, type KafkaService, type StartKafkaOptions } from './kafka-service.js';
export {
  startPostgres,
  DEFAULT_POSTGRES_SETTINGS,
  type PostgresService,
  type StartPostgresOptions,
} from './postgres-service.js';
export { startServices, type Services, type StartServicesOptions } from './services.js';
export {
  DEFAULT_KAFKA_IMAGE,
  DEFAULT_POSTGRES_IMAGE,
  KAFKA_IMAGE_VARIABLE,
  KAFKA_VERSION,
  POSTGRES_IMAGE_VARIABLE,
  kafkaImage,
  postgresImage,
} from './images.js';
export { ServiceUnavailableError, type ServiceUnavailableErrorOptions } from './service-error.js';
export { TopologyTestDriver, TestInputTopic, TestOutputTopic } from './topology-test-driver.js';
export type { TopologyTestDriverOptions, TestRecord, TestInputRecord } from './topology-test-driver.js';
export { ManualClockScheduler } from './manual-clock-scheduler.js';
export { seededRandom } from './seeded-random.js';
export { startSchemaRegistryServer, type SchemaRegistryServer } from './schema-registry-server.js';
