// `tributary run` against a Kafka that does not answer: it exits non-zero within its connect timeout with a message
// naming the brokers and what to check (it used to wait 30 s and print "Broker not connected").
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSilentListener } from '../kafka/silent-listener.test-support.js';

const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/uppercase.topology.ts', import.meta.url));

let silent: Awaited<ReturnType<typeof startSilentListener>>;
let port: number;
beforeAll(async () => {
  silent = await startSilentListener();
  port = silent.port;
});
afterAll(() => {
  silent.close();
});

describe('tributary run and an unresponsive Kafka', { timeout: 60_000 }, () => {
  it('exits 1 after TRIBUTARY_CONNECT_TIMEOUT_MS, naming the brokers, the protocol and what to check', async () => {
    const env = {
      PATH: process.env['PATH'], HOME: process.env['HOME'], TRIBUTARY_CLI_FROM_SOURCE: '1',
      TRIBUTARY_APPLICATION_ID: 'silent-kafka', TRIBUTARY_BROKERS: `127.0.0.1:${port}`, TRIBUTARY_CONNECT_TIMEOUT_MS: '1000',
    };
    const child = spawn(process.execPath, [bin, 'run', fixture], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(output).toContain(`tributary: admin client cannot connect to Kafka at 127.0.0.1:${port} (security.protocol PLAINTEXT): no connection within 1000 ms; check that a broker listens there`);
  });
});
