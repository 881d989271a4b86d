import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryKafka } from '../../src/kafka/in-memory-kafka.js';
import { Catalog } from './catalog.js';
import { CUSTOMERS } from './fixtures.test-support.js';
import { decodeOffset, offsetKey } from './offset-store.js';
import { PostgresCdcSource } from './source.js';

// The CDC source on the in-memory Kafka. PostgreSQL is faked as far as the source needs it: a catalog connection
// that answers the setup queries, the catalog lookups of table public.customers, and a replication connection the
// test feeds pgoutput messages through, as the walsender would.

const server = vi.hoisted(() => {
  const { EventEmitter: Emitter } = require('node:events') as typeof import('node:events');
  const state = { slot: null as null | { confirmed: string }, connections: [] as unknown[] };
  /** A catalog connection: the setup queries of the source, nothing else. */
  class FakeClient extends Emitter {
    async connect(): Promise<void> {}
    async end(): Promise<void> {}
    async query(text: string): Promise<{ rows: unknown[] }> {
      if (text.includes('current_database()')) return { rows: [{ db: 'shop' }] };
      if (text.includes('SHOW wal_level')) return { rows: [{ wal_level: 'logical' }] };
      if (text.includes('FROM pg_publication')) return { rows: [{ puballtables: 'true' }] };
      if (text.includes('server_version_num')) return { rows: [{ v: '150000' }] };
      if (text.includes('plugin, database AS db')) return { rows: state.slot === null ? [] : [{ confirmed: state.slot.confirmed, plugin: 'pgoutput', db: 'shop', wal_status: 'reserved' }] };
      return { rows: [] };
    }
  }
  /** A replication connection: records what the source asks of it; the test emits the walsender's messages. */
  class FakeReplication extends Emitter {
    readonly started: { slot: string; lsn: bigint }[] = [];
    readonly statuses: bigint[] = [];
    constructor() {
      super();
      state.connections.push(this);
    }
    async connect(): Promise<void> {}
    async createSlot(): Promise<{ consistentPoint: bigint; snapshotName: string }> {
      state.slot = { confirmed: '0/100' };
      return { consistentPoint: 0x100n, snapshotName: 'snap' };
    }
    startReplication(slot: string, lsn: bigint): void {
      this.started.push({ slot, lsn });
    }
    sendStatus(lsn: bigint): void {
      this.statuses.push(lsn);
    }
    pause(): void {}
    resume(): void {}
    async close(): Promise<void> {}
  }
  return { state, FakeClient, FakeReplication };
});

vi.mock('pg', () => ({ default: { Client: server.FakeClient } }));
vi.mock('./replication/replication-connection.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./replication/replication-connection.js')>()),
  ReplicationConnection: server.FakeReplication,
}));

type FakeReplication = InstanceType<typeof server.FakeReplication>;

/** Big-endian pgoutput messages, as the walsender writes them. */
const pgoutput = {
  relation: (): Buffer => {
    const parts = [Buffer.from('R'), u32(CUSTOMERS.oid), cstr('public'), cstr('customers'), Buffer.from('d'), i16(CUSTOMERS.columns.length)];
    CUSTOMERS.columns.forEach((c, i) => parts.push(Buffer.from([i === 0 ? 1 : 0]), cstr(c.name), u32(c.type.oid), i32(c.typmod)));
    return Buffer.concat(parts);
  },
  begin: (xid: number, finalLsn: bigint): Buffer => Buffer.concat([Buffer.from('B'), u64(finalLsn), u64(1_000_000n), u32(xid)]),
  insert: (id: number): Buffer => {
    const values = [String(id), `c${id}`, `c${id}@example.com`, '1.00', '2024-01-15 10:30:00+00', '{}'];
    return Buffer.concat([Buffer.from('I'), u32(CUSTOMERS.oid), Buffer.from('N'), i16(values.length), ...values.flatMap((v) => [Buffer.from('t'), i32(Buffer.byteLength(v)), Buffer.from(v)])]);
  },
  commit: (endLsn: bigint): Buffer => Buffer.concat([Buffer.from('C'), Buffer.from([0]), u64(endLsn - 8n), u64(endLsn), u64(1_000_000n)]),
};
function u32(v: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b; }
function i32(v: number): Buffer { const b = Buffer.alloc(4); b.writeInt32BE(v); return b; }
function i16(v: number): Buffer { const b = Buffer.alloc(2); b.writeInt16BE(v); return b; }
function u64(v: bigint): Buffer { const b = Buffer.alloc(8); b.writeBigUInt64BE(v); return b; }
function cstr(s: string): Buffer { return Buffer.concat([Buffer.from(s), Buffer.from([0])]); }

/** Sends one transaction inserting `ids` through the replication connection, ending at `endLsn`. */
function transaction(repl: FakeReplication, xid: number, ids: number[], endLsn: bigint): void {
  const messages = [pgoutput.relation(), pgoutput.begin(xid, endLsn - 8n), ...ids.map(pgoutput.insert), pgoutput.commit(endLsn)];
  messages.forEach((chunk, i) => repl.emit('xlog', { kind: 'xlog', dataStart: endLsn - BigInt(messages.length - i), walEnd: endLsn, sendTime: 0n, payloadOffset: 0 }, chunk));
}

