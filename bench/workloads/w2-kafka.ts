// W2 windowed aggregation on a broker: clicks grouped by page (10k pages), 5-minute tumbling windows (no grace),
// count + sum, emitted on update or on window close; Tributary's KafkaStreams runtime vs Kafka Streams with its
// record cache off. The input topic has one partition: then the repartition topic receives the records in
// timestamp order (one upstream task), no record is late and the expectation is that of the test-driver W2
// (bench/workloads/w2.ts) exactly, whereas with several upstream tasks the interleaving in the repartition topic,
// and so which records a window without grace drops, would differ from run to run.
// - update: every input gives one update (outputs = inputs), and the last update per window must equal the
//   window's aggregate over the whole input; then latency probes (new pages in the open last window) at a steady
//   rate, from the send call to the bench's read_committed consumer seeing their update;
// - final: exactly the windows closed by the input's stream time, each once with its final aggregate. Kafka
//   Streams checks for closed windows at most once per wall-clock second, on a record: the bench appends a record
//   of its own page in the open last window every second (it closes nothing).
// Throughput: input records over the time from READY to the broker append time of the last expected output.
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { generateClicks } from '../lib/clicks.js';
import { Contender, waitUntil } from '../lib/child.js';
import { collect, createTopic, produceAll } from '../lib/kafka.js';
import { percentile } from '../lib/stats.js';
import type { BenchContext, ContenderSpec, RunResult, Workload } from '../lib/types.js';
import { addClick, w2StepMs, windowedResult } from '../lib/windowed.js';

const WINDOW_MS = 5 * 60_000;
const PROBES_PER_TICK = 25;

type Mode = 'update' | 'final';
type CommandOf = (input: string, output: string, app: string, profileDir?: string) => { command: string; args: string[]; ready: RegExp };

interface Prepared {
  mode: Mode;
  encoded: { key: Buffer; value: Buffer; timestamp: string }[];
  lastTs: number;
  expected: Map<string, string>;
  sha256: string;
  probes: number;
}

function w2kafka(mode: Mode): Workload {
  return {
    name: `w2-${mode}-kafka`,
    description: `W2 windowed aggregation (emit on ${mode === 'update' ? 'update' : 'window close'}) on a broker (1 input partition)`,
    async prepare(ctx) {
      const total = Math.max(2000, Math.round(1_000_000 * ctx.scale));
      const inputs = generateClicks(total, 1);
      const step = w2StepMs(total);
      // Half a day ago, on a window boundary: brokers reject timestamps over an hour ahead and delete old segments.
      const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 12 * 3_600_000;
      const windows = new Map<string, string>();
      const encoded = inputs.map((r, i) => {
        const ts = base + i * step;
        const page = (JSON.parse(r.value) as { page: string }).page;
        const key = `${page}@${Math.floor(ts / WINDOW_MS) * WINDOW_MS}`;
        windows.set(key, addClick(windows.get(key) ?? '0,0', r.value));
        return { key: Buffer.from(r.key), value: Buffer.from(r.value), timestamp: String(ts) };
      });
      const lastTs = base + (total - 1) * step;
      const expected = new Map([...windows].filter(([k]) => mode === 'update' || Number(k.slice(k.indexOf('@') + 1)) + WINDOW_MS <= lastTs));
      const sha256 = createHash('sha256').update(windowedResult([...expected], 'final').join('\n')).digest('hex');
      // At least a second of probes (25 every 10 ms) at every scale, so that one pause does not make the figure.
      const probes = mode === 'update' ? Math.min(5000, Math.max(2500, Math.round(total / 100))) : 0;
      const prepared: Prepared = { mode, encoded, lastTs, expected, sha256, probes };
      const tsx = ['--import', 'tsx'];
      const contender = (name: string, command: CommandOf, profilable = false): ContenderSpec => ({
        name,
        profilable,
        run: (run, profileDir) => runOnce(ctx, prepared, { name, run, command, ...(profileDir === undefined ? {} : { profileDir }) }),
      });
      const tributary =
        (guarantee: string): CommandOf =>
        (input, output, app, profileDir) => ({
          command: process.execPath,
          args: [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), ...tsx, join(ctx.root, 'bench/contenders/w2-kafka-tributary.ts'), ctx.brokers.join(','), input, output, app, guarantee, mode],
          ready: /^READY$/m,
        });
      const streams =
        (guarantee: string): CommandOf =>
        (input, output, app) => {
          const java = ctx.java('dev.tributary.bench.ClickWindowStreamsApp');
          return { command: java.command, args: [...java.args, ctx.brokers.join(','), input, output, app, guarantee, mode], ready: /STATE RUNNING/ };
        };
      return {
        records: total,
        contenders: [contender('tributary at_least_once', tributary('at_least_once'), true), contender('kafka streams at_least_once (cache off)', streams('at_least_once'))],
        unsupported: [
          mode === 'update'
            ? `${expected.size} windows, ${total} updates expected`
            : `${expected.size} windows closed by the input expected; no latency figure (a result waits for its window to close)`,
        ],
      };
    },
  };
}

