/**
 * Runs conformance scenarios through the real Kafka Streams (its TopologyTestDriver, see ./pom.xml for the version):
 * builds the Java runner with Maven once (offline when ~/.m2 already has everything; rebuilt only when the sources
 * change) and starts one JVM per batch, because JVM start-up dominates the cost of a single scenario.
 *
 * @example
 * const [run] = await runStreamsOracle([scenario]);
 * const withExpect = withOracleExpectations(scenario, run); // the scenario with Kafka Streams' own outputs
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildJavaOracle, type JavaCommand } from '../maven.js';
import type { Scenario, ScenarioRun } from '../scenario.js';

export { OracleBuildError } from '../maven.js';

/** Directory of the Maven project (pom.xml, src/). */
export const STREAMS_ORACLE_DIR = dirname(fileURLToPath(import.meta.url));

const MAIN_CLASS = 'dev.tributary.oracle.OracleMain';
const JVM_FLAGS = ['-XX:+UseSerialGC', '-Xss4m'];

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

/** Builds the oracle if its sources changed since the last build and returns the command that starts it. */
export function buildStreamsOracle(): JavaCommand {
  return buildJavaOracle(STREAMS_ORACLE_DIR, MAIN_CLASS, JVM_FLAGS);
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
