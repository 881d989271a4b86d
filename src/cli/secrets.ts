/**
 * Keeps passwords out of what the CLI writes: the secrets of a connector config (its `*.password` keys, the
 * passwords inside its `*.url` keys and its `sasl.jaas.config`), and a stream wrapper that masks them in every line. The connectors never put a
 * password into a message; this is the second line of defence for what a driver or a dependency might echo.
 *
 * @example
 * const mask = secretMasker(configSecrets({ 'database.url': 'postgres://u:s3cret@h/db' }));
 * mask('failed: s3cret'); // 'failed: ***'
 */
import type { Writable } from 'node:stream';

/** Secrets shorter than this are not masked: masking every 'ab' would mangle the log and protect little. */
const MIN_SECRET_LENGTH = 3;

/** The passwords a flat connector config holds. */
export function configSecrets(config: Readonly<Record<string, unknown>>): string[] {
  const out = new Set<string>();
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined || value === null) continue;
    const text = String(value);
    if (/password|secret/i.test(key)) out.add(text);
    // sasl.jaas.config: `... required username="u" password="p";` (the whole value is never logged either)
    if (/jaas/i.test(key)) {
      for (const match of text.matchAll(/password\s*=\s*"((?:[^"\\]|\\.)*)"/g)) {
        out.add(match[1]!);
        out.add(match[1]!.replace(/\\(.)/g, '$1')); // as the client sends it, escapes undone
      }
    }
    if (/url$/i.test(key)) {
      try {
        const password = new URL(text).password;
        if (password) {
          out.add(password);
          out.add(safeDecode(password));
        }
      } catch {
        // not a URL: nothing to take from it (and the whole value is never logged)
      }
    }
  }
  return [...out].filter((s) => s.length >= MIN_SECRET_LENGTH);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Replaces every secret (also in its JSON-escaped and URL-encoded forms) with `***`. */
export function secretMasker(secrets: readonly string[]): (text: string) => string {
  const forms = new Set<string>();
  for (const s of secrets) {
    forms.add(s);
    forms.add(JSON.stringify(s).slice(1, -1));
    forms.add(encodeURIComponent(s));
  }
  const sorted = [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return (text) => text;
  const pattern = new RegExp(sorted.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return (text) => text.replace(pattern, '***');
}

/** A minimal stream for pino that masks secrets before writing to `target`. */
export function maskingStream(mask: (text: string) => string, target: Pick<Writable, 'write'> = process.stdout): { write(chunk: string): boolean } {
  return { write: (chunk: string) => target.write(mask(chunk)) };
}
