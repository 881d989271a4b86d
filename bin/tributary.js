#!/usr/bin/env node
// The `tributary` command. Runs the compiled CLI (dist/, built by `npm run build`, which `npm install` in a
// checkout and `npm pack` run), so start-up compiles nothing. In a checkout without a build, or with
// TRIBUTARY_CLI_FROM_SOURCE=1 (the repository's tests), it runs the TypeScript sources through tsx, a
// development dependency.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
const fromSource = process.env.TRIBUTARY_CLI_FROM_SOURCE === '1' || !existsSync(compiled);
let main;
if (fromSource) {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    process.stderr.write('tributary: the compiled CLI (dist/) is missing; run `npm run build` first\n');
    process.exit(1);
  }
  ({ main } = await import('../src/cli/main.ts'));
} else {
  ({ main } = await import(compiled.href));
}
const code = await main(process.argv);
// Never overwrite a failure a subcommand reported through process.exitCode with a success.
if (code !== 0 || !process.exitCode) process.exitCode = code;
// A command that has finished has closed what it opened; a client library can still hold a socket or a retry
// timer (kafkajs reconnecting to a broker that went away). Those must not keep a stopped process alive.
setTimeout(() => process.exit(), 1000).unref();
