import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { JoinWindows } from '../dsl/windows.js';
import { ConfigError, DeadLetterHeaders, deadLetter, logAndContinue, RecordTooLargeError, type OutgoingRecord } from '../errors.js';
import type { ConsumedBatch, KafkaPort } from '../kafka/port.js';
import { Serdes } from '../serde/serdes.js';
import { TransactionFailedError } from '../kafka/transaction-errors.js';
import { ManualClockScheduler } from '../testing/manual-clock-scheduler.js';
import { countTopology, memoryKafka, words } from './memory-kafka.test-support.js';
import { CHANGELOG_OFFSETS_HEADER, KafkaStreams, MAX_BUFFERED_RECORDS_PER_PARTITION, type RecoveryInfo } from './kafka-streams.js';

async function settle(app: KafkaStreams, state = 'RUNNING'): Promise<void> {
  for (let i = 0; i < 100 && app.state !== state; i++) await new Promise((r) => setTimeout(r, 5));
}

/** Waits (a few seconds at most, for a loaded machine) until `condition` holds; the assertions after it say what failed. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
}

describe('KafkaStreams', () => {
  it('creates the changelog, then at least once: produces outputs, then changelog records with their offsets, then commits offsets', async () => {
    const kafka = memoryKafka({ words: 1 });
    const app = new KafkaStreams(countTopology(), { applicationId: 'wc', kafka: kafka.port, commitIntervalMs: 60_000 });
    await app.start();
    expect(kafka.created).toEqual([{ topic: 'wc-counts-changelog', partitions: 1, configs: expect.objectContaining({ 'cleanup.policy': 'compact' }) }]);
    kafka.assign([{ topic: 'words', partition: 0 }]);
    await settle(app);
    await kafka.batch(words('words', 0, 0, ['a', 'b', 'a']));
    expect(app.store<string, number>('counts').get('a')).toBe(2);
    await app.close();
    expect(kafka.ops).toEqual(['send counts-out', 'send wc-counts-changelog', `commit ${JSON.stringify([{ topic: 'words', partition: 0, offset: 3 }])}`, 'consumer close']);
    const changelog = kafka.log('wc-counts-changelog', 0);
    expect(changelog.map((r) => r.headers[CHANGELOG_OFFSETS_HEADER])).toEqual(['[["words",0,3]]', '[["words",0,3]]']);
    expect(app.state).toBe('NOT_RUNNING');
  });

  it("a StreamPartitioner is told the partition count of the topic it partitions for: an output topic's as the broker reports it, a repartition topic's as planned", async () => {
    const kafka = memoryKafka({ words: 2, 'by-word': 6 });
    const seen: [string, number][] = [];
    const partitioner = (topic: string, _key: string, _value: string, partitionCount: number): number => {
      seen.push([topic, partitionCount]);
      return 0;
    };
    const b = new StreamsBuilder();
    const serdes = { key: Serdes.string(), value: Serdes.string() };
    const input = b.stream('words', serdes);
    input.to('by-word', { ...serdes, partitioner });
    input.repartition({ ...serdes, name: 'spread', partitions: 3, partitioner }).to('spread-out', serdes);
    const app = new KafkaStreams(b.build(), { applicationId: 'pc', kafka: kafka.port, commitIntervalMs: 60_000 });
    await app.start();
    kafka.assign([{ topic: 'words', partition: 0 }]);
    await settle(app);
    await kafka.batch(words('words', 0, 0, ['a']));
    await app.close();
    expect(seen).toEqual([
      ['by-word', 6],
      ['pc-spread-repartition', 3],
    ]);
  });

  it('with a record cache, interactive queries see the latest count and the clean close forwards one count per key in its commit', async () => {
    const kafka = memoryKafka({ words: 1 });
    const app = new KafkaStreams(countTopology(), { applicationId: 'wc', kafka: kafka.port, commitIntervalMs: 60_000, cacheMaxBytes: 1024 * 1024 });
    await app.start();
    kafka.assign([{ topic: 'words', partition: 0 }]);
    await settle(app);
    await kafka.batch(words('words', 0, 0, ['a', 'b', 'a']));
    expect(app.store<string, number>('counts').get('a')).toBe(2);
    expect(kafka.log('counts-out', 0)).toEqual([]);
    await app.close();
    expect(kafka.log('counts-out', 0).map((r) => [r.key?.toString(), Serdes.long().deserialize(r.value!, 'counts-out')])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(kafka.ops).toEqual(['send counts-out', 'send wc-counts-changelog', `commit ${JSON.stringify([{ topic: 'words', partition: 0, offset: 3 }])}`, 'consumer close']);
    expect(() => new KafkaStreams(countTopology(), { applicationId: 'wc', kafka: kafka.port, cacheMaxBytes: -1 })).toThrow(/cacheMaxBytes must be an integer of at least 0/);
  });

  it('at least once sends outputs as they are produced and commits their offsets only after the send is acknowledged', async () => {
    const kafka = memoryKafka({ words: 1 });
    let acknowledge!: () => void;
    const acknowledged = new Promise<void>((resolve) => (acknowledge = resolve));
    const port: KafkaPort = {
      ...kafka.port,
      producer: async (options) => {
        const producer = await kafka.port.producer(options);
        return { ...producer, send: async (records) => (records.some((r) => r.topic === 'counts-out') && (await acknowledged), producer.send(records)) };
      },
    };
    const app = new KafkaStreams(countTopology(), { applicationId: 'wc', kafka: port, commitIntervalMs: 60_000 });
    await app.start();
    kafka.assign([{ topic: 'words', partition: 0 }]);
    await settle(app);
    await kafka.batch(words('words', 0, 0, ['a', 'b', 'a']));
    // Long before the commit interval the outputs are on their way; the commit that closing makes waits for them.
    const closing = app.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(kafka.ops).toEqual([]);
    acknowledge();
    await closing;
    expect(kafka.ops).toEqual(['send counts-out', 'send wc-counts-changelog', `commit ${JSON.stringify([{ topic: 'words', partition: 0, offset: 3 }])}`, 'consumer close']);
    expect(kafka.log('counts-out', 0).map((r) => r.key?.toString())).toEqual(['a', 'b', 'a']);
  });

  it('at least once does not wait for the commit interval to make outputs visible', async () => {
    const kafka = memoryKafka({ words: 1 });
    const app = new KafkaStreams(countTopology(), { applicationId: 'wc', kafka: kafka.port, commitIntervalMs: 60_000 });
    await app.start();
    kafka.assign([{ topic: 'words', partition: 0 }]);
    await settle(app);
    await kafka.batch(words('words', 0, 0, ['a', 'b']));
    await until(() => kafka.log('counts-out', 0).length === 2);
    await kafka.batch(words('words', 0, 2, ['a']));
    await until(() => kafka.log('counts-out', 0).length === 3);
    expect(kafka.ops).toEqual(['send counts-out', 'send counts-out']);
    await app.close();
    expect(kafka.ops.slice(2)).toEqual(['send wc-counts-changelog', `commit ${JSON.stringify([{ topic: 'words', partition: 0, offset: 3 }])}`, 'consumer close']);
  });

  it('at least once goes on processing while a commit sends its changelog and commits its offsets', async () => {
    const kafka = memoryKafka({ words: 1 });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const port: KafkaPort = {
      ...kafka.port,
      producer: async (options) => {
        const producer = await kafka.port.producer(options);
        return { ...producer, send: async (records) => (records.some((r) => r.topic === 'wc-counts-changelog') && (await released), producer.send(records)) };
      },
    };
    const clock = new ManualClockScheduler(0);
    const app = new KafkaStreams(countTopology(), { applicationId: 'wc', kafka: port, commitIntervalMs: 1000, scheduler: clock });
    const commits: number[] = [];
    app.on('commit', (info) => commits.push(info.records));
    await app.start();
    kafka.assign([{ topic: 'words', partition: 0 }]);
    await settle(app);
    await kafka.batch(words('words', 0, 0, ['a', 'b']));
    clock.advanceTo(1000); // the commit waits on its changelog send
    await kafka.batch(words('words', 0, 2, ['a']));
    expect(app.store<string, number>('counts').get('a')).toBe(2);
    await until(() => kafka.log('counts-out', 0).length === 3);
    expect(kafka.ops.filter((op) => op.startsWith('commit'))).toEqual([]);
    release();
    await until(() => commits.length === 1);
    expect(commits).toEqual([2]);
    await app.close();
    expect(kafka.ops.filter((op) => op.startsWith('commit'))).toEqual([
      `commit ${JSON.stringify([{ topic: 'words', partition: 0, offset: 2 }])}`,
      `commit ${JSON.stringify([{ topic: 'words', partition: 0, offset: 3 }])}`,
    ]);
    expect(commits).toEqual([2, 1]);
  });

  it('restores stores before processing and skips input whose effect the changelog already holds', async () => {
    const kafka = memoryKafka({ words: 1 });
    const first = new KafkaStreams(countTopology(), { applicationId: 'wc', kafka: kafka.port, commitIntervalMs: 60_000 });
    await first.start();
    kafka.assign([{ topic: 'words', partition: 0 }]);
    await settle(first);
    await kafka.batch(words('words', 0, 0, ['a', 'b', 'a']));
    await first.close();

    // The offset commit above is lost (as after a crash): the consumer delivers the records again.
    const second = new KafkaStreams(countTopology(), { applicationId: 'wc', kafka: kafka.port, commitIntervalMs: 60_000 });
    const restored: number[] = [];
    second.on('restored', (info) => restored.push(info.records));
    await second.start();
    kafka.assign([{ topic: 'words', partition: 0 }]);
    await settle(second);
    expect(restored).toEqual([2]);
    expect(second.store<string, number>('counts').get('a')).toBe(2);
    await kafka.batch(words('words', 0, 0, ['a', 'b', 'a', 'c']));
    expect([...second.store<string, number>('counts').all()].sort()).toEqual([
      ['a', 2],
      ['b', 1],
      ['c', 1],
    ]);
    await second.close();
  });

  it('restores the outer join store: a restored task still emits a pending non-joined record', async () => {
    const s = { key: Serdes.string(), value: Serdes.string() };
    const leftJoinTopology = () => {
      const b = new StreamsBuilder();
      b.stream('orders', s)
        .leftJoin(b.stream('payments', s), (o, p) => `${o}+${p ?? 'null'}`, JoinWindows.ofTimeDifferenceAndGrace(10, 5))
        .to('paid', s);
      return b.build();
    };
    const one = (topic: string, offset: number, key: string, value: string, timestamp: number): ConsumedBatch => ({
      topic,
      partition: 0,
      highWatermark: offset + 1,
      records: [{ offset, key: Buffer.from(key), value: Buffer.from(value), timestamp, headers: {} }],
    });
    const kafka = memoryKafka({ orders: 1, payments: 1 });
    const inputs = [
      { topic: 'orders', partition: 0 },
      { topic: 'payments', partition: 0 },
    ];
    const first = new KafkaStreams(leftJoinTopology(), { applicationId: 'pay', kafka: kafka.port, commitIntervalMs: 60_000 });
    await first.start();
    expect(kafka.created.map((t) => t.topic)).toContain(`pay-${[...leftJoinTopology().stores.keys()].find((n) => n.includes('OUTERSHARED'))}-changelog`);
    kafka.assign(inputs);
    await settle(first);
    await kafka.batch(one('orders', 0, 'o1', 'A', 100)); // no payment: pending until stream time passes 100 + 10 + 5
    await kafka.batch(one('payments', 0, 'o2', 'p', 104));
    await first.close();
    expect(kafka.log('paid', 0)).toEqual([]);

    const second = new KafkaStreams(leftJoinTopology(), { applicationId: 'pay', kafka: kafka.port, commitIntervalMs: 60_000 });
    await second.start();
    kafka.assign(inputs);
    await settle(second);
    await kafka.batch(one('payments', 1, 'o3', 'q', 200)); // closes o1's window
    await second.close();
    expect(kafka.log('paid', 0).map((r) => [r.key?.toString(), r.value?.toString(), r.timestamp])).toEqual([['o1', 'A+null', 100]]);
  });

  it('exactly once: one transaction per commit with outputs, changelog and offsets', async () => {
    const kafka = memoryKafka({ words: 2 });
    const app = new KafkaStreams(countTopology(), { applicationId: 'wc', kafka: kafka.port, guarantee: 'exactly_once', instanceId: 'i-1', commitIntervalMs: 60_000 });
    await app.start();
    kafka.assign([
      { topic: 'words', partition: 0 },
      { topic: 'words', partition: 1 },
    ]);
    await settle(app);
    expect(app.taskIds).toEqual(['0_0', '0_1']);
    await kafka.batch(words('words', 1, 7, ['x']));
    await app.close();
    expect(kafka.ops).toEqual([
      'begin wc-i-1',
      'txn send counts-out',
      'txn send wc-counts-changelog',
      `txn offsets wc ${JSON.stringify([{ topic: 'words', partition: 1, offset: 8 }])}`,
      'txn commit',
      'consumer close',
    ]);
    // The offsets go with the consumer's generation, so a coordinator that moved on refuses them.
    expect(kafka.sentGroupMetadata).toEqual([{ generationId: 3, memberId: 'member-1' }]);
  });

  it('exactly once: offsets refused for a stale generation abort the transaction and rebuild the tasks (migrated)', async () => {
    const kafka = memoryKafka({ words: 1 });
    const app = new KafkaStreams(countTopology(), { applicationId: 'wc', kafka: kafka.port, guarantee: 'exactly_once', instanceId: 'i-1', commitIntervalMs: 1 });
    const recovered: RecoveryInfo[] = [];
    app.on('recovered', (info) => recovered.push(info));
    await app.start();
    kafka.assign([{ topic: 'words', partition: 0 }]);
    await settle(app);
    await kafka.batch(words('words', 0, 0, ['a']));
    await until(() => kafka.ops.includes('txn commit'));

    // More migrations in a row than the recovery budget (3) allows for other failures: none is counted.
    const illegalGeneration = () => Object.assign(new Error('Specified group generation id is not valid'), { name: 'KafkaJSProtocolError', type: 'ILLEGAL_GENERATION', code: 22, retriable: false });
    for (let i = 1; i <= 4; i++) {
      kafka.commitFailures.push(illegalGeneration());
      await kafka.batch(words('words', 0, 1, ['a']));
      await until(() => recovered.length === i && app.state === 'RUNNING');
    }
    expect(app.state).toBe('RUNNING');
    expect(recovered).toHaveLength(4);
    for (const info of recovered) expect(info).toEqual(expect.objectContaining({ kind: 'migrated', tasks: ['0_0'], attempt: 1 }));
    expect(kafka.ops).toContain('txn abort');
    expect(kafka.ops).toContain(`seek ${JSON.stringify([{ topic: 'words', partition: 0, offset: 1 }])}`);
    expect(app.store<string, number>('counts').get('a')).toBe(1);
    await app.close();
  });

  it('exactly once: a fenced transaction is aborted, the producer re-created, input rewound and the task rebuilt from its changelog', async () => {
    const kafka = memoryKafka({ words: 1 });
    const app = new KafkaStreams(countTopology(), { applicationId: 'wc', kafka: kafka.port, guarantee: 'exactly_once', instanceId: 'i-1', commitIntervalMs: 1 });
    const recovered: RecoveryInfo[] = [];
    app.on('recovered', (info) => recovered.push(info));
    await app.start();
    kafka.assign([{ topic: 'words', partition: 0 }]);
    await settle(app);
    await kafka.batch(words('words', 0, 0, ['a', 'b']));
    await until(() => kafka.ops.includes('txn commit'));

    kafka.commitFailures.push(Object.assign(new Error('This producer has been fenced'), { name: 'KafkaJSProtocolError', type: 'INVALID_PRODUCER_EPOCH', code: 47, retriable: false }));
    await kafka.batch(words('words', 0, 2, ['a', 'a']));
    await until(() => recovered.length > 0 && app.state === 'RUNNING');
    expect(app.state).toBe('RUNNING');
    expect(recovered).toEqual([expect.objectContaining({ kind: 'fenced', tasks: ['0_0'], attempt: 1 })]);
    expect(kafka.producers()).toBe(2);
    expect(kafka.ops).toContain('txn abort');
    expect(kafka.ops).toContain(`seek ${JSON.stringify([{ topic: 'words', partition: 0, offset: 2 }])}`);
    // The uncommitted increments are gone: the store holds what the changelog holds.
    expect(app.store<string, number>('counts').get('a')).toBe(1);

    // A batch fetched before the rewind is not processed; the re-read is.
    await kafka.batch({ ...words('words', 0, 4, ['a']), isStale: () => true });
    expect(app.store<string, number>('counts').get('a')).toBe(1);
    await kafka.batch(words('words', 0, 2, ['a', 'a']));
    await app.close();
    expect(kafka.log('counts-out', 0).filter((r) => r.key?.toString() === 'a').map((r) => Serdes.long().deserialize(r.value!, 'counts-out'))).toEqual([1, 2, 3]);
    expect(app.state).toBe('NOT_RUNNING');
  });

  it('exactly once: a fatal transaction error, or one recovery too many, moves the instance to ERROR', async () => {
    const authorization = Object.assign(new Error('Not authorized to access topics'), { name: 'KafkaJSProtocolError', type: 'TOPIC_AUTHORIZATION_FAILED', code: 29 });
    const timeout = Object.assign(new Error('Request timed out'), { name: 'KafkaJSRequestTimeoutError', retriable: true });
    for (const failures of [[authorization], [timeout, timeout]]) {
      const kafka = memoryKafka({ words: 1 });
      const app = new KafkaStreams(countTopology(), { applicationId: 'wc', kafka: kafka.port, guarantee: 'exactly_once', commitIntervalMs: 1, transactionRecovery: { maxAttempts: 1 } });
      await app.start();
      kafka.assign([{ topic: 'words', partition: 0 }]);
      await settle(app);
      kafka.commitFailures.push(...failures);
      for (let offset = 0; offset < failures.length; offset++) {
        await kafka.batch(words('words', 0, offset, ['a']));
        // The commit (on the batch or the next commit tick) consumes one failure.
        for (let i = 0; i < 200 && kafka.commitFailures.length > failures.length - offset - 1; i++) await new Promise((r) => setTimeout(r, 5));
        await settle(app);
      }
      await settle(app, 'ERROR');
      expect(app.state).toBe('ERROR');
      expect(app.error).toBeInstanceOf(TransactionFailedError);
      expect((app.error as TransactionFailedError).kind).toBe('fatal');
      expect(app.error!.message).toMatch(failures.length === 1 ? /Not authorized/ : /giving up after 1 recoveries/);
    }
  });

  describe('a rebalance keeps the tasks that stay', () => {
    const p0 = { topic: 'words', partition: 0 };
    const p1 = { topic: 'words', partition: 1 };
    const counts = (app: KafkaStreams) => Object.fromEntries([...app.store<string, number>('counts').all()]);
    const values = (kafka: ReturnType<typeof memoryKafka>, topic: string) => kafka.log(topic, 0).map((r) => `${r.key?.toString()}=${r.value?.readBigInt64BE().toString()}`);

    async function twoPartitions(guarantee: 'at_least_once' | 'exactly_once') {
      const kafka = memoryKafka({ words: 2 });
      const clock = new ManualClockScheduler(0);
      const app = new KafkaStreams(countTopology(), { applicationId: 'wc', kafka: kafka.port, commitIntervalMs: 1000, scheduler: clock, guarantee });
      const restored: string[] = [];
      app.on('restored', (info) => restored.push(info.task));
      const commits: number[] = [];
      app.on('commit', (info) => commits.push(info.offsets));
      await app.start();
      kafka.assign([p0, p1]);
      await settle(app);
      await kafka.batch(words('words', 0, 0, ['a', 'b', 'a']));
      await kafka.batch(words('words', 1, 0, ['c']));
      clock.advanceTo(1000);
      await until(() => commits.length === 1);
      // Processed after the commit: work the next commit must still cover.
      await kafka.batch(words('words', 0, 3, ['a']));
      return { kafka, clock, app, restored, commits };
    }

    it('at least once: a task that stays keeps its state, and its input re-read from the committed offset is not applied twice', async () => {
      const { kafka, clock, app, restored, commits } = await twoPartitions('at_least_once');
      expect(restored.sort()).toEqual(['0_0', '0_1']);
      kafka.assign([p0]); // another instance took partition 1
      await until(() => app.taskIds.length === 1);
      await settle(app);
      expect(app.taskIds).toEqual(['0_0']);
      expect(restored).toHaveLength(2); // nothing restored for the task that stayed
      expect(counts(app)).toEqual({ a: 3, b: 1 });
      // The consumer starts again from the committed offset 3: record 3 is already in the state.
      await kafka.batch(words('words', 0, 3, ['a', 'b']));
      expect(counts(app)).toEqual({ a: 3, b: 2 });
      clock.advanceTo(2000);
      await until(() => commits.length === 2);
      expect(kafka.committed.get('words/0')).toEqual({ ...p0, offset: 5 });
      expect(values(kafka, 'counts-out')).toEqual(['a=1', 'b=1', 'a=2', 'c=1', 'a=3', 'b=2']);
      expect(values(kafka, 'wc-counts-changelog').slice(-2).sort()).toEqual(['a=3', 'b=2']);
      await app.close();
    });

    it('a task whose partition another instance committed meanwhile is rebuilt from its changelog', async () => {
      const { kafka, app, restored } = await twoPartitions('at_least_once');
      // This instance missed a generation: another one owned partition 0 and committed further.
      kafka.committed.set('words/0', { ...p0, offset: 4 });
      kafka.assign([p0]);
      await until(() => restored.length === 3);
      await settle(app);
      expect(restored.sort()).toEqual(['0_0', '0_0', '0_1']);
      // The changelog as of the last commit, not the state the uncommitted record 3 had made.
      expect(counts(app)).toEqual({ a: 2, b: 1 });
      await app.close();
    });

    it('a member that missed a generation keeps no task, even where the committed offsets did not move', async () => {
      const { kafka, app, restored } = await twoPartitions('at_least_once');
      kafka.skipGeneration();
      kafka.assign([p0]);
      await until(() => restored.length === 3);
      await settle(app);
      expect(restored.sort()).toEqual(['0_0', '0_0', '0_1']);
      expect(counts(app)).toEqual({ a: 2, b: 1 });
      await app.close();
    });

    it('exactly once: a task that stays keeps its uncommitted work, and the next transaction commits it', async () => {
      const { kafka, clock, app, restored, commits } = await twoPartitions('exactly_once');
      kafka.assign([p0]);
      await until(() => app.taskIds.length === 1);
      await settle(app);
      expect(restored).toHaveLength(2);
      expect(values(kafka, 'counts-out')).toEqual(['a=1', 'b=1', 'a=2', 'c=1']);
      clock.advanceTo(2000);
      await until(() => commits.length === 2);
      expect(values(kafka, 'counts-out')).toEqual(['a=1', 'b=1', 'a=2', 'c=1', 'a=3']);
      expect(kafka.committed.get('words/0')).toEqual({ ...p0, offset: 4 });
      await app.close();
    });
  });

  it('refuses to start without its source topic, and rejects bad config at construction', async () => {
    const kafka = memoryKafka({});
    const app = new KafkaStreams(countTopology(), { applicationId: 'wc', kafka: kafka.port });
    await expect(app.start()).rejects.toThrow(/source topic words does not exist/);
    expect(app.state).toBe('ERROR');
    expect(() => new KafkaStreams(countTopology(), { applicationId: '' })).toThrow(ConfigError);
    expect(() => new KafkaStreams(countTopology(), { applicationId: 'x' })).toThrow(/brokers are required/);
  });

  describe('a join task waits for the input partition that has data on the broker (maxTaskIdleMs)', () => {
    const s = { key: Serdes.string(), value: Serdes.string() };
    const clickJoin = () => {
      const b = new StreamsBuilder();
      b.stream('clicks', s)
        .leftJoin(b.stream('purchases', s), (c, p) => `${c}+${p ?? 'null'}`, JoinWindows.ofTimeDifferenceAndGrace(10, 0))
        .to('out', s);
      return b.build();
    };
    const inputs = [
      { topic: 'clicks', partition: 0 },
      { topic: 'purchases', partition: 0 },
    ];
    const record = (offset: number, key: string, value: string, timestamp: number) => ({ offset, key: Buffer.from(key), value: Buffer.from(value), timestamp, headers: {} });
    // The backlog: clicks c1@100 and c2@500, purchase p1@105 for c1; the clicks fetch is delivered first.
    const clicks: ConsumedBatch = { topic: 'clicks', partition: 0, highWatermark: 2, records: [record(0, 'k1', 'c1', 100), record(1, 'k2', 'c2', 500)] };
    const purchases: ConsumedBatch = { topic: 'purchases', partition: 0, highWatermark: 1, records: [record(0, 'k1', 'p1', 105)] };
    /** Puts records on the broker (as the admin sees them) without the consumer having fetched them. */
    const onBroker = (kafka: ReturnType<typeof memoryKafka>, topic: string, count: number) => {
      for (let i = 0; i < count; i++) kafka.append(topic, 0, { key: null, value: null, timestamp: 0 });
    };
    const out = (kafka: ReturnType<typeof memoryKafka>) => kafka.log('out', 0).map((r) => r.value?.toString());

    async function run(maxTaskIdleMs: number | undefined): Promise<(string | undefined)[]> {
      const kafka = memoryKafka({ clicks: 1, purchases: 1 });
      onBroker(kafka, 'clicks', 2);
      onBroker(kafka, 'purchases', 1);
      const app = new KafkaStreams(clickJoin(), { applicationId: 'cp', kafka: kafka.port, commitIntervalMs: 60_000, ...(maxTaskIdleMs === undefined ? {} : { maxTaskIdleMs }) });
      await app.start();
      kafka.assign(inputs);
      await settle(app);
      await kafka.batch(clicks);
      const processedBeforePurchases = app.processedRecords;
      await kafka.batch(purchases);
      await app.close();
      return [String(processedBeforePurchases), ...out(kafka)];
    }

    it('by default (0) the clicks wait for the purchases fetch: no spurious left-only result', async () => {
      expect(await run(undefined)).toEqual(['0', 'c1+p1']);
    });

    it('with -1 the clicks are processed at once and c1 is emitted without its purchase', async () => {
      expect(await run(-1)).toEqual(['2', 'c1+null']);
    });

    it('a partition caught up at assignment does not hold the task back', async () => {
      const kafka = memoryKafka({ clicks: 1, purchases: 1 });
      onBroker(kafka, 'clicks', 2);
      const app = new KafkaStreams(clickJoin(), { applicationId: 'cp', kafka: kafka.port, commitIntervalMs: 60_000 });
      await app.start();
      kafka.assign(inputs);
      await settle(app);
      await kafka.batch(clicks);
      expect(app.processedRecords).toBe(2);
      await app.close();
      expect(out(kafka)).toEqual(['c1+null']);
    });

    it('a fetch with only transaction markers reports the partition caught up and lets the task go on', async () => {
      const kafka = memoryKafka({ clicks: 1, purchases: 1 });
      onBroker(kafka, 'clicks', 2);
      onBroker(kafka, 'purchases', 1);
      const app = new KafkaStreams(clickJoin(), { applicationId: 'cp', kafka: kafka.port, commitIntervalMs: 60_000 });
      await app.start();
      kafka.assign(inputs);
      await settle(app);
      await kafka.batch(clicks);
      expect(app.processedRecords).toBe(0);
      await kafka.batch({ topic: 'purchases', partition: 0, highWatermark: 1, nextOffset: 1, records: [] });
      expect(app.processedRecords).toBe(2);
      await app.close();
      expect(out(kafka)).toEqual(['c1+null']);
    });

    it('a lag that is never fetched stops holding the task back after the bounded wait (wall-clock tick)', async () => {
      const kafka = memoryKafka({ clicks: 1, purchases: 1 });
      onBroker(kafka, 'clicks', 2);
      onBroker(kafka, 'purchases', 1);
      const clock = new ManualClockScheduler(10_000);
      const app = new KafkaStreams(clickJoin(), { applicationId: 'cp', kafka: kafka.port, commitIntervalMs: 60_000, scheduler: clock });
      await app.start();
      kafka.assign(inputs);
      await settle(app);
      await kafka.batch(clicks);
      // A batch of a partition the instance does not own queues behind the ticks: it settles after them.
      const afterTicks = () => kafka.batch({ topic: 'elsewhere', partition: 0, highWatermark: 0, records: [] });
      clock.advanceTo(11_000);
      await afterTicks();
      expect(app.processedRecords).toBe(0);
      clock.advanceTo(12_100);
      await afterTicks();
      expect(app.processedRecords).toBe(2);
      await app.close();
      expect(out(kafka)).toEqual(['c1+null']);
    });

    it('pauses a partition whose task buffers too many of its records while waiting, and resumes it once they are processed', async () => {
      const kafka = memoryKafka({ clicks: 1, purchases: 1 });
      const many = MAX_BUFFERED_RECORDS_PER_PARTITION;
      onBroker(kafka, 'clicks', many);
      onBroker(kafka, 'purchases', 1);
      const app = new KafkaStreams(clickJoin(), { applicationId: 'cp', kafka: kafka.port, commitIntervalMs: 60_000 });
      await app.start();
      kafka.assign(inputs);
      await settle(app);
      const backlog = Array.from({ length: many }, (_, i) => record(i, `k${i}`, `c${i}`, 100 + i));
      await kafka.batch({ topic: 'clicks', partition: 0, highWatermark: many, records: backlog.slice(0, many - 1) });
      expect(kafka.ops.filter((op) => op.startsWith('pause'))).toEqual([]);
      await kafka.batch({ topic: 'clicks', partition: 0, highWatermark: many, records: backlog.slice(many - 1) });
      expect(app.processedRecords).toBe(0);
      // The partition waited for (purchases) has nothing buffered, so it is never the paused one.
      expect(kafka.ops.filter((op) => op.startsWith('pause') || op.startsWith('resume'))).toEqual(['pause clicks-0']);
      await kafka.batch(purchases);
      expect(app.processedRecords).toBe(many + 1);
      expect(kafka.ops.filter((op) => op.startsWith('pause') || op.startsWith('resume'))).toEqual(['pause clicks-0', 'resume clicks-0']);
      await app.close();
    });

    it('rejects a maxTaskIdleMs below -1', () => {
      expect(() => new KafkaStreams(clickJoin(), { applicationId: 'cp', kafka: memoryKafka({}).port, maxTaskIdleMs: -2 })).toThrow(ConfigError);
    });
  });
});

