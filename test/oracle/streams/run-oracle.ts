/**
 * Runs conformance scenarios through the real Kafka Streams (its TopologyTestDriver, see ./pom.xml for the version):
 * builds the Java runner with Maven once (offline when ~/.m2 already has everything; rebuilt only when the sources
 * change) and starts one JVM per batch, because JVM start-up dominates the cost of a single scenario.
 *
 * @example
 * const [run] = await runStreamsOracle([scenario]);
 * const withExpect = withOracleExpectations(scenario, run); // the scenario with Kafka Streams' own outputs
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Scenario, ScenarioRun } from '../scenario.js';

/** Directory of the Maven project (pom.xml, src/). */
export const STREAMS_ORACLE_DIR = dirname(fileURLToPath(import.meta.url));

const MAIN_CLASS = 'dev.tributary.oracle.OracleMain';
const JVM_FLAGS = ['-XX:+UseSerialGC', '-Xss4m'];

/** Maven could not build the oracle (no Java/Maven, or dependencies neither cached nor downloadable). */
export class OracleBuildError extends Error {
  readonly retriable = false;
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(`${message}\n${output}`);
    this.name = 'OracleBuildError';
  }
}

/** The oracle JVM failed as a whole (not a single scenario: those come back as `error` in their run). */
export class OracleRunError extends Error {
  readonly retriable = false;
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`${message} (exit ${String(exitCode)})\n${stderr}`);
    this.name = 'OracleRunError';
  }
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

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of [join(STREAMS_ORACLE_DIR, 'pom.xml'), ...sourceFiles(join(STREAMS_ORACLE_DIR, 'src'))]) {
    hash.update(file.slice(STREAMS_ORACLE_DIR.length)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Serializes builds of concurrent processes (parallel test workers, a fuzz run next to the suite). */
function withBuildLock<T>(action: () => T): T {
  const target = join(STREAMS_ORACLE_DIR, 'target');
  mkdirSync(target, { recursive: true });
  const lock = join(target, '.build-lock');
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the deadline window belongs to a killed build.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new OracleBuildError('timed out waiting for another oracle build', lock);
      sleep(200);
    }
  }
  try {
    return action();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

interface JavaCommand {
  readonly command: string;
  readonly args: readonly string[];
}

let built: JavaCommand | undefined;

/**
 * Builds the oracle if its sources changed since the last build and returns the command that starts it.
 * Tries `mvn -q -o compile` first (no network), then `mvn -q compile`.
 */
export function buildStreamsOracle(): JavaCommand {
  if (built !== undefined) return built;
  const target = join(STREAMS_ORACLE_DIR, 'target');
  const stampFile = join(target, '.source-hash');
  const classpathFile = join(target, 'classpath.txt');
  withBuildLock(() => {
    const hash = sourceHash();
    const upToDate =
      existsSync(stampFile) &&
      existsSync(classpathFile) &&
      existsSync(join(target, 'classes')) &&
      readFileSync(stampFile, 'utf8') === hash;
    if (upToDate) return;
    let output = '';
    for (const args of [['-q', '-o', 'compile'], ['-q', 'compile']]) {
      const result = spawnSync('mvn', args, { cwd: STREAMS_ORACLE_DIR, encoding: 'utf8', maxBuffer: 64 << 20 });
      if (result.error !== undefined) throw new OracleBuildError('cannot start mvn (is Maven installed?)', String(result.error));
      if (result.status === 0) {
        writeFileSync(stampFile, hash);
        return;
      }
      output += `$ mvn ${args.join(' ')}\n${result.stdout}${result.stderr}\n`;
    }
    throw new OracleBuildError('mvn compile of the Kafka Streams oracle failed', output);
  });
  const classpath = `${join(target, 'classes')}:${readFileSync(classpathFile, 'utf8').trim()}`;
  built = { command: 'java', args: [...JVM_FLAGS, '-cp', classpath, MAIN_CLASS] };
  return built;
}

function parseRun(line: string): ScenarioRun & { readonly index: number } {
  return JSON.parse(line) as ScenarioRun & { readonly index: number };
}

async function runJava(extraArgs: readonly string[], stdin: string | undefined): Promise<ScenarioRun[]> {
  const java = buildStreamsOracle();
  const child = spawn(java.command, [...java.args, ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const runs: ScenarioRun[] = [];
  const lines = createInterface({ input: child.stdout });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  if (stdin !== undefined) child.stdin.end(stdin);
  else child.stdin.end();
  for await (const line of lines) {
    if (line.trim() !== '') runs.push(parseRun(line));
  }
  const code = await exited;
  if (code !== 0) throw new OracleRunError('the Kafka Streams oracle failed', code, stderr);
  return runs;
}

export interface OracleBatchOptions {
  /** Scenarios run at a time inside the JVM (each has its own TopologyTestDriver). Default: min(2, cores). */
  readonly threads?: number;
}

function threadFlag(options: OracleBatchOptions): string {
  return `--threads=${Math.max(1, options.threads ?? Math.min(2, availableParallelism()))}`;
}

/** Runs a batch of scenarios in one JVM; the runs come back in the same order. */
export async function runStreamsOracle(
  scenarios: readonly Scenario[],
  options: OracleBatchOptions = {},
): Promise<ScenarioRun[]> {
  if (scenarios.length === 0) return [];
  const runs = await runJava([threadFlag(options), '-'], JSON.stringify(scenarios));
  if (runs.length !== scenarios.length) {
    throw new OracleRunError(`the oracle answered ${runs.length} of ${scenarios.length} scenarios`, 0, '');
  }
  return runs;
}

/** Runs scenario files (or directories of them: every *.json, sorted by name) in one JVM. */
export async function runStreamsOracleFiles(
  paths: readonly string[],
  options: OracleBatchOptions = {},
): Promise<ScenarioRun[]> {
  return runJava([threadFlag(options), ...paths], undefined);
}

/**
 * A long-lived oracle JVM answering one scenario at a time (for shrinking, where scenarios are produced one by one).
 * Call {@link StreamsOracleSession.close} when done.
 */
export class StreamsOracleSession {
  private readonly pending: Array<(run: ScenarioRun) => void> = [];
  private stderr = '';
  private failure: Error | undefined;
  private readonly rejects: Array<(error: Error) => void> = [];

  private constructor(private readonly child: import('node:child_process').ChildProcessWithoutNullStreams) {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-20_000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.trim() === '') return;
      this.rejects.shift();
      this.pending.shift()?.(parseRun(line));
    });
    child.once('error', (error) => {
      this.failure = new OracleRunError(`cannot start the Kafka Streams oracle: ${error.message}`, null, '');
      for (const reject of this.rejects.splice(0)) reject(this.failure);
      this.pending.splice(0);
    });
    child.once('close', (code) => {
      this.failure = new OracleRunError('the Kafka Streams oracle session ended', code, this.stderr);
      for (const reject of this.rejects.splice(0)) reject(this.failure);
      this.pending.splice(0);
    });
  }

  static start(): StreamsOracleSession {
    const java = buildStreamsOracle();
    return new StreamsOracleSession(spawn(java.command, [...java.args, '--lines'], { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  run(scenario: Scenario): Promise<ScenarioRun> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<ScenarioRun>((resolve, reject) => {
      this.pending.push(resolve);
      this.rejects.push(reject);
      this.child.stdin.write(`${JSON.stringify(scenario)}\n`);
    });
  }

  async close(): Promise<void> {
    if (this.failure !== undefined) return;
    const closed = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin.end();
    await closed;
  }
}

/** The scenario with every step's `expect` replaced by what Kafka Streams emitted (and its dropped-records count). */
export function withOracleExpectations(scenario: Scenario, run: ScenarioRun): Scenario {
  if (run.error !== undefined) throw new OracleRunError(`Kafka Streams rejected scenario "${scenario.name}": ${run.error}`, 0, '');
  const steps = scenario.steps.map((step, i) => ({ ...step, expect: run.steps[i] ?? {} }));
  return run.droppedRecords === undefined
    ? { ...scenario, steps }
    : { ...scenario, steps, expectDroppedRecords: run.droppedRecords };
}
