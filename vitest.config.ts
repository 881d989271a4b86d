import { defineConfig } from 'vitest/config';

// Three projects: unit tests sit beside the code and need no services; integration tests under
// test/integration share one Kafka and one PostgreSQL started by the global setup; oracle tests run the
// real Kafka Streams / Debezium in a JVM (Java 17 + Maven, no broker).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'connectors/**/*.test.ts', 'topologies/**/*.test.ts', 'test/conformance/**/*.test.ts', 'test/architecture/**/*.test.ts', 'test/env/**/*.test.ts'],
          exclude: ['**/*.oracle.test.ts', '**/node_modules/**'],
          typecheck: { enabled: true, include: ['src/**/*.test-d.ts'] },
          // Tests that spawn bin/tributary.js run the sources, never a dist/ left over from an older build.
          env: { TRIBUTARY_CLI_FROM_SOURCE: '1' },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/env/global-setup.ts'],
          // kafkajs warns once per producer about its v2 default partitioner; the tests know.
          // TRIBUTARY_CLI_FROM_SOURCE: spawned bin/tributary.js runs the sources, not a possibly stale dist/.
          env: { KAFKAJS_NO_PARTITIONER_WARNING: '1', TRIBUTARY_CLI_FROM_SOURCE: '1' },
          testTimeout: 180_000,
          hookTimeout: 300_000,
          // One file at a time in one process: the files share one broker and one server, and 2 cores.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        test: {
          name: 'oracle',
          include: ['test/oracle/**/*.test.ts', 'test/conformance/**/*.oracle.test.ts'],
          // The Debezium oracle starts a PostgreSQL: the same engine and images as the integration tests.
          globalSetup: ['test/env/provision-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          // One JVM-backed file at a time: the machine has 2 cores.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