describe('KafkaStreams: output records refused one by one (production errors)', () => {
  /** words -> upper-cased values -> 'out'; the value 'POISON' is refused by the producer as too large. */
  function upperTopology() {
    const b = new StreamsBuilder();
    b.stream('words', { key: Serdes.string(), value: Serdes.string() })
      .mapValues((v) => v.toUpperCase())
      .to('out', { key: Serdes.string(), value: Serdes.string() });
    return b.build();
  }
  const tooLarge = (record: OutgoingRecord) => (record.topic === 'out' && record.value?.toString() === 'POISON' ? new RecordTooLargeError('record of about 5000000 bytes is larger than the limit', { topic: 'out', bytes: 5_000_000, limit: 1_048_576 }) : undefined);
  const outValues = (kafka: ReturnType<typeof memoryKafka>, topic = 'out') => kafka.log(topic, 0).map((r) => r.value?.toString());
  const commits = (kafka: ReturnType<typeof memoryKafka>) => kafka.ops.filter((op) => op.startsWith('commit') || op.startsWith('txn offsets'));

  for (const guarantee of ['at_least_once', 'exactly_once'] as const) {
    it(`${guarantee}: a dead-letter policy sends the refused record to the DLQ and every other record of the send to its topic, then commits past them`, async () => {
      const kafka = memoryKafka({ words: 1 });
      kafka.refuseRecords(tooLarge);
      const app = new KafkaStreams(upperTopology(), { applicationId: 'up', kafka: kafka.port, guarantee, commitIntervalMs: 60_000, errorPolicies: { production: deadLetter('up-dlq') } });
      await app.start();
      kafka.assign([{ topic: 'words', partition: 0 }]);
      await settle(app);
      await kafka.batch(words('words', 0, 0, ['a', 'poison', 'b', 'c']));
      await app.close();
      expect(app.state).toBe('NOT_RUNNING');
      expect(outValues(kafka)).toEqual(['A', 'B', 'C']);
      const [dead, ...more] = kafka.log('up-dlq', 0);
      expect(more).toEqual([]);
      // Too large for its topic, so too large for the dead-letter topic: the value's size stands in for it.
      expect(dead?.value).toBeNull();
      expect(dead?.key?.toString()).toBe('poison');
      expect(dead?.headers).toMatchObject({ [DeadLetterHeaders.errorClass]: 'RecordTooLargeError', [DeadLetterHeaders.phase]: 'production', [DeadLetterHeaders.topic]: 'words', [DeadLetterHeaders.offset]: '1', [DeadLetterHeaders.outputTopic]: 'out', [DeadLetterHeaders.valueBytes]: '6' });
      expect(commits(kafka)).toEqual([guarantee === 'exactly_once' ? `txn offsets up ${JSON.stringify([{ topic: 'words', partition: 0, offset: 4 }])}` : `commit ${JSON.stringify([{ topic: 'words', partition: 0, offset: 4 }])}`]);
    });

    it(`${guarantee}: logAndContinue skips the refused record alone`, async () => {
      const kafka = memoryKafka({ words: 1 });
      kafka.refuseRecords(tooLarge);
      const app = new KafkaStreams(upperTopology(), { applicationId: 'up', kafka: kafka.port, guarantee, commitIntervalMs: 60_000, errorPolicies: { production: logAndContinue() } });
      await app.start();
      kafka.assign([{ topic: 'words', partition: 0 }]);
      await settle(app);
      await kafka.batch(words('words', 0, 0, ['poison', 'a', 'poison', 'b']));
      await kafka.batch(words('words', 0, 4, ['c']));
      await app.close();
      expect(outValues(kafka)).toEqual(['A', 'B', 'C']);
      expect(commits(kafka).at(-1)).toContain(JSON.stringify([{ topic: 'words', partition: 0, offset: 5 }]));
    });

    it(`${guarantee}: logAndFail stops the instance without committing past the refused record`, async () => {
      const kafka = memoryKafka({ words: 1 });
      kafka.refuseRecords(tooLarge);
      const app = new KafkaStreams(upperTopology(), { applicationId: 'up', kafka: kafka.port, guarantee, commitIntervalMs: 1 });
      await app.start();
      kafka.assign([{ topic: 'words', partition: 0 }]);
      await settle(app);
      await kafka.batch(words('words', 0, 0, ['a', 'poison', 'b']));
      await settle(app, 'ERROR');
      expect(app.state).toBe('ERROR');
      // Under exactly-once the refusal ends the transaction: aborted, and fatal (doing it again gives the same).
      const failure = guarantee === 'exactly_once' ? (app.error as TransactionFailedError) : app.error;
      if (guarantee === 'exactly_once') {
        expect(failure).toBeInstanceOf(TransactionFailedError);
        expect((failure as TransactionFailedError).kind).toBe('fatal');
      }
      expect(guarantee === 'exactly_once' ? failure?.cause : failure).toBeInstanceOf(RecordTooLargeError);
      expect(commits(kafka)).toEqual([]);
      if (guarantee === 'exactly_once') {
        expect(kafka.ops).toContain('txn abort');
        expect(kafka.ops).not.toContain('txn commit');
      }
    });
  }

  it('a refused changelog record stops the instance whatever the policy, without committing', async () => {
    const kafka = memoryKafka({ words: 1 });
    kafka.refuseRecords((record) => (record.topic === 'wc-counts-changelog' ? new RecordTooLargeError('too large', { topic: record.topic, bytes: 2_000_000, limit: 1_048_576 }) : undefined));
    const app = new KafkaStreams(countTopology(), { applicationId: 'wc', kafka: kafka.port, commitIntervalMs: 1, errorPolicies: { production: logAndContinue() } });
    await app.start();
    kafka.assign([{ topic: 'words', partition: 0 }]);
    await settle(app);
    await kafka.batch(words('words', 0, 0, ['a']));
    await settle(app, 'ERROR');
    expect(app.state).toBe('ERROR');
    expect(app.error?.message).toMatch(/changelog record\(s\) could not be produced/);
    expect(commits(kafka)).toEqual([]);
  });
});

describe('KafkaStreams.close with a time limit', () => {
  it('resolves false when the shutdown cannot finish in time (Kafka unreachable), true when it does', async () => {
    const kafka = memoryKafka({ words: 1 });
    let release!: () => void;
    const unreachable = new Promise<void>((resolve) => (release = resolve));
    const port: KafkaPort = {
      ...kafka.port,
      consumer: (options) => ({ ...kafka.port.consumer(options), close: () => unreachable }),
    };
    const app = new KafkaStreams(countTopology(), { applicationId: 'wc', kafka: port, commitIntervalMs: 60_000 });
    await app.start();
    kafka.assign([{ topic: 'words', partition: 0 }]);
    await settle(app);
    await kafka.batch(words('words', 0, 0, ['a']));
    expect(await app.close({ timeoutMs: 20 })).toBe(false);
    expect(app.state).toBe('PENDING_SHUTDOWN');
    // The shutdown goes on: once the consumer closes, a second close sees it through.
    release();
    expect(await app.close({ timeoutMs: 5_000 })).toBe(true);
    expect(app.state).toBe('NOT_RUNNING');
  });
});
