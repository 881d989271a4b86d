/**
 * Turns the pgoutput message sequence of committed transactions into Kafka records, one batch per transaction,
 * handed over at Commit (never before: nothing of an unfinished transaction can reach Kafka or the slot position).
 */
import type { PgOutputMessage } from './pgoutput/decode.js';
import type { RelationMessage } from './pgoutput/relation.js';
import { sameRelationShape } from './pgoutput/relation.js';
import type { TableSchema } from './table-schema.js';
import type { CdcRecord, ChangeEventFactory, TransactionBlock } from './change-events.js';
import type { SourcePosition } from './source-info.js';
import { transactionRecord } from './heartbeat.js';
import { CdcProtocolError } from './errors.js';

export interface CommittedTransaction {
  readonly xid: number;
  readonly endLsn: bigint;
  readonly commitTimeUs: bigint;
  readonly records: readonly CdcRecord[];
  readonly changeCount: number;
}

export interface StreamProcessorOptions {
  readonly topicPrefix: string;
  readonly db: string;
  readonly skippedOperations: ReadonlySet<string>;
  readonly provideTransactionMetadata: boolean;
  readonly transactionTopic: string;
  readonly schemas: { key: boolean; value: boolean };
  /** Transactions whose end LSN is at or below this were already delivered (resume point). */
  readonly skipThroughLsn: bigint;
  /** End LSN of the last transaction delivered before this run (first element of `source.sequence`). */
  readonly lastCommitLsn?: bigint | null;
  /** Builds (or rebuilds) the table schema for a relation; null when the table is not captured. */
  readonly schemaFor: (rel: RelationMessage) => Promise<TableSchema | null>;
  readonly onTypeMessage?: () => void;
  /**
   * Receives the records of a large transaction in chunks before its Commit arrives. With protocol version 1 the
   * server sends a transaction only after it committed, so its events may go to Kafka early; the offset and the slot
   * position still move only at Commit. Without it, a transaction is buffered whole.
   */
  readonly onChunk?: (records: CdcRecord[]) => void;
  /** Records buffered per transaction before a chunk is handed over (default 10 000). */
  readonly chunkSize?: number;
}

interface OpenTransaction {
  xid: number;
  commitTimeUs: bigint;
  beginLsn: bigint;
  records: CdcRecord[];
  changes: number;
  perTable: Map<string, number>;
  /** Part of the records already went out as chunks. */
  chunked?: boolean;
}

interface CachedRelation {
  rel: RelationMessage;
  schema: TableSchema | null;
}

export class StreamProcessor {
  private readonly relations = new Map<number, CachedRelation>();
  private tx: OpenTransaction | null = null;
  private lastCommitLsn: bigint | null = null;
  private skipThrough: bigint;
  /** Relations rebuilt because their shape changed (schema changes seen). */
  schemaChanges = 0;

  constructor(private readonly opts: StreamProcessorOptions, private readonly factory: ChangeEventFactory) {
    this.skipThrough = opts.skipThroughLsn;
    this.lastCommitLsn = opts.lastCommitLsn ?? null;
  }

  get inTransaction(): boolean {
    return this.tx !== null;
  }

  /** Forgets the open transaction and relation cache (the server resends relations after a reconnect). */
  reset(skipThroughLsn: bigint): void {
    this.tx = null;
    this.relations.clear();
    this.skipThrough = skipThroughLsn > this.skipThrough ? skipThroughLsn : this.skipThrough;
  }

