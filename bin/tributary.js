#!/usr/bin/env node
// The CLI is TypeScript; tsx's loader runs it without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv);
// a subcommand that failed has set process.exitCode already: keep it
if (code !== 0 || !process.exitCode) process.exitCode = code;
