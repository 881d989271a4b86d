import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseCdcConfig } from '../../connectors/postgres-cdc/config.js';
import { CdcConfigError } from '../../connectors/postgres-cdc/errors.js';
import { readCdcConfigFile, registerCdcCommand } from './cdc.js';

async function file(content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cdc-cli-'));
  const path = join(dir, 'cdc.json');
  await writeFile(path, content);
  return path;
}

describe('tributary cdc config file', () => {
  it('reads flat Debezium keys and Kafka Connect {name, config} files', async () => {
    expect(await readCdcConfigFile(await file('{"topic.prefix":"p","database.port":5432,"tombstones.on.delete":false}'))).toEqual({
      'topic.prefix': 'p', 'database.port': 5432, 'tombstones.on.delete': false,
    });
    expect(await readCdcConfigFile(await file('{"name":"inventory","config":{"topic.prefix":"p"}}'))).toEqual({ name: 'inventory', 'topic.prefix': 'p' });
  });

  it('explains bad files', async () => {
    await expect(readCdcConfigFile('/nonexistent/cdc.json')).rejects.toThrow(/cannot read config file/);
    await expect(readCdcConfigFile(await file('{nope'))).rejects.toThrow(/not valid JSON/);
    await expect(readCdcConfigFile(await file('[1]'))).rejects.toThrow(/must hold a JSON object/);
    await expect(readCdcConfigFile(await file('{"table.include.list":["a"]}'))).rejects.toThrow(/table.include.list: expected a string/);
  });

  it('rejects an unknown key with the nearest known one, where it used to capture every table', async () => {
    const typo = readCdcConfigFile(await file('{"topic.prefix":"p","tabel.include.list":"public.orders"}'));
    await expect(typo).rejects.toBeInstanceOf(CdcConfigError);
    await expect(typo).rejects.toThrow('unknown key "tabel.include.list" (did you mean "table.include.list"?)');
    await expect(readCdcConfigFile(await file('{"config":{"topic.prefix":"p","transforms":"unwrap"}}'))).rejects.toThrow('transforms: single message transforms are not supported');
  });

  it('accepts the Kafka Connect keys of a real Debezium config', async () => {
    const debezium = {
      name: 'inventory-connector',
      config: {
        'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
        'tasks.max': '1',
        'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
        'key.converter.schemas.enable': 'true',
        'topic.creation.default.replication.factor': 1,
        'topic.creation.default.partitions': 1,
        'plugin.name': 'pgoutput',
        'database.hostname': 'postgres',
        'database.user': 'postgres',
        'database.password': 'postgres',
        'database.dbname': 'inventory',
        'topic.prefix': 'dbserver1',
        'table.include.list': 'inventory.customers',
        'kafka.bootstrap.servers': 'kafka:9092', // Tributary's own: it is its own Kafka client
      },
    };
    const raw = await readCdcConfigFile(await file(JSON.stringify(debezium)));
    expect(raw).toEqual({ name: 'inventory-connector', ...debezium.config });
    expect(parseCdcConfig(raw).unknownKeys).toEqual([]);
  });

  it('replaces ${env:NAME} in values, and names a variable that is not set without printing the password', async () => {
    const path = await file('{"topic.prefix":"p","database.password":"${env:PG_PASSWORD}","database.url":"postgres://app@${env:PG_HOST}/shop"}');
    expect(await readCdcConfigFile(path, { PG_PASSWORD: 's3cret', PG_HOST: 'db' })).toEqual({
      'topic.prefix': 'p', 'database.password': 's3cret', 'database.url': 'postgres://app@db/shop',
    });
    const missing = readCdcConfigFile(path, { PG_PASSWORD: 's3cret' });
    await expect(missing).rejects.toThrow('database.url: environment variable PG_HOST is not set');
    await expect(missing).rejects.not.toThrow('s3cret');
  });

  it('registers `cdc --config <file>` with --log-level and the metrics endpoint options', () => {
    const program = new Command('tributary');
    registerCdcCommand(program);
    const cdc = program.commands.find((c) => c.name() === 'cdc');
    expect(cdc?.options.map((o) => o.long)).toEqual(['--config', '--log-level', '--metrics-port', '--metrics-host']);
  });
});
