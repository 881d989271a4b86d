import { Command, CommanderError } from 'commander';
import { registerCdcCommand } from './cdc.js';
import { registerDescribeCommand } from './describe.js';
import { registerRunCommand } from './run.js';
import { registerSinkCommand } from './sink.js';
import { packageVersion } from './version.js';

/** The `tributary` command line; each subcommand registers itself. */
export function createProgram(): Command {
  const program = new Command('tributary')
    .description('Tributary: stream processing on Kafka, Debezium-compatible Postgres CDC and an upserting Postgres sink')
    .version(packageVersion(), '-V, --version', 'print the version of tributary-streams')
    .showHelpAfterError()
    // Commander would call process.exit() on a usage error; throwing instead lets main() return the code.
    // Set before the subcommands are added, which inherit it.
    .exitOverride();
  registerRunCommand(program);
  registerDescribeCommand(program);
  registerCdcCommand(program);
  registerSinkCommand(program);
  return program;
}

/**
 * Runs the CLI; resolves with the process exit code: 0 on success (help and version included), non-zero on
 * every failure: a usage error, a subcommand that threw, or one that set `process.exitCode` itself.
 *
 * @example
 * process.exitCode = await main(process.argv);
 */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  try {
    await createProgram().parseAsync([...argv]);
  } catch (e) {
    // Commander has already printed its own message (usage errors) or the help/version text.
    if (e instanceof CommanderError) return e.exitCode;
    process.stderr.write(`tributary: ${(e as Error).message}\n`);
    return 1;
  }
  return exitCodeSetBySubcommand();
}

/** A subcommand may report failure through `process.exitCode` instead of throwing; keep it. */
function exitCodeSetBySubcommand(): number {
  const code = Number(process.exitCode ?? 0);
  return Number.isInteger(code) ? code : 1;
}
