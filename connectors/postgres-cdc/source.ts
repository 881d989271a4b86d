/**
 * The PostgreSQL CDC source: publication and slot setup, consistent initial snapshot, pgoutput streaming into Kafka
 * with Debezium-compatible events, offsets in a compacted topic, LSN confirmation only after Kafka acknowledged,
 * heartbeats, reconnects and graceful shutdown.
 *
 * @example
 * const source = createPostgresCdcSource({
 *   'topic.prefix': 'dbserver1', 'database.url': 'postgres://postgres@localhost:5432/shop',
 *   'kafka.bootstrap.servers': 'localhost:9092', 'table.include.list': 'public.customers',
 * });
 * source.on('confirmed', (lsn) => console.log('slot confirmed up to', lsn));
 * await source.start();
 * // ...
 * await source.stop();
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { pino, type Logger } from 'pino';
import { parseCdcConfig, tableCaptured, columnCaptured, keyColumnsFor, type CdcConfig, type RawConfig, type SnapshotMode } from './config.js';
import { Catalog } from './catalog.js';
import { buildTableSchema, type CatalogTable, type TableId, type TableSchema, type WireColumn } from './table-schema.js';
import { ChangeEventFactory, type CdcRecord } from './change-events.js';
import { KafkaOffsetStore, type SourceOffset } from './offset-store.js';
import { RecordSender } from './record-sender.js';
import { LsnConfirmationTracker } from './lsn-confirmation.js';
import { StreamProcessor, type CommittedTransaction } from './stream-processor.js';
import { ReplicationConnection, SESSION_OPTIONS, quoteIdent } from './replication/replication-connection.js';
import { decodePgOutput, type PgOutputMessage } from './pgoutput/decode.js';
import type { RelationMessage } from './pgoutput/relation.js';
import { runSnapshot, type SnapshotResult } from './snapshot.js';
import { heartbeatRecord } from './heartbeat.js';
import { formatLsn, parseLsn } from './lsn.js';
import { CdcConfigError, CdcConnectionError, CdcError } from './errors.js';
import { CdcMetrics } from './metrics.js';
import type { Registry } from 'prom-client';

export interface CdcSourceEvents {
  /** The slot's confirmed LSN advanced to this position (every event before it is acknowledged by Kafka). */
  confirmed: [lsn: bigint];
  /** Kafka acknowledged these records (in order). */
  acknowledged: [records: readonly CdcRecord[]];
  'snapshot-completed': [SnapshotResult];
  streaming: [startLsn: bigint];
  error: [Error];
  stopped: [];
}

export interface SlotLag {
  readonly slotName: string;
  readonly active: boolean;
  readonly confirmedFlushLsn: bigint | null;
  /** WAL bytes between the server's current position and the slot's confirmed flush position. */
  readonly lagBytes: bigint;
  /** WAL bytes the slot keeps on disk (from restart_lsn). */
  readonly retainedBytes: bigint;
}

export interface CdcSourceOptions {
  readonly logger?: Logger;
  /** Registers the source's metrics (slot lag, confirmed LSN, change counts) in this prom-client registry. */
  readonly metrics?: Registry;
}

const rawText = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;
const MAX_QUEUED_MESSAGES = 20_000;
const MAX_SENDER_BACKLOG = 50_000;

