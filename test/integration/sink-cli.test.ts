// `tributary sink --config <file>`: runs until SIGTERM, then stops cleanly with its offsets committed.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  committedOffset, createTopics, produce, query, randomName, sinkConfig, sinkTestContext, waitFor,
} from './sink-helpers.js';

const ctx = sinkTestContext();
const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const proc = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, exited, output: () => output };
}

describe('tributary sink', () => {
  it('consumes until SIGTERM and exits 0 after committing', async () => {
    const topic = randomName('cli');
    await createTopics(ctx, [topic]);
    await produce(ctx, topic, [
      { key: '{"id":1}', value: '{"id":1,"name":"Ann"}' },
      { key: '{"id":2}', value: '{"id":2,"name":"Ben"}' },
    ]);
    const groupId = randomName('cli_group');
    const dir = await mkdtemp(join(tmpdir(), 'tributary-sink-'));
    const file = join(dir, 'sink.json');
    const config = sinkConfig(ctx, {
      topics: topic, 'group.id': groupId, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'schema.evolution': 'basic',
    });
    // The URL comes from the environment, as a deployment would pass a secret.
    await writeFile(file, JSON.stringify({ name: 'cli-sink', config: { ...config, 'connection.url': '${env:SINK_DATABASE_URL}' } }));
    const cli = run(['sink', '--config', file, '--log-level', 'warn'], { SINK_DATABASE_URL: ctx.databaseUrl });
    try {
      await waitFor(async () => (await query(ctx, `SELECT count(*)::int AS c FROM "${topic}"`))[0]?.['c'] === 2, {
        description: `two rows in ${topic}`,
      });
      await waitFor(async () => (await committedOffset(ctx, groupId, topic)) === '2', { description: 'offset 2 committed' });
    } finally {
      cli.proc.kill('SIGTERM');
    }
    expect(await cli.exited).toBe(0);
  });

  it('exits 1 with the configuration problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-sink-'));
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ 'connection.url': 'postgres://x/y', 'bootstrap.servers': 'k:9092', topics: 't', 'insert.mode': 'upsert' }));
    const cli = run(['sink', '--config', file]);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain("invalid sink configuration 'insert.mode'");
  });
});
