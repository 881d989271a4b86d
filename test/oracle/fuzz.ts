/**
 * `npm run conformance:fuzz -- --count N --seed S [--threads T] [--out DIR] [--no-shrink]`
 *
 * Generates N random scenarios from seed S, runs them through Kafka Streams (the oracle) and through Tributary's
 * conformance runner, and prints the first differing scenario (shrunk) or `N passed, M failed`. `--out DIR` also
 * writes every generated scenario with Kafka Streams' outputs as its `expect`, ready for `npm run conformance -- DIR`.
 * Without the engine's runner in the repository it only generates and runs the oracle. Exit code 1 on any failure.
 *
 * `--composed`: random multi-operator topologies (composed-generate.ts, composed-fuzz.ts) instead, `--batch B`
 * scenarios per JVM (default 1000); the first difference is shrunk and written as a scenario file with Kafka Streams'
 * outputs as `expect` (to `--out DIR`, default the working directory), ready for test/conformance/scenarios/composed.
 * The run stops after the batch with the first difference unless `--keep-going` (then every difference is listed).
 * `--avoid-known` redraws topologies in the area of a known open divergence (test/oracle/README.md), as CI does.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { corpusFiles, generateWithOracle, runDifferential } from './differential.js';
import { ENGINE_RUNNER, findEngine } from './engine-adapter.js';
import { fuzzComposed, shrinkComposed } from './composed-fuzz.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100' },
    seed: { type: 'string' },
    threads: { type: 'string' },
    out: { type: 'string' },
    'no-shrink': { type: 'boolean', default: false },
    composed: { type: 'boolean', default: false },
    batch: { type: 'string' },
    'keep-going': { type: 'boolean', default: false },
    'avoid-known': { type: 'boolean', default: false },
  },
});

const count = Number(values.count);
const seed = values.seed === undefined ? Date.now() % 2_147_483_647 : Number(values.seed);
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(seed)) {
  console.error('usage: fuzz --count N --seed S [--threads T] [--out DIR] [--no-shrink]');
  process.exit(2);
}
const threads = values.threads === undefined ? {} : { threads: Number(values.threads) };

console.log(`seed ${seed}, ${count} ${values.composed ? 'composed ' : ''}scenarios`);

if (values.composed) {
  const started = Date.now();
  const result = await fuzzComposed({
    count,
    seed,
    ...(values.batch === undefined ? {} : { batch: Number(values.batch) }),
    ...threads,
    stopEarly: !values['keep-going'],
    avoidKnown: values['avoid-known'],
    onBatch: (done, failures) => console.log(`  ${done}/${count} run, ${failures} differ (${Math.round((Date.now() - started) / 1000)} s)`),
  });
  for (const { index, error } of result.rejected.slice(0, 20)) console.log(`Kafka Streams rejected scenario #${index}: ${error}`);
  if (values['keep-going']) for (const f of result.failures.slice(0, 100)) console.log(`DIFF #${f.index}: ${f.difference}`);
  const first = result.failures[0];
  if (first !== undefined) {
    console.log(`FIRST DIFFERENCE: scenario #${first.index} of seed ${seed}: ${first.difference}`);
    if (!values['no-shrink']) {
      const shrunk = await shrinkComposed(first);
      const dir = values.out ?? '.';
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `composed-seed-${seed}-${first.index}.json`);
      const note = `Shrunk by npm run conformance:fuzz -- --composed (seed ${seed}, scenario ${first.index}); expect is Kafka Streams' output. Tributary differs: ${shrunk.difference}`;
      writeFileSync(file, `${JSON.stringify({ ...shrunk.scenario, name: `composed seed ${seed} #${first.index} shrunk`, note }, null, 1)}\n`);
      console.log(`shrunk (${shrunk.tried} candidates tried), written to ${file}:`);
      console.log(JSON.stringify(shrunk.scenario, null, 1));
      console.log(`difference: ${shrunk.difference}`);
    }
  }
  console.log(`oracle ${result.oracleMs} ms, engine ${result.engineMs} ms, wall ${Date.now() - started} ms`);
  console.log(`${result.passed} passed, ${result.failures.length} differ, ${result.rejected.length} rejected (of ${count})`);
  process.exit(result.failures.length === 0 && result.rejected.length === 0 ? 0 : 1);
}
const engine = await findEngine();

const batch = await generateWithOracle({ count, seed, ...threads });
if (values.out !== undefined) {
  mkdirSync(values.out, { recursive: true });
  const files = corpusFiles(batch, seed);
  for (const [name, text] of files) writeFileSync(join(values.out, name), text);
  console.log(`wrote ${files.size} scenarios with Kafka Streams' outputs to ${values.out}`);
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
const unsupportedKinds = new Map<string, number>();
for (const u of result.unsupported) unsupportedKinds.set(u.scenario.topology.kind, (unsupportedKinds.get(u.scenario.topology.kind) ?? 0) + 1);
if (result.unsupported.length > 0) {
  console.log(`engine does not support ${result.unsupported.length} scenarios: ${[...unsupportedKinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
}
console.log(`oracle ${result.oracleMs} ms, engine ${result.engineMs} ms (${engine.description})`);
console.log(`${result.passed} passed, ${result.failures.length} failed${result.unsupported.length > 0 ? `, ${result.unsupported.length} unsupported` : ''}`);
process.exit(result.failures.length === 0 && result.rejected.length === 0 ? 0 : 1);