export class PostgresCdcSource extends EventEmitter<CdcSourceEvents> {
  readonly config: CdcConfig;
  private readonly log: Logger;
  private readonly kafka: Kafka;
  private producer!: Producer;
  private admin!: Admin;
  private catalogClient!: pg.Client;
  private catalog!: Catalog;
  private offsets!: KafkaOffsetStore;
  private sender!: RecordSender;
  private tracker!: LsnConfirmationTracker;
  private processor: StreamProcessor | null = null;
  private repl: ReplicationConnection | null = null;
  private readonly factory: ChangeEventFactory;
  private readonly topics = new Set<string>();
  private readonly queue: { msg: PgOutputMessage; lsn: bigint }[] = [];
  private pumping: Promise<void> | null = null;
  private paused = false;
  private timers: NodeJS.Timeout[] = [];
  private lastWalEnd = 0n;
  private stopping = false;
  private stopped = false;
  private reconnecting = false;
  private reconnectAttempt = 0;
  private dbName = '';
  private streamedChanges = 0;
  private lastStatsAt = Date.now();
  private lastStatsChanges = 0;
  private fatal: Error | null = null;
  /** Resolves when the source has stopped (after stop(), a fatal error or an initial_only snapshot). */
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(config: RawConfig | CdcConfig, options: CdcSourceOptions = {}) {
    super();
    this.config = 'topicPrefix' in config ? (config as CdcConfig) : parseCdcConfig(config as RawConfig);
    this.log = options.logger ?? pino({ name: 'tributary-cdc' });
    if (this.config.unknownKeys.length > 0) this.log.warn({ keys: this.config.unknownKeys }, 'ignoring unknown configuration keys');
    this.kafka = new Kafka({ clientId: this.config.name, brokers: [...this.config.kafkaBrokers], logLevel: logLevel.NOTHING });
    this.factory = new ChangeEventFactory({
      keySchemasEnable: this.config.keySchemasEnable,
      valueSchemasEnable: this.config.valueSchemasEnable,
      tombstonesOnDelete: this.config.tombstonesOnDelete,
      clockUs: () => BigInt(Date.now()) * 1000n + BigInt(Math.floor((performance.now() % 1) * 1000)),
    });
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    if (options.metrics) {
      this.metrics = new CdcMetrics(options.metrics, {
        name: this.config.name,
        confirmedLsn: () => this.confirmedLsn,
        slotLagBytes: async () => (this.catalogClient && !this.stopping ? ((await this.slotLag())?.lagBytes ?? null) : null),
      });
    }
  }
  private readonly metrics: CdcMetrics | null = null;

  /** The LSN up to which the slot has been confirmed. */
  get confirmedLsn(): bigint {
    return this.tracker?.confirmed ?? 0n;
  }

  /** (Re)opens the ordinary connection used for catalog lookups, heartbeat queries and slot monitoring. */
  private async connectCatalog(): Promise<void> {
    const old = this.catalogClient as pg.Client | undefined;
    const client = new pg.Client({ ...this.pgConfig(), options: SESSION_OPTIONS, types: rawText, application_name: `tributary-cdc-catalog/${this.config.slotName}`.slice(0, 63) });
    client.on('error', (err) => {
      this.catalogBroken = true;
      this.log.warn({ err: err.message }, 'catalog connection error');
    });
    await client.connect();
    this.catalogClient = client;
    this.catalogBroken = false;
    this.catalog = new Catalog(client);
    if (old) await old.end().catch(() => undefined);
  }
  private catalogBroken = false;

  private pgConfig(): pg.ClientConfig {
    const d = this.config.database;
    return d.connectionString
      ? { connectionString: d.connectionString, ...(d.password !== undefined ? { password: d.password } : {}) }
      : { host: d.host, port: d.port, user: d.user, password: d.password, database: d.dbname };
  }

  /** Connects, snapshots if the snapshot mode asks for it, and starts streaming. Resolves once streaming runs. */
  async start(): Promise<void> {
    try {
      await this.run();
    } catch (err) {
      this.fatal ??= err as Error;
      await this.shutdown();
      throw err;
    }
  }

