// W1 stateless on a broker: clicks -> filter -> mapValues -> output topic, 8 partitions. Each run gets fresh
// topics holding the same backlog; throughput is the backlog's input records over the time from the contender's
// READY to the last output's broker append time. Then latency probes go in at a steady rate: from the send
// call to the moment the bench's read_committed consumer sees the output.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateClicks, expectedOutputs, outputId, type ClickInput } from '../lib/clicks.js';
import { Contender, waitUntil } from '../lib/child.js';
import { collect, createTopic, produceAll } from '../lib/kafka.js';
import { percentile } from '../lib/stats.js';
import type { BenchContext, ContenderSpec, RunResult, Workload } from '../lib/types.js';

const PARTITIONS = 8;
const NODE = process.execPath;

interface Command {
  command: string;
  args: string[];
  ready: RegExp;
}

export const w1: Workload = {
  name: 'w1',
  description: 'W1 stateless: JSON clicks -> filter -> mapValues -> topic (8 partitions)',
  async prepare(ctx) {
    const total = Math.max(2000, Math.round(1_000_000 * ctx.scale));
    const probes = Math.min(10_000, Math.max(1000, Math.round(total / 50)));
    const inputs = generateClicks(total, 1);
    const expected = expectedOutputs(inputs);
    const encoded = inputs.map((r) => ({ key: Buffer.from(r.key), value: Buffer.from(r.value) }));
    const backlog = total - probes;
    const tsx = ['--import', 'tsx'];
    const contender = (name: string, command: (input: string, output: string, app: string, profileDir?: string) => Command, profilable = false): ContenderSpec => ({
      name,
      profilable,
      run: (run, profileDir) => runOnce(ctx, { name, run, inputs, encoded, expected, backlog, command, ...(profileDir === undefined ? {} : { profileDir }) }),
    });
    const tributary = (guarantee: string) => (input: string, output: string, app: string, profileDir?: string): Command => ({
      command: NODE,
      args: [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), ...tsx, join(ctx.root, 'bench/contenders/w1-tributary.ts'), ctx.brokers.join(','), input, output, app, guarantee],
      ready: /^READY$/m,
    });
    const streams = (guarantee: string) => (input: string, output: string, app: string): Command => {
      const java = ctx.java('dev.tributary.bench.ClickStreamsApp');
      return { command: java.command, args: [...java.args, ctx.brokers.join(','), input, output, app, guarantee, '1'], ready: /STATE RUNNING/ };
    };
    // kafka-streams 5.0.0 + node-rdkafka, installed by bench/setup-kafka-streams-npm.sh (or anywhere else, named by
    // TRIBUTARY_BENCH_KAFKA_STREAMS_NPM); see bench/RESULTS.md for why it is not a dependency.
    const npmInstall = process.env['TRIBUTARY_BENCH_KAFKA_STREAMS_NPM'] ?? join(ctx.dataDir, 'kafka-streams-npm');
    const npmKafkaStreams = existsSync(join(npmInstall, 'node_modules/node-rdkafka/build/Release/node-librdkafka.node')) ? npmInstall : undefined;
    const defaultClient =
      'npm kafka-streams 5.0.0 with its default JS client cannot run against Kafka 4.x: the client is sinek 9 on kafka-node 5.0.0, which sends ListOffsets v0 only (Fetch at most v2, CreateTopics at most v1); Kafka 4 removed ListOffsets v0 and Fetch v0-v3 (KIP-896; the 4.4 broker advertises ListOffsets v1-11, Fetch v4-18, CreateTopics v2-7). The consumer joins its group, then the broker closes the connection on its first ListOffsets ("UnsupportedVersionException: Received request for api with key 2 (ListOffsets) and unsupported version 0") and kafka-node retries forever ("BrokerNotAvailableError: Broker not available (socket closed)"): no record is consumed. Its native client needs node-rdkafka, documented as 2.7.4, which does not compile on Node 20 (V8 API errors in its nan binding); with node-rdkafka 3.6.1 (librdkafka 2.12, built from source) it works.';
    return {
      records: total,
      contenders: [
        contender('tributary at_least_once', tributary('at_least_once'), true),
        contender('tributary exactly_once', tributary('exactly_once')),
        contender('raw kafkajs (at-least-once)', (input, output, app) => ({ command: NODE, args: [...tsx, join(ctx.root, 'bench/contenders/w1-kafkajs.ts'), ctx.brokers.join(','), input, output, app], ready: /^READY$/m })),
        contender('kafka streams at_least_once', streams('at_least_once')),
        contender('kafka streams exactly_once', streams('exactly_once')),
        ...(npmKafkaStreams === undefined
          ? []
          : [
              contender('npm kafka-streams 5.0.0 (node-rdkafka, batch commits)', (input, output, app) => ({
                command: NODE,
                args: [...tsx, join(ctx.root, 'bench/contenders/w1-kafka-streams-npm.ts'), npmKafkaStreams, ctx.brokers.join(','), input, output, app],
                ready: /^READY$/m,
              })),
            ]),
      ],
      unsupported: [
        npmKafkaStreams === undefined
          ? `${defaultClient} That native build is not a dependency of this repository: run bash bench/setup-kafka-streams-npm.sh (about ten minutes) and W1 adds the contender.`
          : `${defaultClient} The contender here runs on that native client (${npmKafkaStreams}).`,
      ],
    };
  },
};

