import { Command } from 'commander';
import { registerCdcCommand } from './cdc.js';
import { registerSinkCommand } from './sink.js';

/** The `tributary` command line; each subcommand registers itself. */
export function createProgram(): Command {
  const program = new Command('tributary')
    .description('Tributary: stream processing on Kafka, Debezium-compatible Postgres CDC and an upserting Postgres sink')
    .showHelpAfterError();
  registerCdcCommand(program);
  registerSinkCommand(program);
  return program;
}

/** Runs the CLI; resolves with the process exit code. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  try {
    await createProgram().parseAsync([...argv]);
    return 0;
  } catch (e) {
    process.stderr.write(`tributary: ${(e as Error).message}\n`);
    return 1;
  }
}
