import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { defaultErrorPolicies } from '../errors.js';
import type { Topology } from '../graph/topology.js';
import type { ConsumedBatch } from '../kafka/port.js';
import { silentLogger } from '../logger.js';
import type { Processor, ProcessorContext } from '../processor/processor.js';
import { Serdes } from '../serde/serdes.js';
import { RecordCache } from '../state/record-cache.js';
import { ManualClockScheduler } from '../testing/manual-clock-scheduler.js';
import { AtLeastOnceSender } from './at-least-once-sender.js';
import { AtLeastOnceCommitter } from './committer.js';
import { planTopics } from './internal-topics.js';
import { countTopology, memoryKafka, words } from './memory-kafka.test-support.js';
import { PartitionPauser } from './partition-pauser.js';
import { StreamLoop } from './stream-loop.js';
import type { CommitInfo } from './streams-config.js';
import { TaskManager } from './task-manager.js';

/**
 * A stream loop over one task of `topology` (input `words`, one partition) on the in-memory Kafka, at least
 * once, with the wall clock a manual one: the test moves time and calls `runOnce()`, nothing runs by itself.
 */
async function loopOver(topology: Topology, commitIntervalMs: number) {
  const kafka = memoryKafka({ words: 1 });
  const clock = new ManualClockScheduler(0);
  const logger = silentLogger();
  const plan = planTopics(topology, 'wc', new Map([['words', 1]]));
  const tasks = new TaskManager({
    topology,
    applicationId: 'wc',
    scheduler: clock,
    policies: defaultErrorPolicies,
    logger,
    cache: new RecordCache(0),
    maxTaskIdleMs: 0,
    subtopologies: () => plan.subtopologies,
    globalStores: () => undefined,
  });
  const consumer = kafka.port.consumer({ groupId: 'wc' });
  const producer = await kafka.port.producer();
  const sender = new AtLeastOnceSender(() => producer, defaultErrorPolicies.production, logger);
  const commits: CommitInfo[] = [];
  const failures: unknown[] = [];
  const loop: StreamLoop = new StreamLoop({
    tasks,
    pauser: new PartitionPauser(() => consumer, logger),
    logger,
    scheduler: clock,
    commitIntervalMs,
    metrics: undefined,
    state: () => 'RUNNING',
    serdes: () => undefined,
    sender: () => sender,
    committer: () => committer,
  });
  const committer = new AtLeastOnceCommitter(
    {
      logger,
      tasks,
      producer: () => producer,
      consumer: () => consumer,
      committed: (info) => void commits.push(info),
      fail: (error) => void failures.push(error),
      stopping: () => false,
      sendAhead: () => loop.sendAhead(),
    },
    sender,
  );
  tasks.activate(tasks.build([{ topic: 'words', partition: 0 }], new Map()));
  loop.resetCommitClock();
  /** One pass, then whatever the at-least-once commit finishes in the background. */
  const runOnce = async (batches: readonly ConsumedBatch[] = []): Promise<void> => {
    await loop.runOnce(batches);
    await committer.inFlight;
  };
  const offsetCommits = (): string[] => kafka.ops.filter((op) => op.startsWith('commit'));
  return { kafka, clock, loop, runOnce, commits, failures, offsetCommits };
}

const at = (offset: number, timestamp: number) => ({ offset, key: Buffer.from('k'), value: Buffer.from('v'), timestamp, headers: {} });

describe('StreamLoop.runOnce under a manual clock', () => {
  it('commits when the commit interval has passed on the clock, not before', async () => {
    const { clock, loop, runOnce, commits, failures, offsetCommits } = await loopOver(countTopology(), 1000);
    await runOnce([words('words', 0, 0, ['a', 'b', 'a'])]);
    expect(loop.processedRecords).toBe(3);
    expect(offsetCommits()).toEqual([]);
    clock.advanceTo(999);
    await runOnce();
    expect(offsetCommits()).toEqual([]);
    clock.advanceTo(1000);
    await runOnce();
    expect(offsetCommits()).toEqual([`commit ${JSON.stringify([{ topic: 'words', partition: 0, offset: 3 }])}`]);
    expect(commits.map((c) => [c.records, c.changelogRecords, c.offsets, c.transactional])).toEqual([[3, 2, 1, false]]);
    expect(failures).toEqual([]);
  });

  it('a pass with nothing processed since the last commit commits nothing, however much time passed', async () => {
    const { clock, runOnce, commits, offsetCommits } = await loopOver(countTopology(), 1000);
    await runOnce([words('words', 0, 0, ['a'])]);
    clock.advanceTo(1000);
    await runOnce();
    expect(commits).toHaveLength(1);
    clock.advanceTo(5000);
    await runOnce();
    expect(commits).toHaveLength(1);
    // New input: the interval counts from the last commit (5000), so the batch at 5500 does not commit yet.
    clock.advanceTo(5500);
    await runOnce([words('words', 0, 1, ['b'])]);
    expect(commits).toHaveLength(1);
    clock.advanceTo(6000);
    await runOnce();
    expect(offsetCommits()).toEqual([
      `commit ${JSON.stringify([{ topic: 'words', partition: 0, offset: 1 }])}`,
      `commit ${JSON.stringify([{ topic: 'words', partition: 0, offset: 2 }])}`,
    ]);
  });

  it('fires stream-time punctuation at record time as it processes, wall-clock punctuation when the clock reaches it', async () => {
    const fired: string[] = [];
    const b = new StreamsBuilder();
    b.stream('words', { key: Serdes.string(), value: Serdes.string() })
      .process(
        (): Processor<string, string, string, string> => {
          let ctx: ProcessorContext<string, string>;
          return {
            init(context) {
              ctx = context;
              ctx.schedule(10, 'stream-time', (ts) => fired.push(`stream@${ts}`));
              ctx.schedule(500, 'wall-clock', (ts) => fired.push(`wall@${ts}`));
            },
            process(record) {
              ctx.forward(record);
            },
          };
        },
        { name: 'ticker' },
      )
      .to('out', { key: Serdes.string(), value: Serdes.string() });
    const { clock, runOnce } = await loopOver(b.build(), 60_000);
    const batch: ConsumedBatch = { topic: 'words', partition: 0, highWatermark: 3, records: [at(0, 1000), at(1, 1005), at(2, 1012)] };
    await runOnce([batch]);
    // Stream time is the records' time, whatever the clock says (still 0).
    expect(fired).toEqual(['stream@1000', 'stream@1012']);
    clock.advanceTo(499);
    await runOnce();
    expect(fired).toHaveLength(2);
    clock.advanceTo(500);
    await runOnce();
    expect(fired.slice(2)).toEqual(['wall@500']);
    clock.advanceTo(1700);
    await runOnce();
    expect(fired.slice(3)).toEqual(['wall@1700']);
  });
});
