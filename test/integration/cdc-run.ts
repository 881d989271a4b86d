// Entry point used by the kill/restart integration test: `tributary cdc` as a separate process.
import { Command } from 'commander';
import { registerCdcCommand } from '../../src/cli/cdc.js';

const program = new Command('tributary');
registerCdcCommand(program);
await program.parseAsync(process.argv);
