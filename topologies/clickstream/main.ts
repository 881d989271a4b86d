/**
 * The clickstream demo: page statistics per 5-minute window, live.
 *
 *   npm start                                  embedded engine (TopologyTestDriver), no broker
 *   npm start -- --brokers localhost:9092      the same topology on Kafka (KafkaStreams, exactly-once)
 *   options: --seconds N (default 20; 0 = until Ctrl-C), --rate N events per second (default 2000), --seed N,
 *            --metrics-port N (serve Prometheus metrics at http://127.0.0.1:N/metrics while running)
 *
 * On a terminal the table updates in place; otherwise a snapshot is printed every few seconds.
 */
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Registry } from 'prom-client';
import { KafkaStreams, parseMetricsPort, prometheusMetrics, Serdes, serveMetrics, type MetricsServer, type PrometheusStreamsMetrics } from '../../src/index.js';
import { TopologyTestDriver } from '../../src/testing/index.js';
import { clickstream } from './generator.js';
import { StatsTable } from './live-table.js';
import { clickstreamTopology, INPUT_TOPIC, OUTPUT_TOPIC, outputKeySerde, outputValueSerde, WINDOW_MS } from './topology.js';

const { values } = parseArgs({
  options: {
    brokers: { type: 'string' },
    seconds: { type: 'string', default: '20' },
    rate: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '42' },
    'metrics-port': { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const tty = process.stdout.isTTY === true;
const table = new StatsTable();
const events = clickstream({ seed: Number(values.seed) });
let sent = 0;
let stopping = false;
let drawnLines = 0;

function draw(footer: string): void {
  const lines = [...table.render(2, WINDOW_MS), '', footer];
  if (tty) {
    process.stdout.write(`${drawnLines > 0 ? `\u001b[${drawnLines}F` : ''}\u001b[J${lines.join('\n')}\n`);
    drawnLines = lines.length;
  } else {
    console.log(lines.join('\n') + '\n');
  }
}

const registry = new Registry();
const metrics: PrometheusStreamsMetrics = prometheusMetrics({ registry });
const metricsServer: MetricsServer | undefined = values['metrics-port'] === undefined ? undefined : await serveMetrics(registry, { port: parseMetricsPort(values['metrics-port']) });
if (metricsServer !== undefined) console.log(`metrics at ${metricsServer.url}`);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
process.on('SIGINT', () => {
  stopping = true;
});

async function runEmbedded(): Promise<void> {
  const driver = new TopologyTestDriver(clickstreamTopology(), { applicationId: 'clickstream' });
  const input = driver.createInputTopic<string, unknown>(INPUT_TOPIC, Serdes.string(), Serdes.json());
  const output = driver.createOutputTopic(OUTPUT_TOPIC, outputKeySerde, outputValueSerde);
  // The embedded engine runs one task; its counts are read as KafkaStreams reads them at a commit.
  metrics.init({ applicationId: 'clickstream', instanceId: 'embedded' });
  metrics.tasksAssigned(['0_0'], []);
  const started = Date.now();
  let lastPrint = 0;
  while (!stopping && (seconds === 0 || Date.now() - started < seconds * 1000)) {
    const batch = Math.max(1, Math.round(rate / 10));
    for (let i = 0; i < batch; i++) {
      const e = events.next().value!;
      input.pipeInput(e.user, e, e.ts);
      sent++;
    }
    for (const r of output.readRecordsToList()) table.apply(r.key!.window.start, r.key!.key, r.value);
    metrics.taskMetrics({ task: '0_0', ...driver.drainMetrics() });
    if (tty || Date.now() - lastPrint > 5000) {
      draw(`embedded engine · ${sent} events in · ${table.updates} updates out · ${driver.droppedRecords} late events dropped · Ctrl-C to stop`);
      lastPrint = Date.now();
    }
    await sleep(100);
  }
  draw(`done: ${sent} events, ${table.updates} window updates, ${driver.droppedRecords} late events dropped`);
  driver.close();
}

async function runOnKafka(brokers: string[]): Promise<void> {
  const kafka = new Kafka({ clientId: 'clickstream-demo', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const wanted = [INPUT_TOPIC, OUTPUT_TOPIC].filter((t) => !existing.has(t)).map((topic) => ({ topic, numPartitions: 4 }));
  if (wanted.length > 0) await admin.createTopics({ topics: wanted, waitForLeaders: true });
  await admin.disconnect();

  const app = new KafkaStreams(clickstreamTopology(), { applicationId: 'clickstream-demo', brokers, guarantee: 'exactly_once', metrics });
  await app.start();
  const consumer = kafka.consumer({ groupId: `clickstream-demo-view-${Date.now()}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic: OUTPUT_TOPIC, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.key === null) return;
      const key = outputKeySerde.deserialize(message.key, OUTPUT_TOPIC);
      table.apply(key.window.start, key.key, message.value === null ? null : outputValueSerde.deserialize(message.value, OUTPUT_TOPIC));
    },
  });
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const started = Date.now();
  while (!stopping && (seconds === 0 || Date.now() - started < seconds * 1000)) {
    const batch = Math.max(1, Math.round(rate / 10));
    const messages = [];
    for (let i = 0; i < batch; i++) {
      const e = events.next().value!;
      messages.push({ key: e.user, value: JSON.stringify(e), timestamp: String(e.ts) });
    }
    await producer.send({ topic: INPUT_TOPIC, messages });
    sent += batch;
    draw(`Kafka ${brokers.join(',')} · ${sent} events in · ${table.updates} updates out · Ctrl-C to stop`);
    await sleep(100);
  }
  await sleep(2000);
  draw(`done: ${sent} events, ${table.updates} window updates`);
  await producer.disconnect();
  await consumer.disconnect();
  await app.close();
}

try {
  if (values.brokers !== undefined) await runOnKafka(values.brokers.split(','));
  else await runEmbedded();
} finally {
  await metricsServer?.close();
}
