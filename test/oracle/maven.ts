/**
 * Builds the Java oracles under test/oracle with Maven, once per source change: `mvn -q -o compile` first (no
 * network once ~/.m2 holds the dependencies), then `mvn -q compile`. Each project writes its runtime classpath to
 * target/classpath.txt, so a build yields the `java` command line directly (no fat jar).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireOracleToolchain } from './toolchain.js';

/** Maven could not build an oracle (no Java/Maven, or dependencies neither cached nor downloadable). */
export class OracleBuildError extends Error {
  readonly retriable = false;
  constructor(
    message: string,
    readonly project: string,
    readonly output: string,
  ) {
    super(`${message} (${project})\n${output}`);
    this.name = 'OracleBuildError';
  }
}

export interface JavaCommand {
  readonly command: string;
  readonly args: readonly string[];
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else files.push(path);
  }
  return files;
}

function sourceHash(project: string): string {
  const hash = createHash('sha256');
  for (const file of [join(project, 'pom.xml'), ...sourceFiles(join(project, 'src'))]) {
    hash.update(file.slice(project.length)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const STALE_LOCK_MS = 10 * 60_000;

/** Serializes builds of concurrent processes (parallel test workers, a fuzz run next to the suite). */
function withBuildLock<T>(project: string, action: () => T): T {
  const target = join(project, 'target');
  mkdirSync(target, { recursive: true });
  const lock = join(target, '.build-lock');
  const deadline = Date.now() + STALE_LOCK_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const held = statSync(lock, { throwIfNoEntry: false });
      // A lock older than a build can take belongs to a killed build.
      if (held !== undefined && Date.now() - held.mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new OracleBuildError('timed out waiting for another build', project, lock);
      sleep(200);
    }
  }
  try {
    return action();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const built = new Map<string, JavaCommand>();

/** Builds `project` if its sources changed since the last build; returns the command that starts `mainClass`. */
export function buildJavaOracle(project: string, mainClass: string, jvmFlags: readonly string[] = []): JavaCommand {
  const cached = built.get(project);
  if (cached !== undefined) return cached;
  requireOracleToolchain();
  const target = join(project, 'target');
  const stampFile = join(target, '.source-hash');
  const classpathFile = join(target, 'classpath.txt');
  withBuildLock(project, () => {
    const hash = sourceHash(project);
    const upToDate =
      existsSync(stampFile) &&
      existsSync(classpathFile) &&
      existsSync(join(target, 'classes')) &&
      readFileSync(stampFile, 'utf8') === hash;
    if (upToDate) return;
    let output = '';
    for (const args of [['-q', '-o', 'compile'], ['-q', 'compile']]) {
      const result = spawnSync('mvn', args, { cwd: project, encoding: 'utf8', maxBuffer: 64 << 20 });
      if (result.error !== undefined) throw new OracleBuildError('cannot start mvn (is Maven installed?)', project, String(result.error));
      if (result.status === 0) {
        writeFileSync(stampFile, hash);
        return;
      }
      output += `$ mvn ${args.join(' ')}\n${result.stdout}${result.stderr}\n`;
    }
    throw new OracleBuildError('mvn compile failed', project, output);
  });
  const classpath = `${join(target, 'classes')}:${readFileSync(classpathFile, 'utf8').trim()}`;
  const command: JavaCommand = { command: 'java', args: [...jvmFlags, '-cp', classpath, mainClass] };
  built.set(project, command);
  return command;
}
