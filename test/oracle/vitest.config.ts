import { defineConfig } from 'vitest/config';

// The oracle tests need Java 17 and Maven (Kafka Streams runs in a JVM) but no broker:
// `npx vitest run --config test/oracle/vitest.config.ts`.
export default defineConfig({
  test: {
    include: ['test/oracle/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
