/**
 * The oracle tests run the real Kafka Streams and Debezium in a JVM, built with Maven: they need Java 17 or newer
 * and Maven on the PATH. This check runs before the first build so that `npm test` on a machine without them
 * says which is missing and how to get it, instead of failing inside a Maven or JVM error.
 */
import { spawnSync } from 'node:child_process';

/** What running a command gave: `missing` when it could not be started at all. */
export type CommandOutcome = { readonly missing: true } | { readonly missing: false; readonly status: number | null; readonly output: string };

export type CommandRunner = (command: string, args: readonly string[]) => CommandOutcome;

const runCommand: CommandRunner = (command, args) => {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error !== undefined) return { missing: true };
  return { missing: false, status: result.status, output: `${result.stdout}${result.stderr}` };
};

/** Java 17 or newer and Maven are not both usable; `missing` names what to install. */
export class OracleToolchainError extends Error {
  readonly retriable = false;
  constructor(readonly missing: readonly string[]) {
    super(
      `the oracle tests (Kafka Streams and Debezium run in a JVM) need Java 17 or newer and Maven on the PATH; ` +
        `missing: ${missing.join(', ')}. Install them (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless maven) ` +
        `or run only the other tests: npx vitest run --project unit --project integration`,
    );
    this.name = 'OracleToolchainError';
  }
}

/** The major version `java -version` reports (`openjdk version "17.0.15"`, `java version "1.8.0_392"`). */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (match === null) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/** What is missing for the oracles, empty when Java 17+ and Maven both answer. */
export function missingToolchain(run: CommandRunner = runCommand): string[] {
  const missing: string[] = [];
  const java = run('java', ['-version']);
  if (java.missing || java.status !== 0) missing.push('java (Java 17 or newer)');
  else {
    const major = javaMajorVersion(java.output);
    if (major === undefined || major < 17) missing.push(`Java 17 or newer (java -version reports ${major ?? 'an unknown version'})`);
  }
  const maven = run('mvn', ['-v']);
  if (maven.missing || maven.status !== 0) missing.push('mvn (Maven)');
  return missing;
}

let checked = false;

/** Throws an {@link OracleToolchainError} when Java 17+ or Maven is missing; checks once per process. */
export function requireOracleToolchain(run: CommandRunner = runCommand): void {
  if (checked) return;
  const missing = missingToolchain(run);
  if (missing.length > 0) throw new OracleToolchainError(missing);
  checked = true;
}
