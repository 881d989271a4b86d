import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { createCliLogger, formatLogLine } from './cli-logger.js';
import { secretMasker } from './secrets.js';

function capture(isTTY: boolean): Writable & { isTTY: boolean; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return Object.assign(stream, { isTTY, text: () => text });
}

describe('createCliLogger', () => {
  it('writes JSON lines when the output is not a terminal', () => {
    const output = capture(false);
    createCliLogger({ name: 'tributary-test', level: 'info', output }).info({ topic: 'orders' }, 'started');
    expect(JSON.parse(output.text())).toMatchObject({ level: 30, name: 'tributary-test', topic: 'orders', msg: 'started' });
  });

  it('writes readable lines on a terminal, and honours the level', () => {
    const output = capture(true);
    const logger = createCliLogger({ name: 'tributary-test', level: 'warn', output });
    logger.info('not shown');
    logger.warn({ topic: 'orders', lag: 3 }, 'falling behind');
    expect(output.text()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN  tributary-test: falling behind topic=orders lag=3\n$/);
  });

  it('masks the secrets it is given, on a terminal and in JSON', () => {
    const mask = secretMasker(['Pw-s3cret']);
    for (const isTTY of [true, false]) {
      const output = capture(isTTY);
      createCliLogger({ name: 'tributary-test', output, mask }).error({ url: 'postgres://app:Pw-s3cret@db/app' }, 'login with Pw-s3cret failed');
      expect(output.text()).toContain('login with *** failed');
      expect(output.text()).toContain('postgres://app:***@db/app');
      expect(output.text()).not.toContain('Pw-s3cret');
    }
  });

  it('rejects an unknown level with the known ones', () => {
    expect(() => createCliLogger({ name: 'x', level: 'verbose' })).toThrow(ConfigError);
    expect(() => createCliLogger({ name: 'x', level: 'verbose' })).toThrow('--log-level must be one of trace, debug, info, warn, error, fatal, silent');
  });
});

describe('formatLogLine', () => {
  it('shows the time, level, name, message and fields, quoting values with spaces', () => {
    const line = JSON.stringify({ level: 50, time: Date.UTC(2026, 0, 2, 3, 4, 5, 6), pid: 1, hostname: 'h', name: 'tributary-run', msg: 'stopped', reason: 'two words', n: 1 });
    expect(formatLogLine(line)).toBe('03:04:05.006 ERROR tributary-run: stopped reason="two words" n=1\n');
  });

  it('prints an error stack under the line, and passes non-JSON through', () => {
    const line = JSON.stringify({ level: 50, time: 0, msg: 'failed', err: { message: 'boom', stack: 'Error: boom\n    at f' } });
    expect(formatLogLine(line)).toBe('00:00:00.000 ERROR failed\n  Error: boom\n      at f\n');
    expect(formatLogLine('plain text')).toBe('plain text\n');
  });
});