interface RunSpec {
  name: string;
  run: number;
  inputs: ClickInput[];
  encoded: { key: Buffer; value: Buffer }[];
  expected: (string | undefined)[];
  backlog: number;
  command: (input: string, output: string, app: string, profileDir?: string) => Command;
  profileDir?: string;
}

async function runOnce(ctx: BenchContext, spec: RunSpec): Promise<RunResult> {
  const tag = `${spec.name.replace(/[^a-z]+/g, '_')}_${spec.run}_${randomBytes(3).toString('hex')}`;
  const input = `bench_w1_in_${tag}`;
  const output = `bench_w1_out_${tag}`;
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    await createTopic(admin, input, PARTITIONS);
    await createTopic(admin, output, PARTITIONS, { 'message.timestamp.type': 'LogAppendTime' });
    await produceAll(ctx.kafka, input, spec.encoded.slice(0, spec.backlog));

    const seen = new Uint8Array(spec.inputs.length);
    const sentAt = new Float64Array(spec.inputs.length);
    const latencies: number[] = [];
    let wrong = 0;
    let duplicates = 0;
    let outputs = 0;
    let backlogOutputs = 0;
    let lastAppend = 0;
    const collector = await collect(ctx.kafka, output, (r) => {
      const id = outputId(r.value);
      outputs++;
      if (!(id >= 0 && id < spec.inputs.length) || spec.expected[id] !== r.value || spec.inputs[id]!.key !== r.key) {
        wrong++;
        return;
      }
      if (seen[id]! > 0) duplicates++;
      seen[id] = 1;
      if (id < spec.backlog) {
        backlogOutputs++;
        lastAppend = Math.max(lastAppend, r.appendTime);
      } else latencies.push(r.receivedAt - sentAt[id]!);
    });
    const expectedBacklog = spec.expected.slice(0, spec.backlog).filter((v) => v !== undefined).length;
    const expectedProbes = spec.expected.slice(spec.backlog).filter((v) => v !== undefined).length;

    const command = spec.command(input, output, `bench_w1_app_${tag}`, spec.profileDir);
    const contender = new Contender(command.command, command.args, command.ready);
    const died = (): string | undefined => (contender.exited ? `contender exited:\n${contender.output.slice(-3000)}` : undefined);
    try {
      await waitUntil(() => contender.readyAt !== undefined, 120_000, `${spec.name} ready`, died);
      await waitUntil(() => backlogOutputs >= expectedBacklog, 600_000, `${spec.name} backlog (${expectedBacklog} outputs)`, died);
      const throughput = spec.backlog / ((lastAppend - contender.readyAt!) / 1000);

      // Latency probes: 50 records every 10 ms (~5k records/s).
      const producer = ctx.kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      try {
        for (let start = spec.backlog; start < spec.inputs.length; start += 50) {
          const end = Math.min(spec.inputs.length, start + 50);
          const now = Date.now();
          for (let i = start; i < end; i++) sentAt[i] = now;
          await producer.send({ topic: input, messages: spec.encoded.slice(start, end) });
          const pause = 10 - (Date.now() - now);
          if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
        }
      } finally {
        await producer.disconnect();
      }
      await waitUntil(() => latencies.length >= expectedProbes, 120_000, `${spec.name} probes`, died);
      // A short grace period so that late duplicates or strays are seen.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const peakRssBytes = contender.peakRss;
      const mismatch = [
        wrong > 0 ? `${wrong} unexpected outputs` : '',
        duplicates > 0 ? `${duplicates} duplicates` : '',
        outputs - wrong - duplicates !== expectedBacklog + expectedProbes ? `${outputs} outputs, expected ${expectedBacklog + expectedProbes}` : '',
      ]
        .filter(Boolean)
        .join('; ');
      return { throughput, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), peakRssBytes, mismatch };
    } finally {
      await contender.stop();
      await collector.disconnect();
    }
  } finally {
    await admin.deleteTopics({ topics: [input, output] }).catch(() => undefined);
    await admin.disconnect();
  }
}
