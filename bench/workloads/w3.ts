// W3 interval join on a broker: clicks left-join purchases by user within 30 minutes (8 partitions each, keyed by
// user, co-partitioned; event timestamps in the record timestamps). Each run gets fresh topics holding the same
// backlog. Phases, each verified against the exact expectation of bench/lib/join.ts:
// 1. backlog: throughput is (clicks + purchases) over the time from the contender's READY to the broker append
//    time of the last inner result (every inner result must arrive; left-only results may arrive already);
// 2. close: one click per partition far in the future closes every window, and the remaining left-only results
//    must arrive (the click is sent again every second: Kafka Streams checks for closed windows at most once per
//    wall-clock second, on a record at stream time);
// 3. latency probes: pairs of a click and a purchase of a new user at a steady rate, from the send call to the
//    bench's read_committed consumer seeing their inner result.
// Then nothing else may arrive: no duplicate, no stray, no spurious left-only result.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Contender, waitUntil } from '../lib/child.js';
import { collect, createTopic, produceAll } from '../lib/kafka.js';
import { JOIN_GRACE_MS, expectJoin, generateJoinInput, joinBaseTimestamp, joinClickPurchase, joinedIds, pairId, probePair, type TimedInput } from '../lib/join.js';
import { percentile } from '../lib/stats.js';
import type { BenchContext, ContenderSpec, RunResult, Workload } from '../lib/types.js';

const PARTITIONS = 8;
const PROBES_PER_TICK = 25;

interface Command {
  command: string;
  args: string[];
  ready: RegExp;
}
type CommandOf = (clicks: string, purchases: string, output: string, app: string, profileDir?: string) => Command;

interface Prepared {
  clicks: TimedInput[];
  purchases: TimedInput[];
  closeTs: number;
  probes: number;
  pairs: Set<number>;
  inner: number;
  leftOnly: number;
}

export const w3: Workload = {
  name: 'w3',
  description: 'W3 interval join: clicks left-join purchases by user within 30 min (8 partitions each)',
  async prepare(ctx) {
    const clickCount = Math.max(2000, Math.round(500_000 * ctx.scale));
    const input = generateJoinInput(clickCount, joinBaseTimestamp());
    // At least a second of probes (25 pairs every 10 ms) at every scale: a shorter phase measures whatever
    // single pause (a commit, a collection) falls into it more than the steady latency.
    const probes = Math.min(5000, Math.max(2500, Math.round(clickCount / 100)));
    const clicks = [...input.clicks];
    const purchases = [...input.purchases];
    const expectation = expectJoin(clicks, purchases, purchases.length + probes);
    const realClicks = clicks.length;
    const realPurchases = purchases.length;
    for (let i = 0; i < probes; i++) {
      const [c, p] = probePair(i, realClicks + i, realPurchases + i, input.closeTs + 10_000 + i);
      clicks.push(c);
      purchases.push(p);
      expectation.pairs.add(pairId(realClicks + i, realPurchases + i, realPurchases + probes));
    }
    const prepared: Prepared = { clicks, purchases, closeTs: input.closeTs, probes, ...expectation };
    const tsx = ['--import', 'tsx'];
    const contender = (name: string, command: CommandOf, profilable = false): ContenderSpec => ({
      name,
      profilable,
      run: (run, profileDir) => runOnce(ctx, prepared, { name, run, command, ...(profileDir === undefined ? {} : { profileDir }) }),
    });
    const tributary =
      (guarantee: string): CommandOf =>
      (clicksTopic, purchasesTopic, output, app, profileDir) => ({
        command: process.execPath,
        args: [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), ...tsx, join(ctx.root, 'bench/contenders/w3-tributary.ts'), ctx.brokers.join(','), clicksTopic, purchasesTopic, output, app, guarantee, String(JOIN_GRACE_MS)],
        ready: /^READY$/m,
      });
    const streams =
      (guarantee: string): CommandOf =>
      (clicksTopic, purchasesTopic, output, app) => {
        const java = ctx.java('dev.tributary.bench.ClickJoinStreamsApp');
        return { command: java.command, args: [...java.args, ctx.brokers.join(','), clicksTopic, purchasesTopic, output, app, guarantee, String(JOIN_GRACE_MS)], ready: /STATE RUNNING/ };
      };
    return {
      records: realClicks + realPurchases,
      contenders: [
        contender('tributary at_least_once', tributary('at_least_once'), true),
        contender('tributary exactly_once', tributary('exactly_once')),
        contender('kafka streams at_least_once', streams('at_least_once')),
        contender('kafka streams exactly_once', streams('exactly_once')),
      ],
      unsupported: [`${realClicks} clicks, ${realPurchases} purchases: ${expectation.inner} inner results and ${expectation.leftOnly} left-only results expected, plus ${probes} probe pairs`],
    };
  },
};

interface RunSpec {
  name: string;
  run: number;
  command: CommandOf;
  profileDir?: string;
}

const encode = (r: TimedInput): { key: Buffer; value: Buffer; timestamp: string } => ({ key: Buffer.from(r.key), value: Buffer.from(r.value), timestamp: String(r.timestamp) });

