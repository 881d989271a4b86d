import { describe, expect, it } from 'vitest';
import { parseSinkConfig, type SinkConfigInput } from './config.js';
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
