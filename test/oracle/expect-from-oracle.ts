/**
 * Writes scenario files with Kafka Streams' outputs as their `expect` (and its dropped-records count as
 * `expectDroppedRecords`), and prints where Tributary's engine differs: how a regression scenario written by hand
 * (e.g. test/conformance/scenarios/composed) gets the expectation it is checked against.
 *
 *   npx tsx test/oracle/expect-from-oracle.ts DRAFT.json... --out test/conformance/scenarios/composed
 *
 * Without `--out` nothing is written (a dry run that only compares).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { executeScenario } from '../conformance/runner.js';
import { differenceFromScenario } from './compare.js';
import type { Scenario } from './scenario.js';
import { runStreamsOracle, withOracleExpectations } from './streams/run-oracle.js';

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt < 0 ? undefined : args[outAt + 1];
const files = outAt < 0 ? args : args.filter((_, i) => i !== outAt && i !== outAt + 1);
if (files.length === 0 || (outAt >= 0 && out === undefined)) {
  console.error('usage: expect-from-oracle.ts SCENARIO.json... [--out DIR]');
  process.exit(2);
}
const scenarios = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Scenario);
const runs = await runStreamsOracle(scenarios);
let failed = 0;
for (const [i, scenario] of scenarios.entries()) {
  const run = runs[i]!;
  const file = files[i]!;
  if (run.error !== undefined) {
    failed++;
    console.log(`REJECTED ${file}: ${run.error}`);
    continue;
  }
  const expected = withOracleExpectations(scenario, run);
  let engine: string;
  try {
    const difference = differenceFromScenario(expected, executeScenario(expected as never) as never);
    engine = difference === null ? 'engine agrees' : `engine differs: ${difference.message}`;
  } catch (error) {
    engine = `engine fails: ${error instanceof Error ? error.message : String(error)}`;
  }
  console.log(`${basename(file)}: ${engine}`);
  if (out !== undefined) writeFileSync(join(out, basename(file)), `${JSON.stringify(expected, null, 1)}\n`);
}
process.exitCode = failed === 0 ? 0 : 1;
