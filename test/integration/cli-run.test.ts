// `tributary run <module>`: runs a user's topology module on Kafka until SIGTERM, then exits 0 after its final
// commit; a failure to start exits non-zero.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { randomName, waitFor } from '../env/services.js';
import { createTopics, kafkaSuite, readRecords } from './streams-harness.js';

const { brokers, kafka, admin } = kafkaSuite();
const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));
const module = fileURLToPath(new URL('../../src/cli/fixtures/uppercase.topology.ts', import.meta.url));

function tributary(args: string[], env: NodeJS.ProcessEnv) {
  const proc = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TRIBUTARY_CLI_FROM_SOURCE: '1', ...env } });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, exited, output: () => output };
}

describe('tributary run', () => {
  it('runs the module on Kafka until SIGTERM, commits, and exits 0', async () => {
    const input = randomName('cli_run_in');
    const output = randomName('cli_run_out');
    const applicationId = randomName('cli_run_app');
    await createTopics(admin, [
      { topic: input, partitions: 2 },
      { topic: output, partitions: 2 },
    ]);
    const dir = await mkdtemp(join(tmpdir(), 'tributary-run-'));
    const config = join(dir, 'app.json');
    await writeFile(config, JSON.stringify({ applicationId, brokers: ['${env:RUN_TEST_BROKERS}'], commitIntervalMs: 200 }));
    const cli = tributary(['run', module, '--config', config], {
      RUN_TEST_BROKERS: brokers[0],
      TRIBUTARY_GUARANTEE: 'exactly_once',
      UPPERCASE_INPUT: input,
      UPPERCASE_OUTPUT: output,
    });
    try {
      await waitFor(() => cli.output().includes('REBALANCING -> RUNNING'), { timeoutMs: 60_000, description: 'the app RUNNING' });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: input, messages: [{ key: 'a', value: 'hello' }, { key: 'b', value: 'kafka' }] });
      await producer.disconnect();
      const records = await readRecords(kafka, output, 2);
      expect(records.map((r) => `${r.key}=${r.value.toString()}`).sort()).toEqual(['a=HELLO', 'b=KAFKA']);
    } finally {
      cli.proc.kill('SIGTERM');
    }
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toContain('"signal":"SIGTERM"');
    // The final commit left the group's offsets after both records.
    const offsets = await admin.fetchOffsets({ groupId: applicationId, topics: [input] });
    const committed = offsets[0]!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    expect(committed).toBe(2);
  });

  it('exits non-zero when the topology cannot start', async () => {
    // The input topic does not exist: KafkaStreams fails at start, and so must the command.
    const cli = tributary(['run', module], {
      TRIBUTARY_APPLICATION_ID: randomName('cli_run_missing'),
      TRIBUTARY_BROKERS: brokers[0],
      UPPERCASE_INPUT: randomName('cli_run_absent'),
    });
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toMatch(/tributary: source topic \S+ does not exist/);
  });
});