  private async run(): Promise<void> {
    const cfg = this.config;
    await this.connectCatalog();
    this.dbName = (await this.catalogClient.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
    const walLevel = (await this.catalogClient.query<{ wal_level: string }>('SHOW wal_level')).rows[0]!.wal_level;
    if (walLevel !== 'logical') throw new CdcConfigError(`PostgreSQL wal_level is '${walLevel}', logical decoding needs wal_level=logical`, 'database.hostname');

    this.admin = this.kafka.admin();
    await this.admin.connect();
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await this.producer.connect();
    this.offsets = new KafkaOffsetStore(this.kafka, this.admin, this.producer, cfg.offsetStorageTopic, cfg.name, cfg.topicPrefix);
    await this.offsets.ensureTopic();
    const stored = await this.offsets.load();
    this.log.info({ offset: stored && { lsn: formatLsn(stored.lsnCommit), snapshotCompleted: stored.snapshotCompleted } }, stored ? 'loaded stored offset' : 'no stored offset');
    this.sender = new RecordSender(this.producer, (o) => this.offsets.save(o), (err) => this.fail(err), {
      onAcknowledged: (records) => this.emit('acknowledged', records),
    });

    const captured = (await this.catalog.listTables()).filter((t) => tableCaptured(cfg, t.schema, t.table));
    await this.ensurePublication(captured);
    const slot = await this.slotInfo();
    const wantSnapshot = snapshotNeeded(cfg.snapshotMode, stored, slot !== null);
    this.log.info({ snapshotMode: cfg.snapshotMode, snapshot: wantSnapshot, slotExists: slot !== null }, 'snapshot decision');

    let startLsn: bigint;
    let skipThrough: bigint;
    const repl = new ReplicationConnection({ ...this.pgConfig(), application_name: `tributary-cdc-repl/${this.config.slotName}`.slice(0, 63) });
    const setupErrors: Error[] = [];
    const onSetupError = (err: Error): void => void setupErrors.push(err);
    repl.on('error', onSetupError); // before streaming, a dropped connection is replaced below
    await repl.connect();
    this.repl = repl;
    if (slot === null) {
      const created = await repl.createSlot(cfg.slotName);
      this.log.info({ slot: cfg.slotName, consistentPoint: formatLsn(created.consistentPoint) }, 'created replication slot');
      startLsn = created.consistentPoint;
      skipThrough = created.consistentPoint;
      if (wantSnapshot) await this.snapshot(created.snapshotName, captured, created.consistentPoint, created.consistentPoint);
    } else {
      const from = stored?.lsnCommit ?? slot.confirmedFlushLsn ?? 0n;
      startLsn = from;
      skipThrough = stored?.lsnCommit ?? 0n;
      if (wantSnapshot) {
        this.log.warn({ slot: cfg.slotName }, 'slot exists: snapshot without an exported snapshot, streaming may repeat changes made during it');
        const lsn = parseLsn((await this.catalogClient.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l')).rows[0]!.l);
        await this.snapshot(null, captured, lsn, from);
      }
    }
    if (cfg.snapshotMode === 'initial_only') {
      this.log.info('snapshot.mode=initial_only: snapshot done, not streaming');
      await this.shutdown();
      return;
    }
    this.tracker = new LsnConfirmationTracker(startLsn);
    this.tracker.onConfirmed((lsn) => {
      this.repl?.sendStatus(lsn);
      this.emit('confirmed', lsn);
    });
    this.processor = new StreamProcessor(
      {
        topicPrefix: cfg.topicPrefix, db: this.dbName, skippedOperations: cfg.skippedOperations,
        provideTransactionMetadata: cfg.provideTransactionMetadata, transactionTopic: cfg.transactionTopic,
        schemas: { key: cfg.keySchemasEnable, value: cfg.valueSchemasEnable }, skipThroughLsn: skipThrough,
        lastCommitLsn: stored?.lsnCommit ?? null,
        schemaFor: (rel) => this.schemaForRelation(rel),
        onTypeMessage: () => this.catalog.invalidateTypes(),
        onChunk: (records) => this.sender.enqueue({ records, offset: null }),
      },
      this.factory,
    );
    if (cfg.provideTransactionMetadata) await this.ensureTopics([cfg.transactionTopic]);
    if (cfg.heartbeatIntervalMs > 0) {
      await this.ensureTopics([cfg.heartbeatTopic]);
      this.timers.push(setInterval(() => void this.heartbeat(), cfg.heartbeatIntervalMs));
    }
    this.timers.push(setInterval(() => this.repl?.sendStatus(this.tracker.confirmed), cfg.statusUpdateIntervalMs));
    this.timers.push(setInterval(() => void this.logStats(), 30_000));
    repl.off('error', onSetupError);
    let streamRepl = repl;
    if (setupErrors.length > 0) {
      this.log.warn({ err: setupErrors[0]!.message }, 'replication connection dropped during setup, opening a new one');
      await repl.close();
      streamRepl = new ReplicationConnection({ ...this.pgConfig(), application_name: `tributary-cdc-repl/${this.config.slotName}`.slice(0, 63) });
      await streamRepl.connect();
      this.repl = streamRepl;
    }
    streamRepl.on('error', (err) => this.onStreamError(err));
    this.stream(streamRepl, startLsn);
  }

  private async snapshot(snapshotName: string | null, tables: readonly TableId[], lsn: bigint, resumeLsn: bigint): Promise<void> {
    const client = new pg.Client({ ...this.pgConfig(), options: SESSION_OPTIONS, types: rawText });
    await client.connect();
    try {
      const tableCatalog = new Catalog(client);
      const result = await runSnapshot({
        client, snapshotName, tables, lsn, fetchSize: this.config.snapshotFetchSize, logger: this.log,
        topicPrefix: this.config.topicPrefix, db: this.dbName, factory: this.factory,
        loadTable: (id) => tableCatalog.table(id),
        buildSchema: (t) => this.buildSchema(t, null),
        emit: async (records) => {
          await this.ensureTopics(records.map((r) => r.topic));
          this.sender.enqueue({ records, offset: null });
          if (this.sender.backlog > MAX_SENDER_BACKLOG) await this.sender.drain();
        },
      });
      this.sender.enqueue({
        records: [],
        offset: { lsn, lsnProc: resumeLsn, lsnCommit: resumeLsn, txId: result.txId, tsUsec: BigInt(Date.now()) * 1000n, messageType: 'SNAPSHOT', snapshotCompleted: true },
      });
      await this.sender.drain();
      this.metrics?.snapshotRows.inc({ connector: this.config.name }, result.rows);
      this.emit('snapshot-completed', result);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private buildSchema(t: CatalogTable, wire: readonly WireColumn[] | null): TableSchema {
    const cfg = this.config;
    return buildTableSchema(t, wire, {
      topicPrefix: cfg.topicPrefix,
      decimalHandlingMode: cfg.decimalHandlingMode,
      timePrecisionMode: cfg.timePrecisionMode,
      binaryHandlingMode: cfg.binaryHandlingMode,
      intervalHandlingMode: cfg.intervalHandlingMode,
      hstoreHandlingMode: cfg.hstoreHandlingMode,
      moneyFractionDigits: cfg.moneyFractionDigits,
      unavailableValuePlaceholder: cfg.unavailableValuePlaceholder,
      sourceInfoVersion: cfg.sourceInfoVersion,
      columnFilter: (id, col) => columnCaptured(cfg, id.schema, id.table, col),
      keyColumnsOverride: (id) => keyColumnsFor(cfg, id.schema, id.table),
    });
  }

  private async schemaForRelation(rel: RelationMessage): Promise<TableSchema | null> {
    try {
      return await this.loadRelationSchema(rel);
    } catch (err) {
      if (!this.catalogBroken) throw err;
      await this.connectCatalog(); // the catalog connection dropped: one more try on a fresh one
      return this.loadRelationSchema(rel);
    }
  }

  private async loadRelationSchema(rel: RelationMessage): Promise<TableSchema | null> {
    if (!tableCaptured(this.config, rel.schema, rel.table)) return null;
    const t = await this.catalog.tableByOid(rel.relationOid);
    if (t === null) return null;
    // The catalog reflects the present; the relation message describes the rows being decoded. Columns it has that
    // the catalog no longer has (dropped since) are typed from the message itself.
    const known = new Set(t.columns.map((c) => c.name));
    const extra = [];
    for (const c of rel.columns) {
      if (known.has(c.name)) continue;
      const { type, typmod } = await this.catalog.resolveType(c.typeOid, c.typeMod);
      extra.push({ name: c.name, type, typmod, notNull: false, defaultExpr: null });
    }
    const table: CatalogTable = { ...t, columns: [...t.columns, ...extra], replicaIdentity: rel.replicaIdentity };
    const schema = this.buildSchema(table, rel.columns.map((c) => ({ name: c.name, typmod: c.typeMod })));
    await this.ensureTopics([schema.topic]);
    this.log.info({ table: `${rel.schema}.${rel.table}`, columns: schema.columns.length, identity: rel.replicaIdentity }, 'table schema (re)built from relation message');
    return schema;
  }

  private async ensureTopics(topics: readonly string[]): Promise<void> {
    const missing = [...new Set(topics)].filter((t) => !this.topics.has(t));
    if (missing.length === 0) return;
    await this.admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: 1 })) });
    for (const t of missing) this.topics.add(t);
  }

