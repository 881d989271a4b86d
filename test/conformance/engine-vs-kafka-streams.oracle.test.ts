/**
 * Differential check of the engine against the real Kafka Streams (test/oracle, Java 17 + Maven, no broker):
 * a fixed set of seeded random scenarios (every window type and emission mode, every join type, table
 * topologies; out-of-order and late records, null keys and tombstones) must produce exactly Kafka Streams'
 * records and dropped-records counts. More seeds: `npm run conformance:fuzz -- --count N --seed S`.
 */
import { describe, expect, it } from 'vitest';
import { runDifferential } from '../oracle/differential.js';
import { findEngine } from '../oracle/engine-adapter.js';

const SEEDS = [20261124, 7];
const PER_SEED = 120;

describe('engine against Kafka Streams on seeded random scenarios', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: ${PER_SEED} scenarios agree`, async () => {
      const engine = await findEngine();
      expect(engine, 'test/conformance/runner.ts must exist').toBeDefined();
      const result = await runDifferential(engine!, { count: PER_SEED, seed, shrink: true });
      expect(result.rejected).toEqual([]);
      const report = result.shrunk === undefined ? [] : [`shrunk: ${JSON.stringify(result.shrunk.scenario)} -> ${result.shrunk.difference}`];
      expect([...result.failures.map((f) => `#${f.index} ${f.scenario.name}: ${f.difference}`), ...report]).toEqual([]);
      expect(result.passed).toBe(PER_SEED);
    });
  }
});
