import { describe, expect, it } from 'vitest';
import { connectionString, parseSinkConfig, redactUrl, type SinkConfigInput } from './config.js';
import { SinkConfigError } from './errors.js';

const required = { 'connection.url': 'postgres://u:p@localhost:5432/app', 'bootstrap.servers': 'k1:9092, k2:9092', topics: 'a' };
const parse = (extra: SinkConfigInput) => parseSinkConfig({ ...required, ...extra });
const rejects = (extra: SinkConfigInput, key: string, pattern: RegExp) => {
  let error: unknown;
  try {
    parse(extra);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SinkConfigError);
  expect((error as SinkConfigError).key).toBe(key);
  expect((error as Error).message).toMatch(pattern);
};

describe('parseSinkConfig', () => {
  it('fills in Debezium\'s defaults', () => {
    const c = parse({});
    expect(c).toMatchObject({
      insertMode: 'insert', primaryKeyMode: 'none', deleteEnabled: false, schemaEvolution: 'none', tableNameFormat: '${topic}',
      batchSize: 500, errorsTolerance: 'none', toastPlaceholder: '__debezium_unavailable_value', fromBeginning: true,
    });
    expect(c.kafka).toEqual({ brokers: ['k1:9092', 'k2:9092'], clientId: 'tributary-postgres-sink', groupId: 'connect-tributary-postgres-sink', sessionTimeoutMs: 30000 });
  });

  it('reads JDBC URLs, topic lists and regexes', () => {
    expect(parse({ 'connection.url': 'jdbc:postgresql://db:5432/app' }).connection.connectionString).toBe('postgresql://db:5432/app');
    expect(parse({ topics: ['x', 'y'] }).topics).toEqual(['x', 'y']);
    const regex = parseSinkConfig({ ...required, topics: undefined, 'topics.regex': 'dbserver1\\.public\\..*' }).topics as RegExp;
    expect(regex.test('dbserver1.public.orders')).toBe(true);
    expect(regex.test('x.dbserver1.public.orders')).toBe(false);
  });

  it('accepts collection.name.format as the table name format', () => {
    expect(parse({ 'collection.name.format': 'sink.${source.table}' }).tableNameFormat).toBe('sink.${source.table}');
  });

  it('explains what is missing or wrong', () => {
    rejects({ 'connection.url': undefined }, 'connection.url', /required/);
    rejects({ 'connection.url': 'mysql://x' }, 'connection.url', /jdbc:postgresql/);
    rejects({ 'bootstrap.servers': '' }, 'bootstrap.servers', /required/);
    rejects({ topics: '' }, 'topics', /required/);
    rejects({ 'topics.regex': 'x' }, 'topics', /not both/);
    rejects({ 'insert.mode': 'merge' }, 'insert.mode', /not one of insert, upsert, update/);
    rejects({ 'insert.mode': 'upsert' }, 'insert.mode', /needs a primary key/);
    rejects({ 'delete.enabled': true, 'primary.key.mode': 'record_value' }, 'delete.enabled', /record_key/);
    rejects({ 'primary.key.mode': 'kafka' }, 'primary.key.mode', /not supported/);
    rejects({ 'batch.size': 0 }, 'batch.size', /integer >= 1/);
    rejects({ 'delete.enabled': 'yes' }, 'delete.enabled', /true or false/);
    rejects({ 'table.name.format': '${topic}_${database}' }, 'table.name.format', /unknown placeholder \$\{database\}/);
    rejects({ 'key.window': 'time', 'primary.key.mode': 'record_key' }, 'key.window.size.ms', /required/);
    rejects({ 'key.window': 'json' }, 'key.window', /record_key/);
    rejects({ 'errors.tolerance': 'all' }, 'errors.deadletterqueue.topic.name', /dead-letter topic/);
    rejects({ 'errors.deadletterqueue.topic.name': 'dlq' }, 'errors.tolerance', /errors.tolerance=all/);
    rejects({ 'insert_mode': 'upsert' }, 'insert_mode', /unknown key/);
    rejects({ transforms: 'unwrap' }, 'transforms', /not supported/);
    rejects({ 'session.timeout.ms': 100 }, 'session.timeout.ms', />= 6000/);
  });

  it('ignores Kafka Connect framework keys', () => {
    expect(() => parse({ 'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector', 'tasks.max': 1 })).not.toThrow();
  });
});

describe('connection credentials', () => {
  it('redacts passwords in the authority and in query parameters', () => {
    expect(redactUrl('mysql://app:s3c/r@t@db:5432/app?x=1')).toBe('mysql://app:***@db:5432/app?x=1');
    expect(redactUrl('jdbc:postgresql://db/app?user=u&password=zz&ssl=true')).toBe('jdbc:postgresql://db/app?user=u&password=***&ssl=true');
    expect(redactUrl('postgres://db/app')).toBe('postgres://db/app');
  });

  it('names the URL without its password when the scheme is unsupported', () => {
    expect(() => parseSinkConfig({ ...required, 'connection.url': 'mysql://app:hunter2@db/app' })).toThrow(/'mysql:\/\/app:\*\*\*@db\/app'/);
    expect(() => parseSinkConfig({ ...required, 'connection.url': 'mysql://app:hunter2@db/app' })).not.toThrow(/hunter2/);
  });

  it('puts connection.username and connection.password in place of the URL ones, encoded', () => {
    expect(connectionString('postgres://app:old@db:5432/app?sslmode=disable', undefined, 'n@w/p')).toBe('postgres://app:n%40w%2Fp@db:5432/app?sslmode=disable');
    expect(connectionString('jdbc:postgresql://db:5432/app?user=u&password=old', 'v', 'pw')).toBe('postgresql://v:pw@db:5432/app');
    expect(parseSinkConfig({ ...required, 'connection.url': 'postgres://app:old@db/app', 'connection.password': 'new' }).connection.connectionString)
      .toBe('postgres://app:new@db/app');
  });
});

describe('utf8.invalid and table.include.list', () => {
  it('fails on invalid UTF-8 unless told to replace it', () => {
    expect(parse({}).utf8Invalid).toBe('fail');
    expect(parse({ 'utf8.invalid': 'replace' }).utf8Invalid).toBe('replace');
    rejects({ 'utf8.invalid': 'ignore' }, 'utf8.invalid', /not one of fail, replace/);
  });

  it('anchors each table.include.list pattern', () => {
    const [orders, audit] = parse({ 'table.include.list': 'orders, audit_.*' }).tableIncludeList!;
    expect(orders!.test('orders')).toBe(true);
    expect(orders!.test('orders_x')).toBe(false);
    expect(audit!.test('audit_2024')).toBe(true);
    expect(parse({}).tableIncludeList).toBeUndefined();
    rejects({ 'table.include.list': 'a(' }, 'table.include.list', /not a regular expression/);
  });
});
