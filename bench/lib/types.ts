// What a workload run reports, and the context every workload gets.
import type { Kafka } from 'kafkajs';

export interface RunResult {
  /** Input records per second. */
  readonly throughput: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly peakRssBytes: number;
  /** Empty when the output equals the expectation; otherwise what differs. */
  readonly mismatch: string;
  readonly note?: string;
}

export interface ContenderSpec {
  readonly name: string;
  /** Runs once; `profileDir` set means: run under --cpu-prof into that directory (Tributary only). */
  run(run: number, profileDir?: string): Promise<RunResult>;
  readonly profilable?: boolean;
}

export interface BenchContext {
  readonly brokers: string[];
  readonly databaseUrl: string;
  readonly kafka: Kafka;
  readonly scale: number;
  readonly root: string;
  readonly dataDir: string;
  /** The java command (classpath included) that starts `mainClass` of the Maven project bench/<project> (default `java`). */
  java(mainClass: string, project?: string): { command: string; args: string[] };
}

export interface Workload {
  readonly name: string;
  readonly description: string;
  /** Generates the shared input once and returns the contenders. */
  prepare(ctx: BenchContext): Promise<{ contenders: ContenderSpec[]; records: number; unsupported?: string[] }>;
}
