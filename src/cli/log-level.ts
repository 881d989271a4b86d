/**
 * The `--log-level` option, the same on every command. Kept apart from the logger so that registering it loads no
 * pino: `tributary --help` stays fast.
 */
import { InvalidArgumentError, type Command } from 'commander';

/** The levels `--log-level` accepts, from the most to the least verbose. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The message for a level `--log-level` does not accept. */
export function logLevelProblem(level: string): string | undefined {
  return (LOG_LEVELS as readonly string[]).includes(level) ? undefined : `--log-level must be one of ${LOG_LEVELS.join(', ')}; got "${level}"`;
}

/**
 * Adds `--log-level <level>` (default `info`) to a command. A level not in {@link LOG_LEVELS} is a usage error
 * when the command line is parsed, before anything is read or connected.
 *
 * @example
 * addLogLevelOption(program.command('cdc')).action((opts: { logLevel: LogLevel }) => ...);
 */
export function addLogLevelOption(command: Command): Command {
  return command.option(
    '--log-level <level>',
    `${LOG_LEVELS.join(', ')}; lines are readable on a terminal, JSON otherwise`,
    (level: string) => {
      const problem = logLevelProblem(level);
      if (problem !== undefined) throw new InvalidArgumentError(problem);
      return level;
    },
    'info',
  );
}
