// No password in any output of `tributary sink`, whatever fails: an unsupported URL scheme, a wrong password,
// a run that works. connection.password overrides the URL's password, as the README says.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SinkConfigInput } from '../../connectors/postgres-sink/index.js';
import {
  createTopics, produce, query, randomName, sinkConfig, sinkTestContext, waitFor,
} from './sink-helpers.js';

const ctx = sinkTestContext();
const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));

const role = randomName('sink_role');
// Characters that need URL encoding, so that the override is also checked for escaping.
const goodPassword = `Good@pw/${randomBytes(6).toString('hex')}`;
const wrongPassword = `Wrong${randomBytes(6).toString('hex')}`;
const urlPassword = `InUrl${randomBytes(6).toString('hex')}`;
const secrets = [goodPassword, encodeURIComponent(goodPassword), wrongPassword, urlPassword];

beforeAll(async () => {
  await ctx.pool.query(`CREATE ROLE "${role}" LOGIN PASSWORD '${goodPassword}'`);
  await ctx.pool.query(`GRANT USAGE, CREATE ON SCHEMA public TO "${role}"`);
});
afterAll(async () => {
  await ctx.pool.query(`DROP OWNED BY "${role}"`).catch(() => undefined);
  await ctx.pool.query(`DROP ROLE IF EXISTS "${role}"`);
});

/** The database URL of this run with the test role and the given password. */
function roleUrl(password: string): string {
  const url = new URL(ctx.databaseUrl);
  url.username = role;
  url.password = encodeURIComponent(password);
  return url.toString();
}

async function runSink(config: SinkConfigInput) {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-sink-'));
  const file = join(dir, 'sink.json');
  await writeFile(file, JSON.stringify(config));
  // Debug logs: everything the sink can say is checked for the passwords.
  const proc = spawn(process.execPath, [bin, 'sink', '--config', file, '--log-level', 'debug'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, exited, output: () => output };
}

function expectNoSecret(output: string): void {
  for (const secret of secrets) expect(output).not.toContain(secret);
}

describe('sink: credentials', () => {
  it('redacts the password of a URL with an unsupported scheme', async () => {
    const cli = await runSink(sinkConfig(ctx, { topics: 't', 'connection.url': `mysql://${role}:${urlPassword}@db:3306/app` }));
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain(`'mysql://${role}:***@db:3306/app' is neither jdbc:postgresql://... nor postgres://...`);
    expectNoSecret(cli.output());
  });

  it('uses connection.password over the URL password, and never prints either', async () => {
    const topic = randomName('creds');
    await createTopics(ctx, [topic]);
    await produce(ctx, topic, [{ key: '{"id":1}', value: '{"id":1,"name":"Ann"}' }]);
    const cli = await runSink(sinkConfig(ctx, {
      topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'schema.evolution': 'basic',
      'connection.url': roleUrl(urlPassword), 'connection.password': goodPassword,
    }));
    try {
      await waitFor(async () => (await query(ctx, `SELECT to_regclass($1) IS NOT NULL AS e`, [`"${topic}"`]))[0]?.['e'] === true
        && (await query(ctx, `SELECT count(*)::int AS c FROM "${topic}"`))[0]?.['c'] === 1, { description: `the row in ${topic}` });
    } finally {
      cli.proc.kill('SIGTERM');
    }
    expect(await cli.exited).toBe(0);
    expectNoSecret(cli.output());
  });

  it('fails at start on a wrong password, with the reason and without the password', async () => {
    const cli = await runSink(sinkConfig(ctx, {
      topics: 'unused', 'connection.url': roleUrl(goodPassword), 'connection.password': wrongPassword,
    }));
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain(`password authentication failed for user "${role}"`);
    expectNoSecret(cli.output());
  });
});
