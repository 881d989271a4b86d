import { pino, type Logger } from 'pino';

/** The root logger; level from TRIBUTARY_LOG_LEVEL (default `info`). */
export function createLogger(name = 'tributary'): Logger {
  return pino({ name, level: process.env.TRIBUTARY_LOG_LEVEL ?? 'info' });
}

/** A logger that writes nothing, for tests and embedded use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
