import { describe, expect, it } from 'vitest';
import { SinkConfigError } from '../../connectors/postgres-sink/index.js';
import { Command } from 'commander';
import { readSinkConfigText, registerSinkCommand } from './sink.js';

const flat = {
  'connection.url': 'jdbc:postgresql://db:5432/app',
  'connection.password': '${env:PG_PASSWORD}',
  'bootstrap.servers': 'kafka:9092',
  topics: 'a,b',
  'insert.mode': 'upsert',
  'primary.key.mode': 'record_key',
};

describe('readSinkConfigText', () => {
  it('reads a flat file and replaces ${env:NAME}', () => {
    const config = readSinkConfigText(JSON.stringify(flat), { PG_PASSWORD: 's3cret' });
    // The password goes into the URL too: pg reads the URL's (empty) password before the explicit one.
    expect(config.connection).toEqual({ connectionString: 'postgresql://:s3cret@db:5432/app', password: 's3cret' });
    expect(config.topics).toEqual(['a', 'b']);
    expect(config.kafka.groupId).toBe('connect-tributary-postgres-sink');
  });

  it('reads a Kafka Connect connector definition', () => {
    const config = readSinkConfigText(JSON.stringify({ name: 'orders-sink', config: { ...flat, 'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector' } }), { PG_PASSWORD: 'x' });
    expect(config.name).toBe('orders-sink');
    expect(config.kafka.groupId).toBe('connect-orders-sink');
  });

  it('names a missing environment variable', () => {
    expect(() => readSinkConfigText(JSON.stringify(flat), {})).toThrow(/PG_PASSWORD is not set/);
  });

  it('rejects an unknown key with the nearest known one, and never prints a password', () => {
    const typo = () => readSinkConfigText(JSON.stringify({ ...flat, 'connection.password': 'Sup3r-secret', 'primary.key.mod': 'record_key' }), {}, 'sink.json');
    expect(typo).toThrow(SinkConfigError);
    expect(typo).toThrow(`invalid sink configuration 'primary.key.mod': config file sink.json: unknown key "primary.key.mod" (did you mean "primary.key.mode"?)`);
    const missing = () => readSinkConfigText(JSON.stringify({ ...flat, 'connection.url': 'postgres://app:Sup3r-secret@${env:PG_HOST}/app' }), { PG_PASSWORD: 'x' });
    expect(missing).toThrow('connection.url: environment variable PG_HOST is not set');
    expect(missing).not.toThrow('Sup3r-secret');
  });

  it('rejects malformed files clearly', () => {
    expect(() => readSinkConfigText('{', {})).toThrow(SinkConfigError);
    expect(() => readSinkConfigText('[]', {})).toThrow(/JSON object/);
    expect(() => readSinkConfigText(JSON.stringify({ ...flat, 'batch.size': { n: 1 } }), { PG_PASSWORD: 'x' })).toThrow(/batch\.size/);
  });
});

describe('registerSinkCommand', () => {
  it('registers `sink --config <file>` with --log-level and the metrics endpoint options', () => {
    const program = new Command('tributary');
    registerSinkCommand(program);
    const sink = program.commands.find((c) => c.name() === 'sink');
    expect(sink?.options.map((o) => o.long)).toEqual(['--config', '--log-level', '--metrics-port', '--metrics-host']);
  });
});
