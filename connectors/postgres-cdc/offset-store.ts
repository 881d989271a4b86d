/**
 * Source offsets in a compacted Kafka topic, in Kafka Connect's layout: key `["<connector>",{"server":"<prefix>"}]`,
 * value a JSON map with Debezium's PostgreSQL offset keys. 64-bit numbers are written as exact JSON integers.
 */
import type { AdminPort, KafkaPort, ProducerPort, ReadRequest } from '../../src/kafka/port.js';

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
    private readonly kafka: KafkaPort,
    private readonly admin: AdminPort,
    private readonly producer: ProducerPort,
    private readonly topic: string,
    connectorName: string,
    topicPrefix: string,
  ) {
    this.key = offsetKey(connectorName, topicPrefix);
  }

  async ensureTopic(): Promise<void> {
    await this.admin.createTopics([{ topic: this.topic, partitions: 1, configs: { 'cleanup.policy': 'compact' } }]);
  }

  /** Reads the topic to its end and returns the newest offset stored for this connector, if any. */
  async load(): Promise<SourceOffset | null> {
    // A partition whose records are all deleted has nothing to read: its end would never be reached.
    const requests: ReadRequest[] = (await this.admin.offsets(this.topic))
      .filter((o) => o.high > o.low)
      .map((o) => ({ topic: this.topic, partition: o.partition, endOffset: o.high }));
    let latest: SourceOffset | null = null;
    await this.kafka.readToEnd(requests, (batch) => {
      for (const record of batch.records) {
        if (record.key?.toString('utf8') !== this.key) continue;
        latest = record.value === null ? null : decodeOffset(record.value.toString('utf8'));
      }
    });
    return latest;
  }

  async save(offset: SourceOffset): Promise<void> {
    const record = { topic: this.topic, key: Buffer.from(this.key), value: Buffer.from(encodeOffset(offset)), timestamp: Date.now(), headers: {} };
    const report = await this.producer.send([record]);
    if (report.rejected.length > 0) throw report.rejected[0]!.error;
  }
}
