import { describe, expect, it } from 'vitest';
import { columnCaptured, keyColumnsFor, parseCdcConfig, tableCaptured } from './config.js';

const MIN = { 'topic.prefix': 'dbserver1', 'database.user': 'postgres', 'database.dbname': 'postgres', 'kafka.bootstrap.servers': 'localhost:9092' };

describe('CDC config', () => {
  it('applies Debezium defaults', () => {
    const c = parseCdcConfig(MIN);
    expect(c).toMatchObject({
      slotName: 'debezium', publicationName: 'dbz_publication', publicationAutocreateMode: 'all_tables', snapshotMode: 'initial',
      decimalHandlingMode: 'precise', timePrecisionMode: 'adaptive', binaryHandlingMode: 'bytes', tombstonesOnDelete: true,
      heartbeatIntervalMs: 0, heartbeatTopic: '__debezium-heartbeat.dbserver1', provideTransactionMetadata: false,
      transactionTopic: 'dbserver1.transaction', keySchemasEnable: true, valueSchemasEnable: true, database: { host: 'localhost', port: 5432 },
    });
    expect([...c.skippedOperations]).toEqual(['t']);
  });

  it('reads a connection string', () => {
    const c = parseCdcConfig({ 'topic.prefix': 'p', 'database.url': 'postgres://u:pw@127.0.0.1:55432/shop', 'kafka.bootstrap.servers': 'k:9092' });
    expect(c.database).toMatchObject({ user: 'u', dbname: 'shop', host: '127.0.0.1', port: 55432 });
  });

  it('puts database.password into the connection string, over the URL password or where it had none', () => {
    const over = parseCdcConfig({ 'topic.prefix': 'p', 'database.url': 'postgres://u:old@h:5433/shop', 'database.password': 'n:w@/%', 'kafka.bootstrap.servers': 'k:9092' });
    expect(decodeURIComponent(new URL(over.database.connectionString!).password)).toBe('n:w@/%');
    expect(over.database.password).toBe('n:w@/%');
    const none = parseCdcConfig({ 'topic.prefix': 'p', 'database.url': 'postgresql://u@h/shop', 'database.password': 'pw', 'kafka.bootstrap.servers': 'k:9092' });
    expect(new URL(none.database.connectionString!).password).toBe('pw');
    expect(parseCdcConfig({ 'topic.prefix': 'p', 'database.url': 'postgres://u:kept@h/shop', 'kafka.bootstrap.servers': 'k:9092' }).database.connectionString).toBe('postgres://u:kept@h/shop');
  });

  it('never repeats a broken or foreign URL (it may hold a password)', () => {
    for (const url of ['postgres://u:Hunter2@[::1/db', 'mysql://u:Hunter2@h/db']) {
      let message = '';
      try {
        parseCdcConfig({ 'topic.prefix': 'p', 'database.url': url, 'kafka.bootstrap.servers': 'k:9092' });
      } catch (err) {
        message = `${(err as Error).message} ${String((err as Error).cause)}`;
      }
      expect(message).toMatch(/database.url/);
      expect(message).not.toContain('Hunter2');
    }
  });

  it('reads the retry and slot health keys with Debezium-style defaults', () => {
    expect(parseCdcConfig(MIN)).toMatchObject({
      errorsMaxRetries: -1, errorsRetryDelayInitialMs: 300, errorsRetryDelayMaxMs: 10_000, slotHealthCheckIntervalMs: 30_000,
      slotLagWarnBytes: 1024 ** 3, slotLagWarnMs: 300_000, slotRetainedWalWarnBytes: 4 * 1024 ** 3,
    });
    const c = parseCdcConfig({ ...MIN, 'errors.max.retries': 3, 'errors.retry.delay.initial.ms': '50', 'slot.lag.warn.threshold.bytes': 0 });
    expect(c).toMatchObject({ errorsMaxRetries: 3, errorsRetryDelayInitialMs: 50, slotLagWarnBytes: 0 });
    expect(c.unknownKeys).toEqual([]);
    expect(() => parseCdcConfig({ ...MIN, 'errors.max.retries': -2 })).toThrow(/errors.max.retries/);
  });

  it('gives clear errors', () => {
    expect(() => parseCdcConfig({ ...MIN, 'topic.prefix': '' })).toThrow(/topic.prefix is required/);
    expect(() => parseCdcConfig({ ...MIN, 'snapshot.mode': 'sometimes' })).toThrow(/snapshot.mode: 'sometimes' is not one of initial, always/);
    expect(() => parseCdcConfig({ ...MIN, 'decimal.handling.mode': 'exact' })).toThrow(/decimal.handling.mode/);
    expect(() => parseCdcConfig({ ...MIN, 'tombstones.on.delete': 'yes' })).toThrow(/expected true or false/);
    expect(() => parseCdcConfig({ ...MIN, 'heartbeat.interval.ms': -5 })).toThrow(/heartbeat.interval.ms/);
    expect(() => parseCdcConfig({ ...MIN, 'table.include.list': 'a', 'table.exclude.list': 'b' })).toThrow(/cannot both be set/);
    expect(() => parseCdcConfig({ ...MIN, 'plugin.name': 'decoderbufs' })).toThrow(/only pgoutput/);
    expect(() => parseCdcConfig({ ...MIN, 'message.key.columns': 'public.t' })).toThrow(/message.key.columns/);
    expect(() => parseCdcConfig({ ...MIN, 'table.include.list': '(' })).toThrow(/not a valid regular expression/);
    expect(() => parseCdcConfig({ ...MIN, 'slot.name': 'Bad-Slot' })).toThrow(/slot.name/);
  });

  it('accepts the never alias and reports unknown keys', () => {
    const c = parseCdcConfig({ ...MIN, 'snapshot.mode': 'never', 'connector.class': 'x', 'frobnicate': 1 });
    expect(c.snapshotMode).toBe('no_data');
    expect(c.unknownKeys).toEqual(['frobnicate']);
  });

  it('filters tables and columns with anchored case-insensitive patterns, and overrides keys', () => {
    const c = parseCdcConfig({ ...MIN, 'table.include.list': 'public.cust.*,inventory.items', 'column.exclude.list': 'public.customers.secret',
      'message.key.columns': 'public.orders:customer_id,order_no;inventory.items:sku' });
    expect(tableCaptured(c, 'public', 'customers')).toBe(true);
    expect(tableCaptured(c, 'public', 'orders')).toBe(false);
    expect(tableCaptured(c, 'Inventory', 'items')).toBe(true);
    expect(tableCaptured(c, 'pg_catalog', 'pg_class')).toBe(false);
    expect(columnCaptured(c, 'public', 'customers', 'secret')).toBe(false);
    expect(columnCaptured(c, 'public', 'customers', 'secret2')).toBe(true);
    expect(keyColumnsFor(c, 'public', 'orders')).toEqual(['customer_id', 'order_no']);
    expect(keyColumnsFor(c, 'public', 'other')).toBeUndefined();
  });
});