export const w2updateKafka = w2kafka('update');
export const w2finalKafka = w2kafka('final');

interface RunSpec {
  name: string;
  run: number;
  command: CommandOf;
  profileDir?: string;
}

const click = (page: string, id: number): string => `{"id":${id},"user":"~bench","page":"${page}","action":"view","ms":1000}`;

async function runOnce(ctx: BenchContext, w: Prepared, spec: RunSpec): Promise<RunResult> {
  const tag = `${spec.name.replace(/[^a-z]+/g, '_')}_${spec.run}_${randomBytes(3).toString('hex')}`;
  const input = `bench_w2_in_${tag}`;
  const output = `bench_w2_out_${tag}`;
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    await createTopic(admin, input, 1);
    await createTopic(admin, output, 1, { 'message.timestamp.type': 'LogAppendTime' });
    await produceAll(ctx.kafka, input, w.encoded, 5000, 1);

    const last = new Map<string, string>();
    const sentAt = new Float64Array(w.probes);
    const latencies: number[] = [];
    let outputs = 0;
    let duplicates = 0;
    let lastAppend = 0;
    let lastSeen = Date.now();
    const collector = await collect(ctx.kafka, output, (r) => {
      if (r.key.startsWith('~probe')) {
        const i = Number(r.key.slice(6, r.key.indexOf('@')));
        latencies.push(r.receivedAt - sentAt[i]!);
        return;
      }
      if (r.key.startsWith('~')) return;
      outputs++;
      lastSeen = Date.now();
      if (w.mode === 'final' && last.has(r.key)) duplicates++;
      last.set(r.key, r.value);
      lastAppend = Math.max(lastAppend, r.appendTime);
    });

    const command = spec.command(input, output, `bench_w2_app_${tag}`, spec.profileDir);
    const contender = new Contender(command.command, command.args, command.ready);
    const died = (): string | undefined => (contender.exited ? `contender exited:\n${contender.output.slice(-3000)}` : undefined);
    const producer = ctx.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    let ticking = w.mode === 'final';
    const ticks = (async () => {
      for (let n = 0; ticking; n++) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        if (ticking && contender.readyAt !== undefined) await producer.send({ topic: input, messages: [{ key: '~bench', value: click('~tick', -1 - n), timestamp: String(w.lastTs) }] }).catch(() => undefined);
      }
    })();
    try {
      await waitUntil(() => contender.readyAt !== undefined, 120_000, `${spec.name} ready`, died);
      const target = w.mode === 'update' ? w.encoded.length : w.expected.size;
      // Done at the expected count, or when nothing more arrives for 20 s (then the comparison says what is missing).
      await waitUntil(() => outputs >= target || (outputs > 0 && Date.now() - lastSeen > 20_000), 600_000, `${spec.name} outputs (${target})`, died);
      ticking = false;
      await ticks;
      const throughput = w.encoded.length / ((lastAppend - contender.readyAt!) / 1000);

      // Latency probes (update only): new pages in the open last window, PROBES_PER_TICK every 10 ms.
      for (let start = 0; start < w.probes; start += PROBES_PER_TICK) {
        const end = Math.min(w.probes, start + PROBES_PER_TICK);
        const now = Date.now();
        for (let i = start; i < end; i++) sentAt[i] = now;
        await producer.send({ topic: input, messages: Array.from({ length: end - start }, (_, j) => ({ key: '~bench', value: click(`~probe${start + j}`, -1), timestamp: String(w.lastTs) })) });
        const pause = 10 - (Date.now() - now);
        if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
      }
      await waitUntil(() => latencies.length >= w.probes, 120_000, `${spec.name} probes`, died);
      // A short grace period so that late duplicates or strays are seen.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const peakRssBytes = contender.peakRss;
      const got = createHash('sha256').update(windowedResult([...last], 'final').join('\n')).digest('hex');
      const wrong = [...last].filter(([k, v]) => w.expected.get(k) !== v);
      const mismatch = [
        got !== w.sha256 ? `${last.size} windows (sha ${got.slice(0, 12)}), expected ${w.expected.size} (sha ${w.sha256.slice(0, 12)}); e.g. ${wrong.slice(0, 2).map(([k, v]) => `${k}=${v} (expected ${w.expected.get(k) ?? 'none'})`).join(', ')}` : '',
        duplicates > 0 ? `${duplicates} windows emitted more than once` : '',
        outputs !== (w.mode === 'update' ? w.encoded.length : w.expected.size) ? `${outputs} outputs, expected ${w.mode === 'update' ? w.encoded.length : w.expected.size}` : '',
      ]
        .filter(Boolean)
        .join('; ');
      return { throughput, ...(w.probes > 0 ? { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) } : {}), peakRssBytes, mismatch };
    } finally {
      ticking = false;
      await ticks;
      await producer.disconnect().catch(() => undefined);
      await contender.stop();
      await collector.disconnect();
    }
  } finally {
    await admin.deleteTopics({ topics: [input, output] }).catch(() => undefined);
    await admin.disconnect();
  }
}
