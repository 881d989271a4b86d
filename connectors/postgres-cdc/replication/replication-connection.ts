/**
 * A `pg` client in walsender mode (replication: 'database'): slot creation with an exported snapshot, and the
 * START_REPLICATION CopyBoth stream. Only the simple query protocol works here, so identifiers are quoted by hand
 * and validated before use.
 */
import pg from 'pg';
import { EventEmitter } from 'node:events';
import { parseCopyData, standbyStatus, type Keepalive, type XLogData } from './framing.js';
import { formatLsn, parseLsn } from '../lsn.js';
import { CdcConnectionError } from '../errors.js';
import { closePgClient } from '../closing.js';

export interface ReplicationEvents {
  xlog: [header: XLogData, chunk: Buffer];
  keepalive: [Keepalive];
  error: [Error];
  end: [];
}

export interface CreatedSlot {
  readonly slotName: string;
  readonly consistentPoint: bigint;
  readonly snapshotName: string | null;
}

/** Session settings that make PostgreSQL's text output match what the converters parse. */
export const SESSION_OPTIONS = '-c DateStyle=ISO -c TimeZone=UTC -c IntervalStyle=iso_8601 -c bytea_output=hex -c extra_float_digits=1 -c lc_monetary=C';

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new CdcConnectionError('NUL byte in SQL literal');
  return `'${value.replace(/'/g, "''")}'`;
}

export class ReplicationConnection extends EventEmitter<ReplicationEvents> {
  private readonly client: pg.Client;
  private streaming = false;
  private closed = false;

  constructor(config: pg.ClientConfig) {
    super();
    this.client = new pg.Client({ application_name: 'tributary-cdc-replication', ...config, replication: 'database', options: SESSION_OPTIONS } as pg.ClientConfig);
    this.client.on('error', (err) => {
      if (!this.closed) this.emit('error', new CdcConnectionError(`replication connection failed: ${err.message}`, { cause: err }));
    });
    this.client.on('end', () => {
      if (!this.closed) this.emit('error', new CdcConnectionError('replication connection closed by the server'));
      this.emit('end');
    });
  }

  async connect(): Promise<void> {
    await this.client.connect();
    this.connected = true;
  }
  private connected = false;

  async identifySystem(): Promise<{ systemId: string; timeline: number; xlogpos: bigint; dbname: string }> {
    const res = await this.client.query('IDENTIFY_SYSTEM');
    const row = res.rows[0] as { systemid: string; timeline: number; xlogpos: string; dbname: string };
    return { systemId: row.systemid, timeline: Number(row.timeline), xlogpos: parseLsn(row.xlogpos), dbname: row.dbname };
  }

  /** Creates a logical pgoutput slot exporting a snapshot; keep this connection idle until the snapshot is imported. */
  async createSlot(slotName: string): Promise<CreatedSlot> {
    const res = await this.client.query(`CREATE_REPLICATION_SLOT ${quoteIdent(slotName)} LOGICAL pgoutput EXPORT_SNAPSHOT`);
    const row = res.rows[0] as { slot_name: string; consistent_point: string; snapshot_name: string | null };
    return { slotName: row.slot_name, consistentPoint: parseLsn(row.consistent_point), snapshotName: row.snapshot_name };
  }

  /**
   * Starts streaming. Resolves once the server switched to CopyBoth; messages arrive as `xlog`/`keepalive` events.
   */
  startReplication(slotName: string, startLsn: bigint, publication: string): void {
    const sql =
      `START_REPLICATION SLOT ${quoteIdent(slotName)} LOGICAL ${formatLsn(startLsn)} ` +
      `("proto_version" '1', "publication_names" ${quoteLiteral(quoteIdent(publication))})`;
    const connection = (this.client as unknown as { connection: EventEmitter }).connection;
    connection.on('copyData', (msg: { chunk: Buffer }) => {
      try {
        const frame = parseCopyData(msg.chunk);
        if (frame.kind === 'xlog') this.emit('xlog', frame, msg.chunk);
        else this.emit('keepalive', frame);
      } catch (err) {
        this.emit('error', err as Error);
      }
    });
    this.streaming = true;
    this.client.query(sql).then(
      () => {
        if (!this.closed) this.emit('error', new CdcConnectionError('replication stream ended'));
      },
      (err: Error) => {
        if (!this.closed) this.emit('error', new CdcConnectionError(`START_REPLICATION failed: ${err.message}`, { context: { slot: slotName }, cause: err }));
      },
    );
  }

  /** Reports `durableLsn` as flushed: the slot's confirmed_flush_lsn follows. */
  sendStatus(durableLsn: bigint, replyRequested = false): void {
    if (!this.streaming || this.closed) return;
    const connection = (this.client as unknown as { connection: { sendCopyFromChunk(b: Buffer): void } }).connection;
    connection.sendCopyFromChunk(standbyStatus(durableLsn, Date.now(), replyRequested));
  }

  /** Flow control: stop reading the socket while the pipeline is behind. */
  pause(): void {
    (this.client as unknown as { connection: { stream: { pause(): void } } }).connection.stream.pause();
  }

  resume(): void {
    (this.client as unknown as { connection: { stream: { resume(): void } } }).connection.stream.resume();
  }

  /** Closes the connection: at once while connecting or streaming, with a bounded goodbye otherwise. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closePgClient(this.client, this.streaming || !this.connected ? 0 : 1000);
  }
}
