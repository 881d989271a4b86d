/**
 * Source offsets in a compacted Kafka topic, in Kafka Connect's layout: key `["<connector>",{"server":"<prefix>"}]`,
 * value a JSON map with Debezium's PostgreSQL offset keys. 64-bit numbers are written as exact JSON integers.
 */
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';

export interface SourceOffset {
  /** LSN of the last event this offset covers. */
  readonly lsn: bigint;
  /** Last completely processed LSN (a commit's end LSN): streaming restarts here. */
  readonly lsnProc: bigint;
  /** End LSN of the last transaction whose events are all in Kafka; transactions ending at or before it are skipped. */
  readonly lsnCommit: bigint;
  readonly txId: bigint | null;
  /** Commit time of that transaction, µs since epoch. */
  readonly tsUsec: bigint;
  readonly messageType: 'COMMIT' | 'SNAPSHOT' | 'HEARTBEAT';
  readonly snapshotCompleted: boolean;
}

export function offsetKey(connectorName: string, topicPrefix: string): string {
  return JSON.stringify([connectorName, { server: topicPrefix }]);
}

export function encodeOffset(o: SourceOffset): string {
  const parts = [
    `"lsn":${o.lsn}`,
    `"lsn_proc":${o.lsnProc}`,
    `"lsn_commit":${o.lsnCommit}`,
    `"txId":${o.txId === null ? 'null' : o.txId}`,
    `"ts_usec":${o.tsUsec}`,
    `"messageType":${JSON.stringify(o.messageType)}`,
  ];
  if (o.messageType === 'SNAPSHOT' || !o.snapshotCompleted) parts.push(`"snapshot":"INITIAL"`, `"last_snapshot_record":${o.snapshotCompleted}`);
  parts.push(`"snapshot_completed":${o.snapshotCompleted}`);
  return `{${parts.join(',')}}`;
}

/** Parses an offset value keeping 64-bit integers exact. */
export function decodeOffset(text: string): SourceOffset {
  const big = (k: string): bigint | null => {
    const m = new RegExp(`"${k}":(-?\\d+|null)`).exec(text);
    return m === null || m[1] === 'null' ? null : BigInt(m[1]!);
  };
  const lsnProc = big('lsn_proc') ?? big('lsn') ?? 0n;
  const type = /"messageType":"(\w+)"/.exec(text)?.[1];
  return {
    lsn: big('lsn') ?? lsnProc,
    lsnProc,
    lsnCommit: big('lsn_commit') ?? lsnProc,
    txId: big('txId'),
    tsUsec: big('ts_usec') ?? 0n,
    messageType: type === 'SNAPSHOT' || type === 'HEARTBEAT' ? type : 'COMMIT',
    snapshotCompleted: !/"snapshot_completed":false/.test(text),
  };
}

export class KafkaOffsetStore {
  private readonly key: string;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly producer: Producer,
    private readonly topic: string,
    connectorName: string,
    topicPrefix: string,
  ) {
    this.key = offsetKey(connectorName, topicPrefix);
  }

  async ensureTopic(): Promise<void> {
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: this.topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
    });
  }

  /** Reads the topic to its end and returns the newest offset stored for this connector, if any. */
  async load(): Promise<SourceOffset | null> {
    const ends = await this.admin.fetchTopicOffsets(this.topic);
    const targets = new Map(ends.map((e) => [e.partition, BigInt(e.high)]));
    const nonEmpty = [...targets].filter(([p, high]) => high > BigInt(ends.find((e) => e.partition === p)!.low));
    if (nonEmpty.length === 0) return null;
    const groupId = `tributary-cdc-offset-reader-${randomUUID()}`;
    // Disconnecting waits for the fetch in flight: a short broker wait keeps start-up from idling up to 5 s.
    const consumer: Consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
    let latest: SourceOffset | null = null;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      const remaining = new Set(nonEmpty.map(([p]) => p));
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              if (message.key?.toString('utf8') === this.key) {
                latest = message.value === null ? null : decodeOffset(message.value.toString('utf8'));
              }
              if (BigInt(message.offset) + 1n >= targets.get(partition)!) {
                remaining.delete(partition);
                if (remaining.size === 0) resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
      await this.admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return latest;
  }

  async save(offset: SourceOffset): Promise<void> {
    await this.producer.send({ topic: this.topic, acks: -1, messages: [{ key: this.key, value: encodeOffset(offset) }] });
  }
}
