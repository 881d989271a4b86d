/**
 * The PostgreSQL CDC source: publication and slot setup, consistent initial snapshot, pgoutput streaming into Kafka
 * with Debezium-compatible events, offsets in a compacted topic, LSN confirmation only after Kafka acknowledged,
 * heartbeats, slot health checks, retries with backoff and graceful shutdown.
 *
 * Work runs in sessions: a session connects to PostgreSQL and Kafka, checks the slot, snapshots if needed and
 * streams. A retriable failure (network, broker or server restart) ends the session, and after a backoff
 * (`errors.retry.delay.*`) a new one resumes from the last stored offset; after `errors.max.retries` failures without
 * progress the source fails. Anything else (a lost slot, bad credentials, bad configuration, undecodable data) fails
 * it at once: `done` resolves, `start()` rejects or `error` is emitted.
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
import { pino, type Logger } from 'pino';
import { connectorKafka } from '../../src/kafka/connector-kafka.js';
import type { AdminPort, KafkaPort, ProducerPort } from '../../src/kafka/port.js';
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
import { CdcConfigError, CdcError, CdcRetriesExhaustedError } from './errors.js';
import { CdcMetrics } from './metrics.js';
import { closePgClient, within } from './closing.js';
import { RetryBudget, isRetriableCdcError } from './retry-policy.js';
import { RetriesExhaustedError } from '../../src/errors.js';
import { retry } from '../../src/retry.js';
import { WalLagClock, isSlotLostServerError, readSlotHealth, slotLostError, slotWarnings, type SlotHealth } from './slot-health.js';
import type { Registry } from 'prom-client';

export interface CdcSourceEvents {
  /** The slot's confirmed LSN advanced to this position (every event before it is acknowledged by Kafka). */
  confirmed: [lsn: bigint];
  /** Kafka acknowledged these records (in order). */
  acknowledged: [records: readonly CdcRecord[]];
  'snapshot-completed': [SnapshotResult];
  streaming: [startLsn: bigint];
  /** A slot health check ran (at start and every slot.health.check.interval.ms); lagMs is null until measurable. */
  'slot-health': [health: SlotHealth, lagMs: number | null];
  /** A retriable error ended the session; a new one starts after `delayMs`. */
  retrying: [error: Error, attempt: number, delayMs: number];
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
  /**
   * The Kafka the source writes to (default: the kafkajs adapter on `kafka.bootstrap.servers`, giving up on an
   * unreachable broker within seconds: the source's own `errors.*` restarts handle longer outages).
   */
  readonly kafka?: KafkaPort;
}

const rawText = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;
const MAX_QUEUED_MESSAGES = 20_000;
const MAX_SENDER_BACKLOG = 50_000;
/** How long a stop or a session end waits for Kafka to acknowledge what is in flight (SIGTERM must end within 10 s). */
const DRAIN_BOUND_MS = 4000;

/** Thrown inside a session's setup once the source is stopping or the session was replaced: not a failure. */
class SessionEnded extends CdcError {}

/** An error's message and code for a log line (never a connection string: the drivers do not put one there). */
function errInfo(err: unknown): { message: string; code?: unknown; name?: string } {
  const e = err as { message?: unknown; code?: unknown; name?: unknown };
  return { message: String(e?.message ?? err), ...(e?.code !== undefined ? { code: e.code } : {}), ...(typeof e?.name === 'string' ? { name: e.name } : {}) };
}

