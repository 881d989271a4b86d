// `npm run bench [-- <workload>...] [--runs N] [--scale F] [--only <contender substring>] [--profile]`: every workload against a real Kafka
// and PostgreSQL (KAFKA_BROKERS / DATABASE_URL, or containers from src/testing), every contender in the same
// invocation, runs alternating between contenders. Prints the table and writes bench/results/latest.{md,json}.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildJavaOracle } from '../test/oracle/maven.js';
import { startServices } from '../src/testing/index.js';
import { kafkaClient } from './lib/kafka.js';
import { topFrames } from './lib/profile.js';
import { loadAverage, median } from './lib/stats.js';
import type { BenchContext, RunResult, Workload } from './lib/types.js';
import { w1 } from './workloads/w1.js';
import { w4 } from './workloads/w4.js';
import { restore } from './workloads/restore.js';
import { w5bulk, w5latency, w5single } from './workloads/w5.js';
import { w2final, w2update } from './workloads/w2.js';
import { w6 } from './workloads/w6.js';
import { w3 } from './workloads/w3.js';
import { w4join } from './workloads/w4-join.js';
import { w2finalKafka, w2updateKafka } from './workloads/w2-kafka.js';

const WORKLOADS: Workload[] = [w1, w4, w4join, w2update, w2final, w2updateKafka, w2finalKafka, w3, w5bulk, w5single, w5latency, w6, restore];

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv.splice(i, 2)[1] : undefined;
};
const runs = Number(option('--runs') ?? 3);
// Scale 1 is the sizes of issue 6; at the default a run of every workload takes about 13 minutes on 2 cores
// (--profile adds one profiled Tributary run per workload, about a minute and a half).
const scale = Number(option('--scale') ?? 0.05);
const only = option('--only');
const profile = argv.includes('--profile');
const names = argv.filter((a) => !a.startsWith('--'));
const selected = names.length === 0 ? WORKLOADS : names.map((n) => WORKLOADS.find((w) => w.name === n) ?? fail(`unknown workload ${n}; known: ${WORKLOADS.map((w) => w.name).join(', ')}`));

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

process.env['DOCKER_HOST'] ??= 'unix:///run/tributary-docker/docker.sock';
process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
process.env['TESTCONTAINERS_HOST_OVERRIDE'] ??= 'localhost';
process.env['TRIBUTARY_KAFKA_IMAGE'] ??= 'tributary/kafka:4.4.0';
process.env['TRIBUTARY_POSTGRES_IMAGE'] ??= 'tributary/postgres:15';
process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';

interface Row {
  workload: string;
  contender: string;
  records: number;
  runs: RunResult[];
}