  private async ensurePublication(captured: readonly TableId[]): Promise<void> {
    const cfg = this.config;
    const res = await this.catalogClient.query<{ puballtables: string }>('SELECT puballtables::text FROM pg_publication WHERE pubname = $1', [cfg.publicationName]);
    const exists = res.rows.length > 0;
    const pub = quoteIdent(cfg.publicationName);
    const list = captured.map((t) => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`).join(', ');
    switch (cfg.publicationAutocreateMode) {
      case 'disabled':
        if (!exists) throw new CdcConfigError(`publication ${cfg.publicationName} does not exist and publication.autocreate.mode is disabled`, 'publication.name');
        return;
      case 'all_tables':
        if (!exists) await this.catalogClient.query(`CREATE PUBLICATION ${pub} FOR ALL TABLES`);
        break;
      case 'no_tables':
        if (!exists) await this.catalogClient.query(`CREATE PUBLICATION ${pub}`);
        break;
      case 'filtered':
        if (exists && res.rows[0]!.puballtables === 'true') {
          throw new CdcConfigError(`publication ${cfg.publicationName} is FOR ALL TABLES; publication.autocreate.mode=filtered needs a table publication`, 'publication.name');
        }
        if (!exists) await this.catalogClient.query(list ? `CREATE PUBLICATION ${pub} FOR TABLE ${list}` : `CREATE PUBLICATION ${pub}`);
        else if (list) await this.catalogClient.query(`ALTER PUBLICATION ${pub} SET TABLE ${list}`);
        break;
    }
    if (!exists) this.log.info({ publication: cfg.publicationName, mode: cfg.publicationAutocreateMode }, 'created publication');
  }

  private async slotInfo(): Promise<{ confirmedFlushLsn: bigint | null } | null> {
    const res = await this.catalogClient.query<{ confirmed: string | null; plugin: string; db: string }>(
      'SELECT confirmed_flush_lsn::text AS confirmed, plugin, database AS db FROM pg_replication_slots WHERE slot_name = $1',
      [this.config.slotName],
    );
    const row = res.rows[0];
    if (!row) return null;
    if (row.plugin !== 'pgoutput') throw new CdcConfigError(`slot ${this.config.slotName} uses plugin ${row.plugin}, not pgoutput`, 'slot.name');
    if (row.db !== this.dbName) throw new CdcConfigError(`slot ${this.config.slotName} belongs to database ${row.db}`, 'slot.name');
    return { confirmedFlushLsn: row.confirmed === null ? null : parseLsn(row.confirmed) };
  }

  private stream(repl: ReplicationConnection, startLsn: bigint): void {
    repl.on('xlog', (header, chunk) => {
      let msg: PgOutputMessage;
      try {
        msg = decodePgOutput(chunk, header.payloadOffset);
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      this.queue.push({ msg, lsn: header.dataStart });
      if (!this.paused && this.queue.length > MAX_QUEUED_MESSAGES) {
        this.paused = true;
        repl.pause();
      }
      if (!this.pumping) this.pumping = this.pump().finally(() => (this.pumping = null));
    });
    repl.on('keepalive', (k) => {
      if (k.walEnd > this.lastWalEnd) this.lastWalEnd = k.walEnd;
      if (k.replyRequested) repl.sendStatus(this.tracker.confirmed);
    });
    repl.startReplication(this.config.slotName, startLsn, this.config.publicationName);
    this.log.info({ slot: this.config.slotName, startLsn: formatLsn(startLsn) }, 'streaming started');
    this.emit('streaming', startLsn);
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0 && !this.fatal) {
      const { msg, lsn } = this.queue.shift()!;
      try {
        const done: CommittedTransaction | null = await this.processor!.handle(msg, lsn);
        if (done !== null) this.deliver(done);
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      if (this.sender.backlog > MAX_SENDER_BACKLOG) await this.sender.drain().catch(() => undefined);
      if (this.paused && this.queue.length < MAX_QUEUED_MESSAGES / 4) {
        this.paused = false;
        this.repl?.resume();
      }
    }
  }

  private deliver(tx: CommittedTransaction): void {
    const ticket = this.tracker.register(tx.endLsn);
    this.streamedChanges += tx.changeCount;
    this.metrics?.changes.inc({ connector: this.config.name }, tx.changeCount);
    const offset: SourceOffset = {
      lsn: tx.endLsn, lsnProc: tx.endLsn, lsnCommit: tx.endLsn, txId: BigInt(tx.xid), tsUsec: tx.commitTimeUs, messageType: 'COMMIT', snapshotCompleted: true,
    };
    this.sender.enqueue({ records: tx.records, offset, onDurable: () => this.tracker.acknowledge(ticket) });
  }

  private async heartbeat(): Promise<void> {
    const cfg = this.config;
    try {
      if (cfg.heartbeatActionQuery) await this.catalogClient.query(cfg.heartbeatActionQuery);
      const idle = this.processor !== null && !this.processor.inTransaction && this.queue.length === 0 && this.sender.backlog === 0 && this.tracker.inFlight === 0;
      const record = heartbeatRecord(cfg.heartbeatTopic, cfg.topicPrefix, BigInt(Date.now()), { key: cfg.keySchemasEnable, value: cfg.valueSchemasEnable });
      if (idle && this.lastWalEnd > this.tracker.confirmed) {
        // everything the server sent before this keepalive position is processed and durable: let the slot move on
        const lsn = this.lastWalEnd;
        const ticket = this.tracker.register(lsn);
        const offset: SourceOffset = { lsn, lsnProc: lsn, lsnCommit: lsn, txId: null, tsUsec: BigInt(Date.now()) * 1000n, messageType: 'HEARTBEAT', snapshotCompleted: true };
        this.sender.enqueue({ records: [record], offset, onDurable: () => this.tracker.acknowledge(ticket) });
      } else {
        this.sender.enqueue({ records: [record], offset: null });
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'heartbeat failed');
    }
  }

  /** Replication slot position and lag as the server sees it. */
  async slotLag(): Promise<SlotLag | null> {
    const res = await this.catalogClient.query<{ active: string; confirmed: string | null; lag: string | null; retained: string | null }>(
      `SELECT active::text, confirmed_flush_lsn::text AS confirmed,
              pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::int8::text AS lag,
              pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::int8::text AS retained
       FROM pg_replication_slots WHERE slot_name = $1`,
      [this.config.slotName],
    );
    const row = res.rows[0];
    if (!row) return null;
    return {
      slotName: this.config.slotName,
      active: row.active === 'true',
      confirmedFlushLsn: row.confirmed === null ? null : parseLsn(row.confirmed),
      lagBytes: BigInt(row.lag ?? '0'),
      retainedBytes: BigInt(row.retained ?? '0'),
    };
  }

  private async logStats(): Promise<void> {
    const now = Date.now();
    const rate = ((this.streamedChanges - this.lastStatsChanges) * 1000) / Math.max(1, now - this.lastStatsAt);
    this.lastStatsAt = now;
    this.lastStatsChanges = this.streamedChanges;
    const lag = await this.slotLag().catch(() => null);
    this.log.info(
      { confirmedLsn: formatLsn(this.tracker.confirmed), changes: this.streamedChanges, changesPerSec: Math.round(rate), lagBytes: lag?.lagBytes.toString(), retainedBytes: lag?.retainedBytes.toString() },
      'streaming position',
    );
  }

  private onStreamError(err: Error): void {
    if (this.stopping || this.fatal) return;
    if (!(err instanceof CdcConnectionError)) {
      this.fail(err);
      return;
    }
    if (this.reconnecting) return;
    this.reconnecting = true;
    void this.reconnect(err);
  }

  private async reconnect(cause: Error): Promise<void> {
    const old = this.repl;
    this.repl = null;
    old?.removeAllListeners('xlog');
    old?.removeAllListeners('keepalive');
    await old?.close();
    this.queue.length = 0;
    this.paused = false;
    await this.pumping;
    try {
      await this.sender.drain();
    } catch {
      return; // fail() already ran
    }
    while (!this.stopping && !this.fatal) {
      this.reconnectAttempt++;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(this.reconnectAttempt, 6));
      this.log.warn({ err: cause.message, attempt: this.reconnectAttempt, retryInMs: delay }, 'replication connection lost, reconnecting');
      await new Promise((r) => setTimeout(r, delay));
      if (this.stopping) break;
      const repl = new ReplicationConnection({ ...this.pgConfig(), application_name: `tributary-cdc-repl/${this.config.slotName}`.slice(0, 63) });
      repl.on('error', (err) => this.onStreamError(err));
      try {
        if (this.catalogBroken || !(await this.catalogClient.query('SELECT 1').then(() => true, () => false))) await this.connectCatalog();
        await repl.connect();
        const resume = this.tracker.confirmed;
        this.processor!.reset(resume);
        this.repl = repl;
        this.reconnecting = false;
        this.reconnectAttempt = 0;
        this.stream(repl, resume);
        return;
      } catch (err) {
        cause = err as Error;
        repl.removeAllListeners('error');
        await repl.close();
      }
    }
    this.reconnecting = false;
  }

  private fail(err: Error): void {
    if (this.fatal || this.stopping) return;
    this.fatal = err;
    this.log.error({ err: err.message, context: err instanceof CdcError ? err.context : undefined }, 'CDC source failed');
    if (this.listenerCount('error') > 0) this.emit('error', err);
    void this.shutdown();
  }

  /** Stops gracefully: finishes what Kafka is sending, confirms it to the slot, then disconnects. */
  async stop(): Promise<void> {
    await this.shutdown();
    if (this.fatal) throw this.fatal;
  }

  private async shutdown(): Promise<void> {
    if (this.stopping) return this.done;
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    try {
      this.repl?.pause();
      if (!this.fatal) {
        await this.pumping;
        await this.sender?.drain().catch(() => undefined);
        if (this.tracker) this.repl?.sendStatus(this.tracker.confirmed);
      }
      await this.repl?.close();
      if (this.config.slotDropOnStop) {
        await this.catalogClient.query('SELECT pg_drop_replication_slot($1) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [this.config.slotName]).catch(() => undefined);
      }
      if (this.tracker) this.log.info({ confirmedLsn: formatLsn(this.tracker.confirmed) }, 'CDC source stopped');
    } finally {
      await this.producer?.disconnect().catch(() => undefined);
      await this.admin?.disconnect().catch(() => undefined);
      await this.catalogClient?.end().catch(() => undefined);
      this.stopped = true;
      this.emit('stopped');
      this.resolveDone();
    }
  }
}

/**
 * Whether to snapshot before streaming, per Debezium's snapshot.mode: `initial`/`initial_only` until a snapshot has
 * completed, `always` on every start, `no_data` never, `when_needed` also when the slot (and its WAL) is gone.
 */
export function snapshotNeeded(mode: SnapshotMode, stored: SourceOffset | null, slotExists: boolean): boolean {
  const completed = stored !== null && stored.snapshotCompleted;
  switch (mode) {
    case 'always':
      return true;
    case 'no_data':
      return false;
    case 'initial':
    case 'initial_only':
      return !completed;
    case 'when_needed':
      return !completed || !slotExists;
  }
}

/** Creates a PostgreSQL CDC source from Debezium-style configuration keys. */
export function createPostgresCdcSource(config: RawConfig | CdcConfig, options: CdcSourceOptions = {}): PostgresCdcSource {
  return new PostgresCdcSource(config, options);
}
