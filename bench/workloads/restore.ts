// Restore: a grouped-count store of N distinct keys restored by Tributary's runtime from its (compacted)
// changelog, written directly in the store's layout (string key, 8-byte count). Throughput is changelog records
// per second of the runtime's own restore timing; the restored store is checked entry by entry (count and sum).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Serdes, changelogTopicName } from '../../src/index.js';
import { Contender, waitUntil } from '../lib/child.js';
import { createTopic, produceAll } from '../lib/kafka.js';
import type { Workload } from '../lib/types.js';

export const restore: Workload = {
  name: 'restore',
  description: 'Restore: a 1M-entry key-value store from its changelog',
  async prepare(ctx) {
    const total = Math.max(2000, Math.round(1_000_000 * ctx.scale));
    const long = Serdes.long();
    const records = Array.from({ length: total }, (_, i) => ({ key: Buffer.from(`user-${i}`), value: long.serialize((i % 100) + 1, '') }));
    const wantSum = records.reduce((s, _, i) => s + (i % 100) + 1, 0);
    return {
      records: total,
      contenders: [
        {
          name: 'tributary restore',
          profilable: true,
          async run(_run, profileDir) {
            const tag = randomBytes(4).toString('hex');
            const applicationId = `bench_restore_${tag}`;
            const input = `bench_restore_in_${tag}`;
            const changelog = changelogTopicName(applicationId, 'counts');
            const admin = ctx.kafka.admin();
            await admin.connect();
            try {
              await createTopic(admin, input, 1);
              await createTopic(admin, changelog, 1, { 'cleanup.policy': 'compact' });
              await produceAll(ctx.kafka, changelog, records);
              const args = [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), '--import', 'tsx', join(ctx.root, 'bench/contenders/restore-tributary.ts'), ctx.brokers.join(','), input, applicationId];
              const contender = new Contender(process.execPath, args, /"entries"/);
              try {
                await waitUntil(() => contender.readyAt !== undefined, 600_000, 'restore', () => (contender.exited ? contender.output.slice(-2000) : undefined));
                // It closes and exits by itself (so that a --cpu-prof profile gets written).
                await waitUntil(() => contender.exited, 30_000, 'restore exit').catch(() => undefined);
                const line = /\{"records".*\}/.exec(contender.output)?.[0];
                const r = JSON.parse(line!) as { records: number; durationMs: number; entries: number; sum: number; startToRunningMs: number; rss: number };
                const mismatch = r.entries !== total || r.sum !== wantSum ? `${r.entries} entries (sum ${r.sum}), expected ${total} (sum ${wantSum})` : '';
                return { throughput: r.records / (r.durationMs / 1000), peakRssBytes: Math.max(r.rss, contender.peakRss), mismatch, note: `restore ${r.durationMs} ms of ${r.records} records, start to RUNNING ${r.startToRunningMs} ms` };
              } finally {
                await contender.stop();
              }
            } finally {
              await admin.deleteTopics({ topics: [input, changelog] }).catch(() => undefined);
              await admin.disconnect();
            }
          },
        },
      ],
    };
  },
};
