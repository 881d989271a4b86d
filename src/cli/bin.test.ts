// The `tributary` command as an operator runs it: a child process from bin/tributary.js (on the TypeScript
// sources, TRIBUTARY_CLI_FROM_SOURCE=1), checked by exit code and output.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/uppercase.topology.ts', import.meta.url));
const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const dir = mkdtempSync(join(tmpdir(), 'tributary-bin-'));

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function tributary(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  // Only what the CLI needs from the environment, so a TRIBUTARY_* variable of the developer cannot leak in.
  const base = { PATH: process.env['PATH'], HOME: process.env['HOME'], TRIBUTARY_CLI_FROM_SOURCE: '1' };
  const child = spawn(process.execPath, [bin, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Each test starts Node processes that compile the CLI with tsx: generous time on a loaded machine.
describe('tributary (bin)', { timeout: 60_000 }, () => {
  it('--version prints the package version', async () => {
    expect(await tributary(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('--help lists every subcommand; a connector subcommand shows its own options', async () => {
    const help = await tributary(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['run', 'describe', 'cdc', 'sink']) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    const sink = await tributary(['sink', '--help']);
    expect(sink.code).toBe(0);
    expect(sink.stdout).toContain('--config <file>');
  });

  it('exits non-zero on an unknown subcommand', async () => {
    const outcome = await tributary(['frobnicate']);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain("unknown command 'frobnicate'");
  });

  it('describe prints the topology, and --mermaid a flowchart', async () => {
    const text = await tributary(['describe', fixture], { UPPERCASE_INPUT: 'sentences' });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Topologies:\n {3}Sub-topology: 0\n {4}Source: KSTREAM-SOURCE-0000000000 \(topics: \[sentences\]\)/);
    const mermaid = await tributary(['describe', '--mermaid', fixture]);
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout).toContain('flowchart');
  });

  it('describe exits non-zero for a missing module', async () => {
    const outcome = await tributary(['describe', join(dir, 'missing.mjs')]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('does not exist');
  });

  it('run exits non-zero for a missing module', async () => {
    const outcome = await tributary(['run', join(dir, 'missing.mjs')], { TRIBUTARY_APPLICATION_ID: 'a', TRIBUTARY_BROKERS: '127.0.0.1:9' });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('does not exist');
  });

  // Each bad config fails before anything connects (the brokers named do not exist).
  it('run exits non-zero for a config file that is not JSON', async () => {
    const badJson = join(dir, 'bad.json');
    writeFileSync(badJson, '{"applicationId": "a",');
    const bad = await tributary(['run', fixture, '--config', badJson]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('is not valid JSON');
  });

  it('run exits non-zero for an unknown config key, naming the nearest known one', async () => {
    const typo = join(dir, 'typo.json');
    writeFileSync(typo, JSON.stringify({ applicationId: 'a', brokers: ['127.0.0.1:9'], guarentee: 'exactly_once' }));
    const unknown = await tributary(['run', fixture, '--config', typo]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('did you mean "guarantee"');
  });

  it('run exits non-zero without an applicationId, and for an unknown log level', async () => {
    const none = await tributary(['run', fixture], { TRIBUTARY_BROKERS: '127.0.0.1:9' });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('applicationId');
    const level = await tributary(['run', fixture, '--log-level', 'loud'], { TRIBUTARY_APPLICATION_ID: 'a', TRIBUTARY_BROKERS: '127.0.0.1:9' });
    expect(level.code).toBe(1);
    expect(level.stderr).toContain('--log-level must be one of');
  });

  it('cdc and sink exit non-zero for an unknown config key, naming the nearest known one and no password', async () => {
    const cdc = join(dir, 'cdc-typo.json');
    writeFileSync(cdc, JSON.stringify({ 'topic.prefix': 'p', 'database.password': 'Pw-cdc-secret', 'tabel.include.list': 'public.orders' }));
    const cdcOutcome = await tributary(['cdc', '--config', cdc]);
    expect(cdcOutcome.code).toBe(1);
    expect(cdcOutcome.stderr).toContain('unknown key "tabel.include.list" (did you mean "table.include.list"?)');
    expect(cdcOutcome.stdout + cdcOutcome.stderr).not.toContain('Pw-cdc-secret');
    const sink = join(dir, 'sink-typo.json');
    writeFileSync(sink, JSON.stringify({ name: 'orders', config: { 'connection.url': 'postgres://db/app', 'connection.password': 'Pw-sink-secret', 'insert.mod': 'upsert' } }));
    const sinkOutcome = await tributary(['sink', '--config', sink]);
    expect(sinkOutcome.code).toBe(1);
    expect(sinkOutcome.stderr).toContain('unknown key "insert.mod" (did you mean "insert.mode"?)');
    expect(sinkOutcome.stdout + sinkOutcome.stderr).not.toContain('Pw-sink-secret');
  });

  it('run, cdc and sink exit non-zero for an unknown log level, before reading anything', async () => {
    const missing = join(dir, 'missing.json');
    const env = { TRIBUTARY_APPLICATION_ID: 'a', TRIBUTARY_BROKERS: '127.0.0.1:9' };
    for (const args of [['run', fixture], ['cdc', '--config', missing], ['sink', '--config', missing]]) {
      const outcome = await tributary([...args, '--log-level', 'nonsense'], env);
      expect(outcome.code, args[0]).toBe(1);
      expect(outcome.stderr, args[0]).toContain('--log-level must be one of trace, debug, info, warn, error, fatal, silent; got "nonsense"');
      expect(outcome.stderr, args[0]).not.toContain('missing.json');
    }
  });

  it('keeps the non-zero exit code a subcommand sets itself', async () => {
    // `tributary cdc` reports a failure through process.exitCode; the bin used to overwrite it with 0.
    const outcome = await tributary(['cdc', '--config', join(dir, 'missing.json')]);
    expect(outcome.code).not.toBe(0);
    expect(outcome.stderr).toContain('missing.json');
  });
});
