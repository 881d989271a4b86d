import { defineConfig } from 'vitest/config';

// Two projects: unit tests sit beside the code and need no services; integration tests under
// test/integration share one Kafka and one PostgreSQL started by the global setup.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'connectors/**/*.test.ts', 'topologies/**/*.test.ts', 'test/conformance/**/*.test.ts'],
          typecheck: { enabled: true, include: ['src/**/*.test-d.ts'] },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/env/global-setup.ts'],
          // kafkajs warns once per producer about its v2 default partitioner; the tests know.
          env: { KAFKAJS_NO_PARTITIONER_WARNING: '1' },
          testTimeout: 180_000,
          hookTimeout: 300_000,
          // One file at a time in one process: the files share one broker and one server, and 2 cores.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