async function runOnce(ctx: BenchContext, w: Prepared, spec: RunSpec): Promise<RunResult> {
  const tag = `${spec.name.replace(/[^a-z]+/g, '_')}_${spec.run}_${randomBytes(3).toString('hex')}`;
  const clicksTopic = `bench_w3_clicks_${tag}`;
  const purchasesTopic = `bench_w3_purchases_${tag}`;
  const output = `bench_w3_out_${tag}`;
  const realClicks = w.clicks.length - w.probes;
  const realPurchases = w.purchases.length - w.probes;
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    await createTopic(admin, clicksTopic, PARTITIONS);
    await createTopic(admin, purchasesTopic, PARTITIONS);
    await createTopic(admin, output, PARTITIONS, { 'message.timestamp.type': 'LogAppendTime' });
    // One batch in flight: concurrent sends may reach the broker out of order, and the expectation needs every
    // partition in timestamp order.
    await produceAll(ctx.kafka, clicksTopic, w.clicks.slice(0, realClicks).map(encode), 5000, 1);
    await produceAll(ctx.kafka, purchasesTopic, w.purchases.slice(0, realPurchases).map(encode), 5000, 1);

    const seen = new Set<number>();
    const sentAt = new Float64Array(w.probes);
    const latencies: number[] = [];
    let wrong = 0;
    const examples: string[] = [];
    let duplicates = 0;
    let inner = 0;
    let leftOnly = 0;
    let lastInnerAppend = 0;
    const purchaseSlots = w.purchases.length;
    const collector = await collect(ctx.kafka, output, (r) => {
      const [cid, pid] = joinedIds(r.value);
      const id = pairId(cid, pid, purchaseSlots);
      const click = w.clicks[cid];
      if (!w.pairs.has(id) || click === undefined || click.key !== r.key || joinClickPurchase(click.value, pid < 0 ? null : (w.purchases[pid]?.value ?? '{}')) !== r.value) {
        if (wrong++ < 3) examples.push(`${r.key} ${r.value}`);
        return;
      }
      if (seen.has(id)) {
        duplicates++;
        return;
      }
      seen.add(id);
      if (cid >= realClicks) latencies.push(r.receivedAt - sentAt[cid - realClicks]!);
      else if (pid < 0) leftOnly++;
      else {
        inner++;
        lastInnerAppend = Math.max(lastInnerAppend, r.appendTime);
      }
    });

    const command = spec.command(clicksTopic, purchasesTopic, output, `bench_w3_app_${tag}`, spec.profileDir);
    const contender = new Contender(command.command, command.args, command.ready);
    const died = (): string | undefined => (contender.exited ? `contender exited:\n${contender.output.slice(-3000)}` : undefined);
    const producer = ctx.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await waitUntil(() => contender.readyAt !== undefined, 120_000, `${spec.name} ready`, died);
      await waitUntil(() => inner >= w.inner, 600_000, `${spec.name} inner results (${w.inner})`, died);
      const throughput = (realClicks + realPurchases) / ((lastInnerAppend - contender.readyAt!) / 1000);

      // Close every window: one click per partition at closeTs (+1 per repetition).
      for (let tick = 0; leftOnly < w.leftOnly; tick++) {
        if (tick > 60) throw new Error(`${spec.name}: ${leftOnly} of ${w.leftOnly} left-only results after closing the windows`);
        const close = `{"id":-1,"user":"~close","page":"~","action":"view","ms":0}`;
        await producer.send({ topic: clicksTopic, messages: Array.from({ length: PARTITIONS }, (_, p) => ({ key: `~close${p}`, value: close, partition: p, timestamp: String(w.closeTs + tick) })) });
        const until = Date.now() + 1000;
        await waitUntil(() => leftOnly >= w.leftOnly || Date.now() > until, 2000, 'left-only results', died);
      }

      // Latency probes: PROBES_PER_TICK pairs every 10 ms.
      for (let start = 0; start < w.probes; start += PROBES_PER_TICK) {
        const end = Math.min(w.probes, start + PROBES_PER_TICK);
        const now = Date.now();
        for (let i = start; i < end; i++) sentAt[i] = now;
        await producer.sendBatch({
          topicMessages: [
            { topic: clicksTopic, messages: w.clicks.slice(realClicks + start, realClicks + end).map(encode) },
            { topic: purchasesTopic, messages: w.purchases.slice(realPurchases + start, realPurchases + end).map(encode) },
          ],
        });
        const pause = 10 - (Date.now() - now);
        if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
      }
      await waitUntil(() => latencies.length >= w.probes, 120_000, `${spec.name} probes`, died);
      // A short grace period so that late duplicates or strays are seen.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const peakRssBytes = contender.peakRss;
      const mismatch = [
        wrong > 0 ? `${wrong} unexpected outputs (${examples.join(' | ')})` : '',
        duplicates > 0 ? `${duplicates} duplicates` : '',
        seen.size !== w.pairs.size ? `${seen.size} distinct results, expected ${w.pairs.size}` : '',
      ]
        .filter(Boolean)
        .join('; ');
      return { throughput, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), peakRssBytes, mismatch };
    } finally {
      await producer.disconnect().catch(() => undefined);
      await contender.stop();
      await collector.disconnect();
    }
  } finally {
    await admin.deleteTopics({ topics: [clicksTopic, purchasesTopic, output] }).catch(() => undefined);
    await admin.disconnect();
  }
}
