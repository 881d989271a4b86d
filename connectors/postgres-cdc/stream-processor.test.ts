import { describe, expect, it } from 'vitest';
import { StreamProcessor, type StreamProcessorOptions } from './stream-processor.js';
import { ChangeEventFactory } from './change-events.js';
import { buildTableSchema } from './table-schema.js';
import { CUSTOMERS, BUILD_OPTS } from './fixtures.test-support.js';
import type { RelationMessage } from './pgoutput/relation.js';
import type { PgOutputMessage } from './pgoutput/decode.js';

const REL: RelationMessage = {
  tag: 'relation', relationOid: 16385, schema: 'public', table: 'customers', replicaIdentity: 'default',
  columns: CUSTOMERS.columns.map((c, i) => ({ name: c.name, typeOid: c.type.oid, typeMod: c.typmod, isKey: i === 0 })),
};
const t = (text: string) => ({ kind: 'text' as const, text });
const row = (id: string) => [t(id), t('n'), t('e'), t('1.00'), t('2024-01-15 10:30:00+00'), t('{}')];

function processor(over: Partial<StreamProcessorOptions> = {}) {
  const built: string[] = [];
  const p = new StreamProcessor(
    {
      topicPrefix: 'dbserver1', db: 'postgres', skippedOperations: new Set(['t']), provideTransactionMetadata: false,
      transactionTopic: 'dbserver1.transaction', schemas: { key: false, value: false }, skipThroughLsn: 0n,
      schemaFor: async (rel) => {
        built.push(rel.columns.map((c) => c.name).join(','));
        return buildTableSchema(CUSTOMERS, rel.columns.map((c) => ({ name: c.name, typmod: c.typeMod })), BUILD_OPTS);
      },
      ...over,
    },
    new ChangeEventFactory({ keySchemasEnable: false, valueSchemasEnable: false, tombstonesOnDelete: true, clockUs: () => 1n }),
  );
  return { p, built };
}

async function run(p: StreamProcessor, msgs: [PgOutputMessage, bigint][]) {
  const out = [];
  for (const [m, lsn] of msgs) {
    const done = await p.handle(m, lsn);
    if (done) out.push(done);
  }
  return out;
}

const begin = (xid: number): PgOutputMessage => ({ tag: 'begin', finalLsn: 0n, commitTimeUs: 1_700_000_000_000_000n, xid });
const commit = (end: bigint): PgOutputMessage => ({ tag: 'commit', flags: 0, commitLsn: end - 8n, endLsn: end, commitTimeUs: 1_700_000_000_000_000n });

describe('StreamProcessor', () => {
  it('hands a transaction over only at Commit, with source positions per change', async () => {
    const { p } = processor();
    await p.handle(REL, 90n);
    expect(await p.handle(begin(5), 100n)).toBeNull();
    expect(await p.handle({ tag: 'insert', relationOid: 16385, newTuple: row('1') }, 104n)).toBeNull();
    expect(p.inTransaction).toBe(true);
    const done = await p.handle(commit(120n), 120n);
    expect(done).toMatchObject({ xid: 5, endLsn: 120n, changeCount: 1 });
    const v = JSON.parse(done!.records[0]!.value!.toString());
    expect(v.source).toMatchObject({ txId: 5, lsn: 104, ts_us: 1_700_000_000_000_000, sequence: '[null,"104"]' });
    const [next] = await run(p, [[begin(6), 130n], [{ tag: 'insert', relationOid: 16385, newTuple: row('2') }, 134n], [commit(150n), 150n]]);
    expect(JSON.parse(next!.records[0]!.value!.toString()).source.sequence).toBe('["120","134"]');
  });

  it('skips transactions already delivered before a restart', async () => {
    const { p } = processor({ skipThroughLsn: 120n });
    const done = await run(p, [[REL, 1n], [begin(5), 100n], [{ tag: 'insert', relationOid: 16385, newTuple: row('1') }, 104n], [commit(120n), 120n],
      [begin(6), 130n], [{ tag: 'insert', relationOid: 16385, newTuple: row('2') }, 134n], [commit(150n), 150n]]);
    expect(done.map((d) => d.endLsn)).toEqual([150n]);
  });

  it('compares relation messages: an identical one reuses the schema, a changed one rebuilds it', async () => {
    const { p, built } = processor();
    await p.handle(REL, 1n);
    await p.handle({ ...REL }, 2n);
    expect(built).toHaveLength(1);
    await p.handle({ ...REL, columns: REL.columns.slice(0, 5) }, 3n);
    expect(built).toHaveLength(2);
    expect(p.schemaChanges).toBe(1);
  });

  it('skips truncate by default (skipped.operations=t) and emits it when enabled', async () => {
    const truncate: PgOutputMessage = { tag: 'truncate', cascade: false, restartIdentity: false, relationOids: [16385] };
    const { p } = processor();
    const [d] = await run(p, [[REL, 1n], [begin(1), 10n], [truncate, 11n], [commit(20n), 20n]]);
    expect(d!.records).toEqual([]);
    const { p: q } = processor({ skippedOperations: new Set() });
    const [e] = await run(q, [[REL, 1n], [begin(1), 10n], [truncate, 11n], [commit(20n), 20n]]);
    expect(JSON.parse(e!.records[0]!.value!.toString()).op).toBe('t');
    expect(e!.records[0]!.key).toBeNull();
  });

  it('rejects changes before their Relation message and changes outside a transaction', async () => {
    const { p } = processor();
    await p.handle(begin(1), 1n);
    await expect(p.handle({ tag: 'insert', relationOid: 999, newTuple: [] }, 2n)).rejects.toThrow(/before its Relation message/);
    const { p: q } = processor();
    await q.handle(REL, 1n);
    await expect(q.handle({ tag: 'insert', relationOid: 16385, newTuple: row('1') }, 2n)).rejects.toThrow(/outside a transaction/);
  });

  it('hands a large transaction over in chunks, but only after the resume point, and commits once', async () => {
    const chunks: number[] = [];
    const inserts = (n: number, from: bigint): [PgOutputMessage, bigint][] =>
      Array.from({ length: n }, (_, i) => [{ tag: 'insert', relationOid: 16385, newTuple: row(String(i + 1)) }, from + BigInt(i)] as [PgOutputMessage, bigint]);
    const { p } = processor({ onChunk: (r) => chunks.push(r.length), chunkSize: 2, skipThroughLsn: 50n });
    const [old] = await run(p, [[REL, 1n], [begin(1), 10n], ...inserts(5, 11n), [commit(50n), 50n]]);
    expect(old).toBeUndefined(); // delivered before: neither chunks nor commit
    expect(chunks).toEqual([]);
    const [done] = await run(p, [[begin(2), 60n], ...inserts(5, 61n), [commit(90n), 90n]]);
    expect(chunks).toEqual([2, 2]);
    expect(done).toMatchObject({ endLsn: 90n, changeCount: 5 });
    expect(done!.records).toHaveLength(1);
  });
});
