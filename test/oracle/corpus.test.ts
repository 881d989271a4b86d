/**
 * test/oracle/corpus holds generated scenarios with Kafka Streams' outputs as `expect`, so that Tributary's
 * conformance runner can check them without Java (`npm run conformance -- test/oracle/corpus`). This test regenerates
 * the corpus (seed 1, 200 scenarios) through the oracle and requires the committed files to be exactly that.
 * Regenerate with `npm run conformance:fuzz -- --count 200 --seed 1 --out test/oracle/corpus` after changing the
 * generator or the Kafka Streams version. Needs Java 17 and Maven.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { corpusFiles, generateWithOracle } from './differential.js';

const CORPUS = new URL('./corpus/', import.meta.url);
const SEED = 1;
const COUNT = 200;

describe('generated corpus', () => {
  it('is what the generator and Kafka Streams produce today', async () => {
    const expected = corpusFiles(await generateWithOracle({ count: COUNT, seed: SEED }), SEED);
    const committed = readdirSync(CORPUS).filter((name) => name.endsWith('.json')).sort();
    expect(committed).toEqual([...expected.keys()].sort());
    const stale = committed.filter((name) => readFileSync(new URL(name, CORPUS), 'utf8') !== expected.get(name));
    expect(stale).toEqual([]);
  });
});
