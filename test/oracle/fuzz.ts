/**
 * `npm run conformance:fuzz -- --count N --seed S [--threads T] [--out DIR] [--no-shrink]`
 *
 * Generates N random scenarios from seed S, runs them through Kafka Streams (the oracle) and through Tributary's
 * conformance runner, and prints the first differing scenario (shrunk) or `N passed, M failed`. `--out DIR` also
 * writes every generated scenario with Kafka Streams' outputs as its `expect`, ready for `npm run conformance -- DIR`.
 * Without the engine's runner in the repository it only generates and runs the oracle. Exit code 1 on any failure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runDifferential, generateWithOracle } from './differential.js';
import { ENGINE_RUNNER, findEngine } from './engine-adapter.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100' },
    seed: { type: 'string' },
    threads: { type: 'string' },
    out: { type: 'string' },
    'no-shrink': { type: 'boolean', default: false },
  },
});

const count = Number(values.count);
const seed = values.seed === undefined ? Date.now() % 2_147_483_647 : Number(values.seed);
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(seed)) {
  console.error('usage: fuzz --count N --seed S [--threads T] [--out DIR] [--no-shrink]');
  process.exit(2);
}
const threads = values.threads === undefined ? {} : { threads: Number(values.threads) };

console.log(`seed ${seed}, ${count} scenarios`);
const engine = await findEngine();

const batch = await generateWithOracle({ count, seed, ...threads });
if (values.out !== undefined) {
  mkdirSync(values.out, { recursive: true });
  batch.expected.forEach((scenario, i) => {
    if (scenario !== undefined) writeFileSync(join(values.out!, `fuzz-${seed}-${String(i).padStart(5, '0')}.json`), `${JSON.stringify(scenario, null, 1)}\n`);
  });
  console.log(`wrote ${batch.expected.filter((s) => s !== undefined).length} scenarios with Kafka Streams' outputs to ${values.out}`);
}

if (engine === undefined) {
  const rejected = batch.runs.filter((run) => run.error !== undefined);
  console.log(`Kafka Streams ran ${count} scenarios in ${batch.oracleMs} ms (${rejected.length} rejected)`);
  for (const run of rejected.slice(0, 5)) console.log(`  rejected: ${run.name ?? '?'}: ${run.error}`);
  console.log(`engine runner ${ENGINE_RUNNER} not found: nothing to compare`);
  process.exit(rejected.length === 0 ? 0 : 1);
}

const result = await runDifferential(engine, { count, seed, shrink: !values['no-shrink'], ...threads }, batch);
for (const { index, error } of result.rejected) console.log(`Kafka Streams rejected scenario #${index}: ${error}`);
if (result.shrunk !== undefined) {
  console.log(`FIRST FAILURE: scenario #${result.shrunk.index} of seed ${seed}, shrunk (${result.shrunk.shrinkRuns ?? 0} candidates tried):`);
  console.log(JSON.stringify(result.shrunk.scenario, null, 1));
  console.log(`difference: ${result.shrunk.difference}`);
}
for (const failure of result.failures.slice(0, 20)) console.log(`FAIL #${failure.index} ${failure.scenario.name}: ${failure.difference}`);
console.log(`oracle ${result.oracleMs} ms, engine ${result.engineMs} ms (${engine.description})`);
console.log(`${result.passed} passed, ${result.failures.length} failed`);
process.exit(result.failures.length === 0 && result.rejected.length === 0 ? 0 : 1);
