import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { parseConfigText, readConfigFile, type ConfigFileSpec } from './config-file.js';

const spec: ConfigFileSpec = {
  known: ['name', 'table.include.list', 'database.url', 'database.password', 'hosts'],
  ignored: ['connector.class', 'tasks.max'],
  ignoredPrefixes: ['topic.creation.'],
  unsupported: { transforms: 'single message transforms are not supported' },
  connectWrapper: true,
  error: (message, { key, variable }) => new ConfigError(message, { context: { key, ...(variable === undefined ? {} : { variable }) } }),
};
const secret = 'Hunter2-very-secret';

function parse(content: unknown, env: NodeJS.ProcessEnv = {}, withSpec: ConfigFileSpec = spec): Record<string, unknown> {
  return parseConfigText(typeof content === 'string' ? content : JSON.stringify(content), 'app.json', withSpec, env);
}

/** The error `run` throws, for checking what its message does and does not say. */
function failure(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfigText', () => {
  it('rejects an unknown key, suggesting the nearest known one', () => {
    const err = failure(() => parse({ 'tabel.include.list': 'public.orders' }));
    expect(err.message).toBe('config file app.json: unknown key "tabel.include.list" (did you mean "table.include.list"?)');
    expect(err.context).toMatchObject({ key: 'tabel.include.list' });
  });

  it('suggests an ignored key too, and lists the known keys when none is near', () => {
    expect(() => parse({ 'connector.clas': 'x' })).toThrow('did you mean "connector.class"?');
    expect(() => parse({ replicationFactor: 3 })).toThrow('unknown key "replicationFactor"; known keys: name, table.include.list, database.url, database.password, hosts');
  });

  it('accepts ignored keys and ignored prefixes, as real Debezium configs carry them', () => {
    const config = { 'connector.class': 'io.debezium.connector.postgresql.PostgresConnector', 'tasks.max': '1', 'topic.creation.default.partitions': 3, name: 'inventory' };
    expect(parse(config)).toEqual(config);
  });

  it('refuses an unsupported key and its sub-keys with its own reason', () => {
    expect(() => parse({ transforms: 'unwrap' })).toThrow('config file app.json: transforms: single message transforms are not supported');
    expect(() => parse({ 'transforms.unwrap.type': 'x' })).toThrow('transforms.unwrap.type: single message transforms are not supported');
  });

  it('replaces ${env:NAME} in every string, also inside lists and in the middle of a value', () => {
    const env = { PG_HOST: 'db.internal', PG_PASSWORD: secret, H2: 'b:2' };
    expect(parse({ 'database.url': 'postgres://app@${env:PG_HOST}:5432/app', 'database.password': '${env:PG_PASSWORD}', hosts: ['a:1', '${env:H2}'] }, env)).toEqual({
      'database.url': 'postgres://app@db.internal:5432/app',
      'database.password': secret,
      hosts: ['a:1', 'b:2'],
    });
  });

  it('names the key and the variable when a variable is not set, and no value', () => {
    const err = failure(() => parse({ 'database.password': secret, 'database.url': `postgres://app:${secret}@\${env:PG_HOST}/app` }));
    expect(err.message).toBe('database.url: environment variable PG_HOST is not set (referenced in config file app.json)');
    expect(err.context).toMatchObject({ key: 'database.url', variable: 'PG_HOST' });
  });

  it('prints no password in any of its errors', () => {
    const problems: (() => unknown)[] = [
      () => parse({ 'database.password': secret, 'tabel.include.list': 'x' }),
      () => parse({ 'database.pasword': secret }),
      () => parse({ 'database.password': secret, 'database.url': '${env:MISSING}' }),
      () => parse(`{"database.password": "${secret}", "name": }`),
      () => parse(`{"database.password": "${secret}" "name": "x"}`),
      () => parse({ name: 'x', config: { 'database.password': secret }, extra: secret }),
    ];
    for (const problem of problems) expect(failure(problem).message).not.toContain(secret);
  });

  it('reads a Kafka Connect definition, its outer name naming the connector', () => {
    expect(parse({ name: 'inventory', config: { 'connector.class': 'x', 'table.include.list': '${env:T}' } }, { T: 'public.a' })).toEqual({
      name: 'inventory',
      'connector.class': 'x',
      'table.include.list': 'public.a',
    });
    expect(() => parse({ name: 'inventory', config: {}, tasks: [] })).toThrow('unknown key "tasks" beside "config"');
    // A config key inside the definition is checked like a flat one.
    expect(() => parse({ name: 'inventory', config: { 'tabel.include.list': 'x' } })).toThrow('did you mean "table.include.list"?');
  });

  it('reads only flat files when the command takes no Connect definition', () => {
    expect(() => parse({ name: 'inventory', config: { name: 'x' } }, {}, { ...spec, connectWrapper: false })).toThrow('unknown key "config"');
  });

  it('rejects what is not a JSON object', () => {
    expect(() => parse('[]')).toThrow('config file app.json must hold a JSON object');
    expect(() => parse('{"name": ')).toThrow(/config file app.json is not valid JSON/);
  });
});

describe('readConfigFile', () => {
  it('reads a file, and names a file it cannot read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-config-file-'));
    const path = join(dir, 'app.json');
    writeFileSync(path, JSON.stringify({ name: '${env:N}' }));
    expect(await readConfigFile(path, spec, { N: 'orders' })).toEqual({ name: 'orders' });
    await expect(readConfigFile(join(dir, 'missing.json'), spec, {})).rejects.toThrow(`cannot read config file ${join(dir, 'missing.json')}`);
  });
});