export class PostgresCdcSource extends EventEmitter<CdcSourceEvents> {
  readonly config: CdcConfig;
  private readonly log: Logger;
  private readonly kafka: KafkaPort;
  private producer: ProducerPort | undefined;
  private admin: AdminPort | undefined;
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
  /** Generation of the current session: callbacks of an ended session compare theirs and do nothing. */
  private session = 0;
  /** The current session finished its setup and streams; its failures go through onFailure. */
  private live = false;
  private recovering: Promise<void> | null = null;
  private readonly budget: RetryBudget;
  /** Aborted when the source stops or fails: ends a retry pause at once. */
  private readonly stopSignal = new AbortController();
  /** The newest offset known to be stored (loaded at the first start, then each one saved): sessions resume here. */
  private storedOffset: SourceOffset | null | undefined = undefined;
  private readonly lagClock = new WalLagClock();
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
    this.budget = new RetryBudget({ maxRetries: this.config.errorsMaxRetries, initialDelayMs: this.config.errorsRetryDelayInitialMs, maxDelayMs: this.config.errorsRetryDelayMaxMs });
    // the client retries briefly by itself; longer outages are the session retries' job (logged, counted, bounded)
    this.kafka = options.kafka ?? connectorKafka({ clientId: this.config.name, brokers: this.config.kafkaBrokers, logger: this.log, outages: 'brief', clientLogs: false, security: this.config.kafkaSecurity, clientLabel: 'the CDC source' });
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

