// Restore: a grouped-count store "counts" of N distinct keys restored from its (compacted) changelog, written once
// directly in the store's layout (string key, 8-byte big-endian count) and shared by every contender: Tributary's
// runtime and Kafka Streams (RocksDB and in-memory store) use the same application id, so the same
// `<appId>-counts-changelog`. Neither keeps state across runs (Tributary's stores live in memory; the Kafka Streams
// state directory is deleted before each run), so every run restores the whole changelog. Throughput is changelog
// records per second of each runtime's own restore timing (Tributary's `restored` event; Kafka Streams'
// StateRestoreListener from onRestoreStart to onRestoreEnd); the restored store is checked (entry count and sum).
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Serdes, changelogTopicName } from '../../src/index.js';
import { Contender, waitUntil } from '../lib/child.js';
import { createTopic, produceAll } from '../lib/kafka.js';
import type { BenchContext, ContenderSpec, RunResult, Workload } from '../lib/types.js';

interface Shared {
  applicationId: string;
  input: string;
  total: number;
  wantSum: number;
}

export const restore: Workload = {
  name: 'restore',
  description: 'Restore: a 1M-entry key-value store from its changelog',
  async prepare(ctx) {
    const total = Math.max(2000, Math.round(1_000_000 * ctx.scale));
    const long = Serdes.long();
    const records = Array.from({ length: total }, (_, i) => ({ key: Buffer.from(`user-${i}`), value: long.serialize((i % 100) + 1, '') }));
    const tag = randomBytes(4).toString('hex');
    const shared: Shared = { applicationId: `bench_restore_${tag}`, input: `bench_restore_in_${tag}`, total, wantSum: records.reduce((s, _, i) => s + (i % 100) + 1, 0) };
    const admin = ctx.kafka.admin();
    await admin.connect();
    try {
      await createTopic(admin, shared.input, 1);
      await createTopic(admin, changelogTopicName(shared.applicationId, 'counts'), 1, { 'cleanup.policy': 'compact' });
    } finally {
      await admin.disconnect();
    }
    await produceAll(ctx.kafka, changelogTopicName(shared.applicationId, 'counts'), records);
    const stateDir = join(ctx.dataDir, `restore-streams-${tag}`);
    const streams = (store: 'rocksdb' | 'memory'): ContenderSpec => ({
      name: `kafka streams (${store === 'rocksdb' ? 'RocksDB' : 'in-memory'} store)`,
      run: () => {
        // An empty state directory: no checkpoint, so the whole changelog is restored.
        rmSync(stateDir, { recursive: true, force: true });
        const java = ctx.java('dev.tributary.bench.RestoreStreamsApp');
        return runOnce(shared, java.command, [...java.args, ctx.brokers.join(','), shared.input, shared.applicationId, stateDir, store]).finally(() => rmSync(stateDir, { recursive: true, force: true }));
      },
    });
    return {
      records: total,
      contenders: [
        {
          name: 'tributary restore',
          profilable: true,
          run: (_run, profileDir) =>
            runOnce(shared, process.execPath, [
              ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
              '--import',
              'tsx',
              join(ctx.root, 'bench/contenders/restore-tributary.ts'),
              ctx.brokers.join(','),
              shared.input,
              shared.applicationId,
            ]),
        },
        streams('rocksdb'),
        streams('memory'),
      ],
    };
  },
};

async function runOnce(shared: Shared, command: string, args: string[]): Promise<RunResult> {
  const contender = new Contender(command, args, /"entries"/);
  try {
    await waitUntil(() => contender.readyAt !== undefined, 600_000, 'restore', () => (contender.exited ? contender.output.slice(-2000) : undefined));
    // It closes (leaving the shared group) and exits by itself, so that a --cpu-prof profile gets written.
    await waitUntil(() => contender.exited, 60_000, 'restore exit').catch(() => undefined);
    const line = /\{"records".*\}/.exec(contender.output)?.[0];
    const r = JSON.parse(line!) as { records: number; durationMs: number; entries: number; sum: number; startToRunningMs: number; rss: number };
    const mismatch = [
      r.entries !== shared.total || r.sum !== shared.wantSum ? `${r.entries} entries (sum ${r.sum}), expected ${shared.total} (sum ${shared.wantSum})` : '',
      r.records < shared.total ? `restored ${r.records} changelog records, expected at least ${shared.total}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return { throughput: r.records / (Math.max(1, r.durationMs) / 1000), peakRssBytes: Math.max(r.rss, contender.peakRss), mismatch, note: `restore ${r.durationMs} ms of ${r.records} records, start to RUNNING ${r.startToRunningMs} ms` };
  } finally {
    await contender.stop();
  }
}