  /** Processes one message; returns the finished transaction at Commit. */
  async handle(msg: PgOutputMessage, dataStart: bigint): Promise<CommittedTransaction | null> {
    switch (msg.tag) {
      case 'begin':
        this.tx = { xid: msg.xid, commitTimeUs: msg.commitTimeUs, beginLsn: dataStart, records: [], changes: 0, perTable: new Map() };
        return null;
      case 'relation': {
        const cached = this.relations.get(msg.relationOid);
        if (cached && sameRelationShape(cached.rel, msg)) {
          this.relations.set(msg.relationOid, { rel: msg, schema: cached.schema });
          return null;
        }
        if (cached) this.schemaChanges++;
        this.relations.set(msg.relationOid, { rel: msg, schema: await this.opts.schemaFor(msg) });
        return null;
      }
      case 'type':
        this.opts.onTypeMessage?.();
        return null;
      case 'origin':
      case 'message':
        return null;
      case 'insert':
      case 'update':
      case 'delete': {
        const tx = this.requireTx(msg.tag);
        const schema = this.schemaOf(msg.relationOid);
        if (schema === null) return null;
        const op = msg.tag === 'insert' ? 'c' : msg.tag === 'update' ? 'u' : 'd';
        if (this.opts.skippedOperations.has(op)) return null;
        const source = this.position(tx, schema, dataStart);
        const block = this.block(tx, schema);
        const records =
          msg.tag === 'insert'
            ? this.factory.insert(schema, msg.newTuple, source, block)
            : msg.tag === 'update'
              ? this.factory.update(schema, msg.oldKey, msg.oldTuple, msg.newTuple, source, block)
              : this.factory.delete(schema, msg.oldKey, msg.oldTuple, source, block);
        tx.records.push(...records);
        tx.changes++;
        this.maybeChunk(tx);
        return null;
      }
      case 'truncate': {
        const tx = this.requireTx('truncate');
        if (this.opts.skippedOperations.has('t')) return null;
        for (const oid of msg.relationOids) {
          const schema = this.schemaOf(oid);
          if (schema === null) continue;
          tx.records.push(...this.factory.truncate(schema, this.position(tx, schema, dataStart), this.block(tx, schema)));
          tx.changes++;
        }
        return null;
      }
      case 'commit': {
        const tx = this.requireTx('commit');
        this.tx = null;
        this.lastCommitLsn = msg.endLsn;
        if (msg.endLsn <= this.skipThrough) return null; // delivered before the restart
        let records: CdcRecord[] = tx.records;
        if (this.opts.provideTransactionMetadata && tx.changes > 0) {
          const tsMs = tx.commitTimeUs / 1000n;
          records = [
            ...(tx.chunked ? [] : [transactionRecord(this.opts.transactionTopic, 'BEGIN', `${tx.xid}:${tx.beginLsn}`, tsMs, null, this.opts.schemas)]),
            ...records,
            transactionRecord(this.opts.transactionTopic, 'END', `${tx.xid}:${msg.endLsn}`, tsMs, tx.perTable, this.opts.schemas),
          ];
        }
        return { xid: tx.xid, endLsn: msg.endLsn, commitTimeUs: tx.commitTimeUs, records, changeCount: tx.changes };
      }
    }
  }

  private maybeChunk(tx: OpenTransaction): void {
    if (this.opts.onChunk === undefined || tx.records.length < (this.opts.chunkSize ?? 10_000)) return;
    if (tx.beginLsn <= this.skipThrough) return; // may be a transaction delivered before the restart: decide at Commit
    if (this.opts.provideTransactionMetadata && !tx.chunked) {
      tx.records.unshift(transactionRecord(this.opts.transactionTopic, 'BEGIN', `${tx.xid}:${tx.beginLsn}`, tx.commitTimeUs / 1000n, null, this.opts.schemas));
    }
    tx.chunked = true;
    this.opts.onChunk(tx.records);
    tx.records = [];
  }

  private requireTx(what: string): OpenTransaction {
    if (this.tx === null) throw new CdcProtocolError(`${what} outside a transaction`, { context: { message: what } });
    return this.tx;
  }

  private schemaOf(oid: number): TableSchema | null {
    const cached = this.relations.get(oid);
    if (!cached) throw new CdcProtocolError(`change for relation ${oid} before its Relation message`, { context: { relationOid: oid } });
    return cached.schema;
  }

  private position(tx: OpenTransaction, schema: TableSchema, lsn: bigint): SourcePosition {
    return {
      topicPrefix: this.opts.topicPrefix,
      db: this.opts.db,
      tsUs: tx.commitTimeUs,
      snapshot: null,
      lastCommitLsn: this.lastCommitLsn,
      lsn,
      txId: BigInt(tx.xid),
      schema: schema.schema,
      table: schema.table,
    };
  }

  private block(tx: OpenTransaction, schema: TableSchema): TransactionBlock | null {
    if (!this.opts.provideTransactionMetadata) return null;
    const dc = `${schema.schema}.${schema.table}`;
    const n = (tx.perTable.get(dc) ?? 0) + 1;
    tx.perTable.set(dc, n);
    return { id: `${tx.xid}:${tx.beginLsn}`, totalOrder: BigInt(tx.changes + 1), dataCollectionOrder: BigInt(n) };
  }
}
