import { pino, type DestinationStream, type Logger } from 'pino';
import { ConfigError } from '../errors.js';
import { LOG_LEVELS, logLevelProblem } from './log-level.js';

export { LOG_LEVELS };

const LEVEL_LABELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** pino's own fields, shown in the line's prefix or not at all. */
const OWN_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'err']);

export interface CliLoggerOptions {
  readonly name: string;
  /** One of {@link LOG_LEVELS}; default `info`. */
  readonly level?: string;
  /** Where lines go; default stdout. Lines are readable text when it is a terminal, JSON otherwise. */
  readonly output?: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** Applied to every line before it is written: `secretMasker` of the command's config, so no password is logged. */
  readonly mask?: (text: string) => string;
}

/**
 * The logger of a CLI command: pino's JSON lines for log collectors when the output is not a terminal, and one
 * readable line per entry (`12:00:01.250 INFO  tributary-run: message key=value`) when it is.
 *
 * @example
 * const logger = createCliLogger({ name: 'tributary-run', level: options.logLevel });
 * logger.info({ topic: 'orders' }, 'started'); // on a terminal: 12:00:01.250 INFO  tributary-run: started topic=orders
 */
export function createCliLogger(options: CliLoggerOptions): Logger {
  const level = options.level ?? 'info';
  const problem = logLevelProblem(level);
  if (problem !== undefined) throw new ConfigError(problem, { context: { key: 'log-level' } });
  const output = options.output ?? process.stdout;
  const mask = options.mask;
  if (output.isTTY !== true) {
    // On stdout, pino's own destination writes synchronously: nothing is lost when the process exits.
    if (mask === undefined) return options.output === undefined ? pino({ name: options.name, level }) : pino({ name: options.name, level }, output as DestinationStream);
    // process.stdout writes synchronously to files and pipes on Linux too, so masking loses nothing at exit either.
    return pino({ name: options.name, level }, { write: (line: string) => void output.write(mask(line)) });
  }
  const readable: DestinationStream = { write: (line: string) => void output.write(mask === undefined ? formatLogLine(line) : mask(formatLogLine(line))) };
  return pino({ name: options.name, level }, readable);
}

/** One pino JSON line as readable text; a line that is not JSON passes through. */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const time = typeof entry['time'] === 'number' ? new Date(entry['time']).toISOString().slice(11, 23) : '';
  const label = (LEVEL_LABELS[entry['level'] as number] ?? String(entry['level'])).padEnd(5);
  const name = typeof entry['name'] === 'string' ? `${entry['name']}: ` : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !OWN_FIELDS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`);
  const err = entry['err'] as { message?: unknown; stack?: unknown } | undefined;
  let text = `${time} ${label} ${name}${String(entry['msg'] ?? '')}${fields.length > 0 ? ` ${fields.join(' ')}` : ''}`;
  if (err !== undefined) text += typeof err.stack === 'string' ? `\n  ${err.stack.replace(/\n/g, '\n  ')}` : ` err=${JSON.stringify(err.message ?? err)}`;
  return `${text}\n`;
}
