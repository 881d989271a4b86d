// Shared by the streams-*.test.ts files: a workload of keyed records, the grouped-count app as a child
// process that can be killed, and readers of the output topic.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';
import { Serdes } from '../../src/index.js';
import { randomName, testServices, waitFor } from '../env/services.js';

const APP = fileURLToPath(new URL('./apps/grouped-count-app.ts', import.meta.url));

/**
 * The brokers, a client and a connected admin for one test file; `stop` (the file's running apps) runs after
 * its tests, before the admin disconnects.
 */
export function kafkaSuite(stop: () => Promise<unknown> = async () => undefined): { brokers: string[]; kafka: Kafka; admin: Admin } {
  const { brokers } = testServices();
  const kafka = kafkaClient(brokers);
  const admin = kafka.admin();
  beforeAll(async () => {
    await admin.connect();
  });
  afterAll(async () => {
    await stop();
    await admin.disconnect();
  });
  return { brokers, kafka, admin };
}

export function kafkaClient(brokers: string[]): Kafka {
  return new Kafka({ clientId: randomName('streams_test'), brokers, logLevel: logLevel.NOTHING });
}

export { seededRandom } from '../../src/testing/seeded-random.js';

/**
 * Produces `count` records whose key (and value) is one of `keys` keys drawn at random with a skewed
 * distribution; returns the true count per key.
 */
export async function produceWorkload(kafka: Kafka, topic: string, count: number, keys: number, random: () => number): Promise<Map<string, number>> {
  const producer = kafka.producer();
  await producer.connect();
  const truth = new Map<string, number>();
  try {
    for (let start = 0; start < count; start += 5000) {
      const messages = [];
      for (let i = start; i < Math.min(count, start + 5000); i++) {
        const key = `key-${Math.floor(keys * random() * random())}`;
        truth.set(key, (truth.get(key) ?? 0) + 1);
        messages.push({ key, value: key });
      }
      await producer.send({ topic, messages });
    }
  } finally {
    await producer.disconnect();
  }
  return truth;
}

export async function createTopics(admin: Admin, topics: { topic: string; partitions: number }[]): Promise<void> {
  await admin.createTopics({ topics: topics.map((t) => ({ topic: t.topic, numPartitions: t.partitions })), waitForLeaders: true });
}

export interface AppMessage {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** The grouped-count app in a child process. */
export class AppProcess {
  readonly messages: AppMessage[] = [];
  readonly child: ChildProcess;
  stderr = '';
  exitCode: number | null | undefined;

  /** `app`: the module to run (default the grouped-count app); it must speak the same IPC messages. */
  constructor(env: Record<string, string>, app: string = APP) {
    this.child = fork(app, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-20_000);
      if (process.env['TRIBUTARY_TEST_APP_LOG'] === '1') process.stderr.write(chunk);
    });
    this.child.on('message', (m: AppMessage) => this.messages.push(m));
    this.child.on('exit', (code) => (this.exitCode = code));
  }

  /** Records processed as of the last commit the app reported. */
  get processed(): number {
    for (let i = this.messages.length - 1; i >= 0; i--) if (this.messages[i]!.type === 'commit') return this.messages[i]!['processed'] as number;
    return 0;
  }

  get state(): string | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) if (this.messages[i]!.type === 'state') return this.messages[i]!['state'] as string;
    return undefined;
  }

  async waitForState(state: string, timeoutMs = 90_000): Promise<void> {
    await waitFor(() => this.state === state || (this.exitCode !== undefined && Promise.reject(new Error(`app exited: ${this.stderr.slice(-2000)}`))), {
      timeoutMs,
      description: `app state ${state}`,
    });
  }

  /** The app's store contents and tasks (interactive query over IPC). */
  async dump(): Promise<{ state: string; tasks: string[]; counts: Map<string, number> }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer to dump')), 10_000);
      const onMessage = (m: AppMessage): void => {
        if (m.type !== 'dump') return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve({ state: m['state'] as string, tasks: m['tasks'] as string[], counts: new Map(m['counts'] as [string, number][]) });
      };
      this.child.on('message', onMessage);
      this.child.send({ type: 'dump' });
    });
  }

  async kill(): Promise<void> {
    if (this.exitCode !== undefined) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }
}

export function appEnv(options: { brokers: string[]; applicationId: string; input: string; output: string; guarantee: 'at_least_once' | 'exactly_once'; instance: string; regroup?: boolean; sessionTimeoutMs?: number; commitIntervalMs?: number; cacheMaxBytes?: number; stateDir?: string; defaultStoreType?: 'persistent' | 'in-memory' }): Record<string, string> {
  return {
    APP_BROKERS: options.brokers.join(','),
    APP_ID: options.applicationId,
    APP_INPUT: options.input,
    APP_OUTPUT: options.output,
    APP_GUARANTEE: options.guarantee,
    APP_INSTANCE: options.instance,
    APP_REGROUP: options.regroup ? '1' : '0',
    ...(options.sessionTimeoutMs ? { APP_SESSION_TIMEOUT_MS: String(options.sessionTimeoutMs) } : {}),
    ...(options.commitIntervalMs ? { APP_COMMIT_INTERVAL_MS: String(options.commitIntervalMs) } : {}),
    ...(options.cacheMaxBytes !== undefined ? { APP_CACHE_MAX_BYTES: String(options.cacheMaxBytes) } : {}),
    ...(options.stateDir !== undefined ? { APP_STATE_DIR: options.stateDir } : {}),
    ...(options.defaultStoreType !== undefined ? { APP_DEFAULT_STORE_TYPE: options.defaultStoreType } : {}),
    TRIBUTARY_LOG_LEVEL: process.env['TRIBUTARY_LOG_LEVEL'] ?? 'warn',
  };
}

/** Reads a topic of string keys and long values from the beginning, collecting every value per key in order. */
export async function readCounts(kafka: Kafka, topic: string, readCommitted: boolean) {
  const consumer = kafka.consumer({ groupId: randomName('reader'), readUncommitted: !readCommitted });
  const valuesByKey = new Map<string, number[]>();
  const long = Serdes.long();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const key = message.key!.toString();
      let list = valuesByKey.get(key);
      if (list === undefined) valuesByKey.set(key, (list = []));
      list.push(long.deserialize(message.value!, topic));
    },
  });
  return {
    valuesByKey,
    lastByKey: () => new Map([...valuesByKey].map(([k, vs]) => [k, vs[vs.length - 1]!])),
    close: () => consumer.disconnect(),
  };
}

/** A record read back by {@link readRecords}: its key as text, its value's bytes and its headers as text. */
export interface ReadRecord {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

/** Reads `topic` from the start until at least `count` records arrived (at most a minute). */
export async function readRecords(kafka: Kafka, topic: string, count: number): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({ groupId: randomName('reader') });
  const records: ReadRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      records.push({ key: message.key!.toString(), value: message.value!, headers });
    },
  });
  try {
    await waitFor(() => records.length >= count, { timeoutMs: 60_000, description: `${count} records in ${topic}` });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

export function sameCounts(actual: ReadonlyMap<string, number>, expected: ReadonlyMap<string, number>): boolean {
  if (actual.size !== expected.size) return false;
  for (const [k, v] of expected) if (actual.get(k) !== v) return false;
  return true;
}

/** Kill points: a random number of processed records in [low, high) of `total`. */
export function randomKillPoint(random: () => number, total: number, low = 0.1, high = 0.8): number {
  return Math.floor(total * (low + (high - low) * random()));
}
