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
import { Registry } from 'prom-client';
import { KafkaStreams, kafkajsAdapter, parseMetricsPort, prometheusMetrics, Serdes, serveMetrics, type MetricsServer, type PrometheusStreamsMetrics } from '../../src/index.js';
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
  const kafka = kafkajsAdapter({ brokers, clientId: 'clickstream-demo' });
  const admin = await kafka.admin();
  // Topics that exist already are kept as they are.
  await admin.createTopics([INPUT_TOPIC, OUTPUT_TOPIC].map((topic) => ({ topic, partitions: 4 })));
  await admin.close();

  const app = new KafkaStreams(clickstreamTopology(), { applicationId: 'clickstream-demo', brokers, guarantee: 'exactly_once', metrics });
  await app.start();
  // The view reads what the application committed from now on; it commits nothing itself (a group of its own per run).
  const consumer = kafka.consumer({ groupId: `clickstream-demo-view-${Date.now()}`, readCommitted: true, fromBeginning: false });
  await consumer.run([OUTPUT_TOPIC], {
    onAssigned: () => undefined,
    onBatch: async (batch) => {
      for (const message of batch.records) {
        if (message.key === null) continue;
        const key = outputKeySerde.deserialize(message.key, OUTPUT_TOPIC);
        table.apply(key.window.start, key.key, message.value === null ? null : outputValueSerde.deserialize(message.value, OUTPUT_TOPIC));
      }
    },
    onCrash: (error) => {
      stopping = true;
      console.error(`the live view's consumer stopped: ${error.message}`);
    },
  });
  const producer = await kafka.producer();
  const started = Date.now();
  while (!stopping && (seconds === 0 || Date.now() - started < seconds * 1000)) {
    const batch = Math.max(1, Math.round(rate / 10));
    const messages = [];
    for (let i = 0; i < batch; i++) {
      const e = events.next().value!;
      messages.push({ topic: INPUT_TOPIC, key: Buffer.from(e.user), value: Buffer.from(JSON.stringify(e)), timestamp: e.ts, headers: {} });
    }
    const report = await producer.send(messages);
    if (report.rejected.length > 0) throw new Error(`the broker refused ${report.rejected.length} events: ${report.rejected[0]!.error.message}`);
    sent += batch;
    draw(`Kafka ${brokers.join(',')} · ${sent} events in · ${table.updates} updates out · Ctrl-C to stop`);
    await sleep(100);
  }
  await sleep(2000);
  draw(`done: ${sent} events, ${table.updates} window updates`);
  await producer.close();
  await consumer.close();
  await app.close();
}

try {
  if (values.brokers !== undefined) await runOnKafka(values.brokers.split(','));
  else await runEmbedded();
} finally {
  await metricsServer?.close();
}
