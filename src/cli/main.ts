import { Command, CommanderError } from 'commander';
import { registerDescribeCommand } from './describe.js';
import { registerRunCommand } from './run.js';
import { packageVersion } from './version.js';

/**
 * Subcommands whose modules load the connectors (pg, kafkajs, ...), a few hundred milliseconds. They are loaded
 * only when named on the command line; otherwise (`tributary --help`, `run`, `describe`) they are listed by name
 * and description alone. The descriptions repeat the ones the commands register.
 */
const CONNECTOR_COMMANDS: readonly {
  readonly name: string;
  readonly description: string;
  readonly register: () => Promise<(program: Command) => void>;
}[] = [
  {
    name: 'cdc',
    description: 'stream PostgreSQL changes into Kafka as Debezium-compatible change events',
    register: async () => (await import('./cdc.js')).registerCdcCommand,
  },
  {
    name: 'sink',
    description: 'run the Postgres sink: Kafka topics (Debezium change events or KTable changelogs) -> PostgreSQL tables',
    register: async () => (await import('./sink.js')).registerSinkCommand,
  },
];

/** The `tributary` command line for these arguments; each subcommand registers itself. */
export async function createProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command('tributary')
    .description('Tributary: stream processing on Kafka, Debezium-compatible Postgres CDC and an upserting Postgres sink')
    .version(packageVersion(), '-V, --version', 'print the version of tributary-streams')
    .showHelpAfterError()
    // Commander would call process.exit() on a usage error; throwing instead lets main() return the code.
    // Set before the subcommands are added, which inherit it.
    .exitOverride();
  registerRunCommand(program);
  registerDescribeCommand(program);
  const words = argv.slice(2);
  for (const command of CONNECTOR_COMMANDS) {
    if (words.includes(command.name)) (await command.register())(program);
    else program.command(command.name).description(command.description).allowUnknownOption();
  }
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
    await (await createProgram(argv)).parseAsync([...argv]);
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