const fmt = (n: number | undefined, digits = 0): string => (n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

function table(rows: Row[]): string {
  const lines = [
    '| workload | contender | records | runs | throughput median (rec/s) | min - max | p50 ms | p99 ms | peak RSS MB | verified |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const row of rows) {
    const ok = row.runs.filter((r) => r.mismatch === '');
    const t = ok.map((r) => r.throughput);
    const p50 = ok.filter((r) => r.p50Ms !== undefined).map((r) => r.p50Ms!);
    const p99 = ok.filter((r) => r.p99Ms !== undefined).map((r) => r.p99Ms!);
    const bad = row.runs.filter((r) => r.mismatch !== '');
    lines.push(
      `| ${row.workload} | ${row.contender} | ${fmt(row.records)} | ${ok.length}/${row.runs.length} | ${ok.length ? fmt(median(t)) : '-'} | ${ok.length ? `${fmt(Math.min(...t))} - ${fmt(Math.max(...t))}` : '-'} | ${p50.length ? fmt(median(p50), 1) : '-'} | ${p99.length ? fmt(median(p99), 1) : '-'} | ${ok.length ? fmt(Math.max(...ok.map((r) => r.peakRssBytes)) / 2 ** 20) : '-'} | ${bad.length === 0 ? 'yes' : `NO: ${bad.map((r) => r.mismatch).join(' / ')}`} |`,
    );
  }
  return lines.join('\n');
}

const started = new Date();
// The revision under test, read before the runs (a commit made during a long run must not be reported).
const revision = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
const loads: string[] = [loadAverage()];
const loadTimer = setInterval(() => loads.push(loadAverage()), 30_000);
const external = process.env['KAFKA_BROKERS'] !== undefined && process.env['DATABASE_URL'] !== undefined;
console.log(`starting services (${external ? 'KAFKA_BROKERS / DATABASE_URL' : 'containers'})...`);
const services = await startServices();
const kafka = kafkaClient(services.brokers);
const dataDir = join(root, 'bench/.data');
mkdirSync(dataDir, { recursive: true });
const javaBases = new Map<string, { command: string; args: string[] }>();
const ctx: BenchContext = {
  brokers: services.brokers,
  databaseUrl: services.databaseUrl,
  kafka,
  scale,
  root,
  dataDir,
  java(mainClass, project = 'java') {
    let base = javaBases.get(project);
    if (base === undefined) {
      const built = buildJavaOracle(join(root, 'bench', project), 'MAIN', ['-Xmx2g']);
      base = { command: built.command, args: built.args.slice(0, -1) as string[] };
      javaBases.set(project, base);
    }
    return { command: base.command, args: [...base.args, mainClass] };
  },
};

const rows: Row[] = [];
const notes: string[] = [];
// Wall time per workload (preparing the input, the runs, the profiled run), so the run's length can be kept in hand.
const timings: string[] = [];
const seconds = (since: number): string => `${((performance.now() - since) / 1000).toFixed(0)} s`;
const profiles: string[] = [];
try {
  for (const workload of selected) {
    console.log(`\n== ${workload.description} (scale ${scale}, ${runs} runs each)`);
    const workloadStart = performance.now();
    const prepared = await workload.prepare(ctx);
    const prepareTime = seconds(workloadStart);
    const runsStart = performance.now();
    const { records, unsupported } = prepared;
    const contenders = prepared.contenders.filter((c) => only === undefined || c.name.includes(only));
    for (const u of unsupported ?? []) notes.push(`${workload.name}: ${u}`);
    const byName = new Map(contenders.map((c) => [c.name, { workload: workload.name, contender: c.name, records, runs: [] } as Row]));
    rows.push(...byName.values());
    for (let run = 1; run <= runs; run++) {
      for (const c of contenders) {
        let result: RunResult;
        const runStart = performance.now();
        try {
          result = await c.run(run);
        } catch (error) {
          console.error((error as Error).stack);
          result = { throughput: 0, peakRssBytes: 0, mismatch: `failed: ${(error as Error).message.split("\n").slice(0, 3).join(" ")}` };
        }
        byName.get(c.name)!.runs.push(result);
        console.log(`  run ${run} ${c.name}: ${fmt(result.throughput)} rec/s, p50 ${fmt(result.p50Ms, 1)} ms, p99 ${fmt(result.p99Ms, 1)} ms, RSS ${fmt(result.peakRssBytes / 2 ** 20)} MB, ${seconds(runStart)}${result.mismatch ? ` MISMATCH ${result.mismatch}` : ''}${result.note ? ` (${result.note})` : ''}`);
      }
    }
    const runsTime = seconds(runsStart);
    const profileStart = performance.now();
    const profiled = contenders.find((c) => c.profilable);
    if (profile && profiled) {
      const dir = join(root, 'bench/results/profiles', workload.name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      try {
        await profiled.run(0, dir);
        profiles.push(`${workload.name} (${profiled.name}, --cpu-prof, self time):\n${topFrames(dir, root).map((f) => `  ${f}`).join('\n')}`);
      } catch (error) {
        profiles.push(`${workload.name}: profiling run failed: ${(error as Error).message}`);
      }
    }
    timings.push(`${workload.name} ${seconds(workloadStart)} (input ${prepareTime}, runs ${runsTime}, profile ${seconds(profileStart)})`);
  }
} finally {
  clearInterval(loadTimer);
  loads.push(loadAverage());
  await services.stop().catch(() => undefined);
}

const versions = {
  node: process.version,
  kafkajs: (await import('kafkajs/package.json', { with: { type: 'json' } })).default.version,
  java: execFileSync('java', ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).toString() || '',
  tributary: revision,
};
const machine = `${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB; load average (1/5/15 min) at start ${loads[0]}, during ${loads.slice(1, -1).map((l) => l.split(' ')[0]).join(', ') || '-'}, at end ${loads[loads.length - 1]}`;
const report = [
  `# Benchmark run ${started.toISOString()} (scale ${scale}, ${runs} runs each)`,
  '',
  `Command: npm run bench -- ${process.argv.slice(2).join(' ')}`,
  `Duration: ${((Date.now() - started.getTime()) / 60_000).toFixed(1)} min`,
  `Time per workload: ${timings.join('; ')}`,
  `Machine: ${machine}`,
  `Tributary ${versions.tributary}, Node ${versions.node}, kafkajs ${versions.kafkajs}, Kafka Streams 4.3.1 (bench/java), broker ${process.env['TRIBUTARY_KAFKA_IMAGE']}, PostgreSQL ${process.env['TRIBUTARY_POSTGRES_IMAGE']}`,
  '',
  table(rows),
  '',
  ...notes.map((n) => `- ${n}`),
  '',
  ...profiles.map((p) => '```\n' + p + '\n```'),
].join('\n');
console.log(`\n${report}`);
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/latest.md'), report + '\n');
writeFileSync(join(root, 'bench/results/latest.json'), JSON.stringify({ started, durationMs: Date.now() - started.getTime(), timings, scale, runs, machine, versions, rows, notes, profiles }, null, 2) + '\n');
process.exit(rows.some((r) => r.runs.some((x) => x.mismatch !== '')) ? 1 : 0);