  /** The error that made the source fail (null while it runs or after a clean stop). */
  get failure(): Error | null {
    return this.fatal;
  }

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
      if (!this.stopping) this.log.warn({ err: err.message }, 'catalog connection error');
    });
    this.pendingClient = client; // shutdown ends it even while it connects
    try {
      await client.connect();
    } catch (err) {
      await closePgClient(client, 0);
      throw connectError(err, this.config.database.user);
    } finally {
      this.pendingClient = null;
    }
    this.catalogClient = client;
    this.catalogBroken = false;
    this.catalog = new Catalog(client);
    await closePgClient(old);
  }
  private catalogBroken = false;
  private pendingClient: pg.Client | null = null;

  private pgConfig(): pg.ClientConfig {
    const d = this.config.database;
    // database.password is already in the connection string (config.ts puts it there, over the URL's own)
    const base = d.connectionString ? { connectionString: d.connectionString } : { host: d.host, port: d.port, user: d.user, password: d.password, database: d.dbname };
    return { ...base, ...(d.ssl === undefined ? {} : { ssl: d.ssl }), connectionTimeoutMillis: 10_000, keepAlive: true };
  }

  /**
   * Connects, snapshots if the snapshot mode asks for it, and starts streaming. Resolves once streaming runs; while
   * PostgreSQL or Kafka are unreachable it keeps retrying (within `errors.max.retries`). Rejects with the error that
   * made the source fail; resolves without streaming when stop() came first.
   */
  async start(): Promise<void> {
    try {
      await this.run(this.session);
    } catch (err) {
      if (!this.stopping && !this.fatal) {
        if (isRetriableCdcError(err)) {
          this.recovering = this.recover(err as Error);
          await this.recovering;
          this.recovering = null;
        } else {
          this.fatal = err as Error;
          this.log.error({ error: errInfo(err), context: err instanceof CdcError ? err.context : undefined }, 'CDC source failed');
        }
      }
    }
    if (this.fatal) {
      await this.shutdown();
      throw this.fatal;
    }
  }

  /** Throws SessionEnded when the source stops or the session was replaced while an await was pending. */
  private alive(gen: number): void {
    if (this.stopping || this.fatal || gen !== this.session) throw new SessionEnded('session ended');
  }

  private async run(gen: number): Promise<void> {
    const cfg = this.config;
    await this.connectCatalog();
    this.alive(gen);
    this.dbName = (await this.catalogClient.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
    const walLevel = (await this.catalogClient.query<{ wal_level: string }>('SHOW wal_level')).rows[0]!.wal_level;
    if (walLevel !== 'logical') throw new CdcConfigError(`PostgreSQL wal_level is '${walLevel}', logical decoding needs wal_level=logical`, { key: 'database.hostname' });

    const admin = (this.admin = await this.kafka.admin());
    this.alive(gen);
    // topics are created by the source itself, each before its first record
    const producer = (this.producer = await this.kafka.producer({ autoCreateTopics: false }));
    this.alive(gen);
    this.offsets = new KafkaOffsetStore(this.kafka, admin, producer, cfg.offsetStorageTopic, cfg.name, cfg.topicPrefix);
    if (this.storedOffset === undefined) {
      await this.offsets.ensureTopic();
      const loaded = await this.offsets.load();
      this.alive(gen);
      this.storedOffset = loaded;
      this.log.info({ offset: loaded && { lsn: formatLsn(loaded.lsnCommit), snapshotCompleted: loaded.snapshotCompleted } }, loaded ? 'loaded stored offset' : 'no stored offset');
    }
    const stored = this.storedOffset;
    const offsets = this.offsets;
    this.sender = new RecordSender(
      producer,
      async (o) => {
        await offsets.save(o);
        this.storedOffset = o;
      },
      (err) => this.onFailure(err, gen),
      {
        onAcknowledged: (records) => {
          if (records.length > 0) this.budget.progress();
          this.emit('acknowledged', records);
        },
      },
    );

    const captured = (await this.catalog.listTables()).filter((t) => tableCaptured(cfg, t.schema, t.table));
    await this.ensurePublication(captured);
    this.alive(gen);
    let slot = await this.slotInfo();
    if (slot?.walStatus === 'lost') {
      const health = await readSlotHealth(this.catalogClient, cfg.slotName);
      if (cfg.snapshotMode !== 'when_needed') throw slotLostError(cfg.slotName, health, stored?.lsnCommit ?? null);
      this.log.warn({ slot: cfg.slotName, storedLsn: stored ? formatLsn(stored.lsnCommit) : null }, `replication slot ${cfg.slotName} is lost: snapshot.mode=when_needed drops it and takes a new snapshot`);
      await this.catalogClient.query('SELECT pg_drop_replication_slot($1)', [cfg.slotName]);
      slot = null;
    }
    if (slot !== null) await this.checkSlotHealth(gen);
    this.alive(gen);
    const wantSnapshot = snapshotNeeded(cfg.snapshotMode, stored, slot !== null);
    this.log.info({ snapshotMode: cfg.snapshotMode, snapshot: wantSnapshot, slotExists: slot !== null }, 'snapshot decision');

    let startLsn: bigint;
    let skipThrough: bigint;
    const repl = new ReplicationConnection({ ...this.pgConfig(), application_name: `tributary-cdc-repl/${this.config.slotName}`.slice(0, 63) });
    const setupErrors: Error[] = [];
    const onSetupError = (err: Error): void => void setupErrors.push(err);
    repl.on('error', onSetupError); // before streaming, a dropped connection is replaced below
    this.repl = repl;
    try {
      await repl.connect();
    } catch (err) {
      throw connectError(err, cfg.database.user);
    }
    this.alive(gen);
    if (slot === null) {
      const created = await repl.createSlot(cfg.slotName);
      this.log.info({ slot: cfg.slotName, consistentPoint: formatLsn(created.consistentPoint) }, 'created replication slot');
      startLsn = created.consistentPoint;
      skipThrough = created.consistentPoint;
      if (wantSnapshot) await this.snapshot(gen, created.snapshotName, captured, created.consistentPoint, created.consistentPoint);
      else await this.checkSlotHealth(gen);
    } else {
      const from = stored?.lsnCommit ?? slot.confirmedFlushLsn ?? 0n;
      startLsn = from;
      skipThrough = stored?.lsnCommit ?? 0n;
      if (wantSnapshot) {
        this.log.warn({ slot: cfg.slotName }, 'slot exists: snapshot without an exported snapshot, streaming may repeat changes made during it');
        const lsn = parseLsn((await this.catalogClient.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l')).rows[0]!.l);
        await this.snapshot(gen, null, captured, lsn, from);
      }
    }
    this.alive(gen);
    if (cfg.snapshotMode === 'initial_only') {
      this.log.info('snapshot.mode=initial_only: snapshot done, not streaming');
      await this.shutdown();
      return;
    }
    this.tracker = new LsnConfirmationTracker(startLsn);
    this.tracker.onConfirmed((lsn) => {
      this.budget.progress();
      if (gen === this.session) this.repl?.sendStatus(lsn);
      this.emit('confirmed', lsn);
    });
    const sender = this.sender;
    this.processor = new StreamProcessor(
      {
        topicPrefix: cfg.topicPrefix, db: this.dbName, skippedOperations: cfg.skippedOperations,
        provideTransactionMetadata: cfg.provideTransactionMetadata, transactionTopic: cfg.transactionTopic,
        schemas: { key: cfg.keySchemasEnable, value: cfg.valueSchemasEnable }, skipThroughLsn: skipThrough,
        lastCommitLsn: stored?.lsnCommit ?? null,
        schemaFor: (rel) => this.schemaForRelation(rel),
        onTypeMessage: () => this.catalog.invalidateTypes(),
        onChunk: (records) => sender.enqueue({ records, offset: null }),
      },
      this.factory,
    );
    if (cfg.provideTransactionMetadata) await this.ensureTopics([cfg.transactionTopic]);
    if (cfg.heartbeatIntervalMs > 0) {
      await this.ensureTopics([cfg.heartbeatTopic]);
      this.timers.push(setInterval(() => void this.heartbeat(gen), cfg.heartbeatIntervalMs));
    }
    this.alive(gen);
    this.timers.push(setInterval(() => this.repl?.sendStatus(this.tracker.confirmed), cfg.statusUpdateIntervalMs));
    this.timers.push(setInterval(() => void this.logStats(), 30_000));
    if (cfg.slotHealthCheckIntervalMs > 0) {
      this.timers.push(setInterval(() => void this.checkSlotHealth(gen).catch((err) => this.onHealthCheckError(err, gen)), cfg.slotHealthCheckIntervalMs));
    }
    repl.off('error', onSetupError);
    let streamRepl = repl;
    if (setupErrors.length > 0) {
      this.log.warn({ err: setupErrors[0]!.message }, 'replication connection dropped during setup, opening a new one');
      await repl.close();
      streamRepl = new ReplicationConnection({ ...this.pgConfig(), application_name: `tributary-cdc-repl/${this.config.slotName}`.slice(0, 63) });
      this.repl = streamRepl;
      await streamRepl.connect();
      this.alive(gen);
    }
    streamRepl.on('error', (err) => this.onStreamError(err, gen));
    this.live = true;
    this.stream(streamRepl, startLsn, gen);
  }

  private async snapshot(gen: number, snapshotName: string | null, tables: readonly TableId[], lsn: bigint, resumeLsn: bigint): Promise<void> {
    const client = new pg.Client({ ...this.pgConfig(), options: SESSION_OPTIONS, types: rawText });
    // A server that goes away (a crash, a restart) fails the FETCH in flight, which ends the session and is retried,
    // and pg also emits 'error' on the client: unheard, that event would end the process.
    client.on('error', (err) => {
      if (!this.stopping) this.log.warn({ err: err.message }, 'snapshot connection error');
    });
    this.snapshotClient = client; // shutdown ends it, so a stop during a long FETCH does not wait for it
    try {
      await client.connect();
      const tableCatalog = new Catalog(client);
      const result = await runSnapshot({
        client, snapshotName, tables, lsn, fetchSize: this.config.snapshotFetchSize, logger: this.log,
        topicPrefix: this.config.topicPrefix, db: this.dbName, factory: this.factory,
        loadTable: (id) => tableCatalog.table(id),
        buildSchema: (t) => this.buildSchema(t, null),
        emit: async (records) => {
          this.alive(gen); // a stop ends the snapshot between fetches; what Kafka has is kept, nothing is marked done
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
      this.snapshotClient = null;
      await closePgClient(client);
    }
  }
  private snapshotClient: pg.Client | null = null;

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
    await this.admin!.createTopics(missing.map((topic) => ({ topic, partitions: 1 })));
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
        if (!exists) throw new CdcConfigError(`publication ${cfg.publicationName} does not exist and publication.autocreate.mode is disabled`, { key: 'publication.name' });
        return;
      case 'all_tables':
        if (!exists) await this.catalogClient.query(`CREATE PUBLICATION ${pub} FOR ALL TABLES`);
        break;
      case 'no_tables':
        if (!exists) await this.catalogClient.query(`CREATE PUBLICATION ${pub}`);
        break;
      case 'filtered':
        if (exists && res.rows[0]!.puballtables === 'true') {
          throw new CdcConfigError(`publication ${cfg.publicationName} is FOR ALL TABLES; publication.autocreate.mode=filtered needs a table publication`, { key: 'publication.name' });
        }
        if (!exists) await this.catalogClient.query(list ? `CREATE PUBLICATION ${pub} FOR TABLE ${list}` : `CREATE PUBLICATION ${pub}`);
        else if (list) await this.catalogClient.query(`ALTER PUBLICATION ${pub} SET TABLE ${list}`);
        break;
    }
    if (!exists) this.log.info({ publication: cfg.publicationName, mode: cfg.publicationAutocreateMode }, 'created publication');
  }

  private async slotInfo(): Promise<{ confirmedFlushLsn: bigint | null; walStatus: string | null } | null> {
    const version = Number((await this.catalogClient.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]!.v);
    const res = await this.catalogClient.query<{ confirmed: string | null; plugin: string; db: string; wal_status: string | null }>(
      `SELECT confirmed_flush_lsn::text AS confirmed, plugin, database AS db, ${version >= 130000 ? 'wal_status' : 'NULL::text AS wal_status'}
       FROM pg_replication_slots WHERE slot_name = $1`,
      [this.config.slotName],
    );
    const row = res.rows[0];
    if (!row) return null;
    if (row.plugin !== 'pgoutput') throw new CdcConfigError(`slot ${this.config.slotName} uses plugin ${row.plugin}, not pgoutput`, { key: 'slot.name' });
    if (row.db !== this.dbName) throw new CdcConfigError(`slot ${this.config.slotName} belongs to database ${row.db}`, { key: 'slot.name' });
    return { confirmedFlushLsn: row.confirmed === null ? null : parseLsn(row.confirmed), walStatus: row.wal_status };
  }

  /**
   * Reads the slot's health, sets the metrics and warns past the thresholds. A lost slot fails the source: its
   * missing WAL cannot come back, and streaming on would silently skip the changes in it.
   */
  private async checkSlotHealth(gen: number): Promise<void> {
    const cfg = this.config;
    if (this.catalogBroken) await this.connectCatalog();
    const h = await readSlotHealth(this.catalogClient, cfg.slotName);
    if (h === null || gen !== this.session || this.stopping) return;
    const now = Date.now();
    this.lagClock.sample(now, h.currentLsn);
    const lagMs = h.confirmedFlushLsn === null ? null : this.lagClock.lagMs(now, h.confirmedFlushLsn);
    this.metrics?.recordSlotHealth(h, lagMs);
    this.emit('slot-health', h, lagMs);
    if (h.walStatus === 'lost') throw slotLostError(cfg.slotName, h, this.storedOffset?.lsnCommit ?? null);
    const thresholds = { lagBytes: cfg.slotLagWarnBytes, lagMs: cfg.slotLagWarnMs, retainedBytes: cfg.slotRetainedWalWarnBytes };
    for (const w of slotWarnings(h, thresholds, lagMs)) {
      this.metrics?.slotWarnings.inc({ connector: cfg.name, kind: w.kind });
      this.log.warn({ slot: w.slot, kind: w.kind, value: w.value, threshold: w.threshold, walStatus: h.walStatus, safeWalBytes: h.safeWalBytes?.toString() ?? null }, w.message);
    }
  }

  private onHealthCheckError(err: unknown, gen: number): void {
    if (gen !== this.session || this.stopping) return;
    if (err instanceof CdcError && !err.retriable) this.fail(err);
    else this.log.warn({ error: errInfo(err) }, 'slot health check failed');
  }

  private stream(repl: ReplicationConnection, startLsn: bigint, gen: number): void {
    repl.on('xlog', (header, chunk) => {
      if (gen !== this.session) return;
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
      if (!this.pumping) this.pumping = this.pump(gen).finally(() => (this.pumping = null));
    });
    repl.on('keepalive', (k) => {
      if (gen !== this.session) return;
      if (k.walEnd > this.lastWalEnd) this.lastWalEnd = k.walEnd;
      if (k.replyRequested) repl.sendStatus(this.tracker.confirmed);
    });
    repl.startReplication(this.config.slotName, startLsn, this.config.publicationName);
    this.log.info({ slot: this.config.slotName, startLsn: formatLsn(startLsn) }, 'streaming started');
    this.emit('streaming', startLsn);
  }

  private async pump(gen: number): Promise<void> {
    while (this.queue.length > 0 && !this.fatal && gen === this.session) {
      const { msg, lsn } = this.queue.shift()!;
      try {
        const done: CommittedTransaction | null = await this.processor!.handle(msg, lsn);
        if (done !== null && gen === this.session) this.deliver(done);
      } catch (err) {
        // a schema lookup on a dropped connection or a send to an unreachable broker ends the session (retried);
        // anything else (undecodable data, a bug) fails the source
        this.onFailure(err as Error, gen);
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

  private async heartbeat(gen: number): Promise<void> {
    const cfg = this.config;
    try {
      if (cfg.heartbeatActionQuery) await this.catalogClient.query(cfg.heartbeatActionQuery);
      if (gen !== this.session || this.stopping) return;
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

  private onStreamError(err: Error, gen: number): void {
    if (gen !== this.session || this.stopping || this.fatal) return;
    if (!isSlotLostServerError(err)) {
      this.onFailure(err, gen);
      return;
    }
    // START_REPLICATION on an invalidated slot, or WAL it needs removed: no retry can bring that WAL back
    this.live = false;
    void readSlotHealth(this.catalogClient, this.config.slotName)
      .catch(() => null)
      .then((h) => this.fail(slotLostError(this.config.slotName, h, this.storedOffset?.lsnCommit ?? null, err)));
  }

  /**
   * A failure of the live session: retriable ones end the session and start a new one after a pause, anything else
   * fails the source.
   */
  private onFailure(err: Error, gen: number): void {
    if (gen !== this.session || !this.live || this.stopping || this.fatal || this.recovering) return;
    if (!isRetriableCdcError(err)) {
      this.fail(err);
      return;
    }
    this.live = false;
    this.recovering = this.recover(err).finally(() => (this.recovering = null));
  }

  /**
   * Ends the session, waits the backoff and starts a new session, until one runs or the retries are spent. The
   * pauses come from the library's retry loop on the source's own budget (`errors.*`), which only progress makes
   * whole again; stop() aborts a pause at once.
   */
  private async recover(cause: Error): Promise<void> {
    await this.endSession();
    let attempt = 0;
    try {
      await retry(
        async () => {
          try {
            await this.run(this.session);
          } catch (err) {
            // a session that failed to start is ended before the pause, like one that failed while streaming
            if (!this.stopping && !this.fatal && isRetriableCdcError(err)) await this.endSession();
            throw err;
          }
        },
        {
          backoff: this.budget,
          failure: cause,
          signal: this.stopSignal.signal,
          isRetriable: isRetriableCdcError,
          onRetry: (error, retryNumber, delay) => {
            attempt = retryNumber;
            this.metrics?.retries.inc({ connector: this.config.name });
            this.log.warn(
              { error: errInfo(error), attempt, maxRetries: this.config.errorsMaxRetries, retryInMs: delay },
              `retriable error, restarting the source in ${delay} ms (attempt ${attempt}${this.config.errorsMaxRetries >= 0 ? ` of ${this.config.errorsMaxRetries}` : ''})`,
            );
            this.emit('retrying', error as Error, attempt, delay);
          },
        },
      );
      this.log.info({ attempt }, 'source restarted');
    } catch (err) {
      if (this.stopping || this.fatal || err instanceof SessionEnded) return;
      if (err instanceof RetriesExhaustedError) {
        const last = err.cause as Error;
        const retries = this.config.errorsMaxRetries;
        this.fail(new CdcRetriesExhaustedError(`giving up after ${retries} ${retries === 1 ? 'retry' : 'retries'} without progress (errors.max.retries=${retries}): ${errInfo(last).message}`, { context: { retries, lastError: errInfo(last) }, cause: last }));
        return;
      }
      this.fail(err as Error);
    }
  }

  /**
   * Ends the current session: no callback of it acts any more, what Kafka already took is stored and confirmed
   * (when Kafka still answers), and its connections are closed. The next session resumes from the stored offset.
   */
  private async endSession(): Promise<void> {
    this.session++;
    this.live = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const repl = this.repl;
    this.repl = null;
    repl?.removeAllListeners('xlog');
    repl?.removeAllListeners('keepalive');
    await repl?.close();
    this.queue.length = 0;
    this.paused = false;
    this.lastWalEnd = 0n;
    // bounded: against a paused server or broker these could wait for a request timeout; what is not stored by then
    // is streamed again by the next session (an offset is stored only after Kafka acknowledged its events)
    await within(this.pumping ?? Promise.resolve(), 1000);
    if (this.sender && !this.sender.error) await within(this.sender.drain(), DRAIN_BOUND_MS);
    await within(this.sender?.settled() ?? Promise.resolve(), 1000);
    await closePgClient(this.snapshotClient, 0);
    await this.disconnectAll();
    this.catalogBroken = true;
  }

  /** Producer, admin and catalog connection, closed side by side and bounded (a paused broker or server must not hold a stop). */
  private async disconnectAll(): Promise<void> {
    await Promise.all([
      within(this.producer?.close() ?? Promise.resolve(), 1500),
      within(this.admin?.close() ?? Promise.resolve(), 1500),
      closePgClient(this.catalogClient, 1000),
    ]);
  }

  private fail(err: Error): void {
    if (this.fatal || this.stopping) return;
    this.fatal = err;
    this.live = false;
    this.log.error({ error: errInfo(err), context: err instanceof CdcError ? err.context : undefined }, 'CDC source failed');
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
    this.stopSignal.abort();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    try {
      // a connect or a snapshot FETCH in progress is cut short: nothing of it is stored, so nothing is half-done
      await closePgClient(this.pendingClient, 0);
      await closePgClient(this.snapshotClient, 0);
      this.repl?.pause();
      if (!this.fatal) {
        await within(this.pumping ?? Promise.resolve(), 1000);
        if (this.sender) await within(this.sender.drain(), DRAIN_BOUND_MS);
        if (this.tracker) this.repl?.sendStatus(this.tracker.confirmed);
      }
      await this.repl?.close();
      if (this.config.slotDropOnStop && this.catalogClient && !this.catalogBroken) {
        await this.catalogClient.query('SELECT pg_drop_replication_slot($1) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [this.config.slotName]).catch(() => undefined);
      }
      if (this.tracker) this.log.info({ confirmedLsn: formatLsn(this.tracker.confirmed) }, 'CDC source stopped');
    } finally {
      await this.disconnectAll();
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

/**
 * A clear, non-retriable error for a login PostgreSQL refuses (wrong or missing password, unknown database); other
 * connection failures are returned as they are (retriable or not, see isRetriableCdcError). No message here or in
 * the driver's errors holds the password.
 */
export function connectError(err: unknown, user: string): unknown {
  const e = err as { message?: unknown; code?: unknown };
  const message = String(e?.message ?? '');
  if (/client password must be a string|password must be a string/i.test(message)) {
    return new CdcConfigError(`PostgreSQL asks for a password for user ${user} and none is configured: set database.password (or the password in database.url)`, { key: 'database.password' });
  }
  if (e?.code === '28P01' || e?.code === '28000') {
    return new CdcConfigError(`PostgreSQL refused the login of user ${user} (${message}): check database.user and database.password`, { key: 'database.password', cause: err });
  }
  if (e?.code === '3D000') return new CdcConfigError(`${message}: check database.dbname (or the database of database.url)`, { key: 'database.dbname', cause: err });
  return err;
}

/** Creates a PostgreSQL CDC source from Debezium-style configuration keys. */
export function createPostgresCdcSource(config: RawConfig | CdcConfig, options: CdcSourceOptions = {}): PostgresCdcSource {
  return new PostgresCdcSource(config, options);
}