const TOPIC = 'dbserver1.public.customers';
const config = {
  'topic.prefix': 'dbserver1', 'database.user': 'u', 'database.dbname': 'shop', 'kafka.bootstrap.servers': 'unused:9092',
  'table.include.list': 'public.customers', 'snapshot.mode': 'no_data', 'slot.health.check.interval.ms': 0,
  'key.converter.schemas.enable': false, 'value.converter.schemas.enable': false,
};

function source(kafka: InMemoryKafka): PostgresCdcSource {
  return new PostgresCdcSource(config, { kafka, logger: pino({ level: 'silent' }) });
}
const lastReplication = (): FakeReplication => server.state.connections.at(-1) as FakeReplication;
const confirmed = (s: PostgresCdcSource, lsn: bigint): Promise<void> =>
  new Promise((resolve) => s.on('confirmed', (at) => at >= lsn && resolve()));
const keys = (kafka: InMemoryKafka): string[] => kafka.records(TOPIC).map((r) => String(r.key));
const storedOffsets = (kafka: InMemoryKafka, s: PostgresCdcSource) =>
  kafka.records(s.config.offsetStorageTopic).filter((r) => String(r.key) === offsetKey(s.config.name, 'dbserver1')).map((r) => decodeOffset(String(r.value)));

beforeEach(() => {
  server.state.slot = null;
  server.state.connections.length = 0;
  vi.spyOn(Catalog.prototype, 'listTables').mockResolvedValue([{ schema: 'public', table: 'customers' }]);
  vi.spyOn(Catalog.prototype, 'tableByOid').mockResolvedValue(CUSTOMERS);
});
afterEach(() => vi.restoreAllMocks());

describe('PostgresCdcSource on the in-memory Kafka', () => {
  it('creates its topics, sends each change keyed by its primary key, then stores the offset, then confirms the LSN', async () => {
    const kafka = new InMemoryKafka();
    const cdc = source(kafka);
    await cdc.start();
    expect(kafka.created).toContainEqual({ topic: 'tributary-cdc-offsets', partitions: 1, configs: { 'cleanup.policy': 'compact' } });
    expect(kafka.producers.map((p) => p.options.autoCreateTopics)).toEqual([false]);
    const repl = lastReplication();
    expect(repl.started).toEqual([{ slot: 'debezium', lsn: 0x100n }]);

    const done = confirmed(cdc, 0x200n);
    transaction(repl, 5, [1, 2], 0x200n);
    await done;

    expect(kafka.created).toContainEqual({ topic: TOPIC, partitions: 1 });
    expect(keys(kafka)).toEqual(['{"id":1}', '{"id":2}']);
    expect(kafka.records(TOPIC).map((r) => JSON.parse(String(r.value)).after.name)).toEqual(['c1', 'c2']);
    expect(storedOffsets(kafka, cdc)).toEqual([expect.objectContaining({ lsnCommit: 0x200n, txId: 5n, messageType: 'COMMIT', snapshotCompleted: true })]);
    // the offset is sent only once Kafka acknowledged the change records, and the slot is confirmed after it
    expect(kafka.ops.indexOf(`send ${TOPIC}`)).toBeLessThan(kafka.ops.indexOf('send tributary-cdc-offsets'));
    expect(repl.statuses).toContain(0x200n);
    await cdc.stop();
  });

  it('stores no offset and confirms nothing when Kafka does not take the records', async () => {
    const kafka = new InMemoryKafka();
    const cdc = source(kafka);
    const failed = new Promise<Error>((resolve) => cdc.on('error', resolve));
    await cdc.start();
    const repl = lastReplication();
    kafka.failSends((records) => (records.some((r) => r.topic === TOPIC) ? new Error('the broker refused the request') : undefined));

    transaction(repl, 5, [1], 0x200n);

    expect((await failed).message).toBe('the broker refused the request');
    await cdc.done;
    expect(kafka.records(TOPIC)).toEqual([]);
    expect(storedOffsets(kafka, cdc)).toEqual([]);
    expect(repl.statuses.filter((lsn) => lsn >= 0x200n)).toEqual([]);
    expect(cdc.confirmedLsn).toBe(0x100n);
  });

  it('a restart resumes streaming from the stored offset and sends nothing twice', async () => {
    const kafka = new InMemoryKafka();
    const first = source(kafka);
    await first.start();
    const done = confirmed(first, 0x200n);
    transaction(lastReplication(), 5, [1, 2], 0x200n);
    await done;
    await first.stop();

    const second = source(kafka);
    await second.start();
    const repl = lastReplication();
    expect(repl.started).toEqual([{ slot: 'debezium', lsn: 0x200n }]);
    // the server sends the last transaction again (its confirmation may not have reached it), then a new one
    const next = confirmed(second, 0x300n);
    transaction(repl, 5, [1, 2], 0x200n);
    transaction(repl, 6, [3], 0x300n);
    await next;

    expect(keys(kafka)).toEqual(['{"id":1}', '{"id":2}', '{"id":3}']);
    expect(storedOffsets(kafka, second).map((o) => o.lsnCommit)).toEqual([0x200n, 0x300n]);
    await second.stop();
  });
});
