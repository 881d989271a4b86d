/**
 * Container images the testing services start, and the environment variables that replace them.
 *
 * The defaults are the official images a machine with Docker and internet access pulls. Machines without a
 * registry build local ones with `test/env/build-images.sh` and point these variables at them.
 */

/** Environment variable naming the Kafka image (a KRaft-capable image configured like `apache/kafka`). */
export const KAFKA_IMAGE_VARIABLE = 'TRIBUTARY_KAFKA_IMAGE';
/** Environment variable naming the PostgreSQL image (configured like the official `postgres` image). */
export const POSTGRES_IMAGE_VARIABLE = 'TRIBUTARY_POSTGRES_IMAGE';

/** The Kafka release the project is tested against; test/env/kafka-jars/pom.xml builds the same release. */
export const KAFKA_VERSION = '4.4.0';
export const DEFAULT_KAFKA_IMAGE = `apache/kafka:${KAFKA_VERSION}`;
export const DEFAULT_POSTGRES_IMAGE = 'postgres:17';

type Environment = Readonly<Record<string, string | undefined>>;

/** The Kafka image to start: `TRIBUTARY_KAFKA_IMAGE` or the official image. */
export function kafkaImage(env: Environment = process.env): string {
  return nonEmpty(env[KAFKA_IMAGE_VARIABLE]) ?? DEFAULT_KAFKA_IMAGE;
}

/** The PostgreSQL image to start: `TRIBUTARY_POSTGRES_IMAGE` or the official image. */
export function postgresImage(env: Environment = process.env): string {
  return nonEmpty(env[POSTGRES_IMAGE_VARIABLE]) ?? DEFAULT_POSTGRES_IMAGE;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
