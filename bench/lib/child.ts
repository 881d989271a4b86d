// A contender in a child process: started, watched for a READY line, sampled for peak RSS, stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { peakRss } from './stats.js';

export class Contender {
  readonly child: ChildProcess;
  output = '';
  readyAt: number | undefined;
  #peak = 0;
  #exited: Promise<number | null>;
  #sampler: NodeJS.Timeout;

  constructor(command: string, args: readonly string[], readyPattern: RegExp, env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
      if (this.readyAt === undefined && readyPattern.test(this.output)) this.readyAt = Date.now();
    };
    this.child.stdout!.on('data', onData);
    this.child.stderr!.on('data', onData);
    this.#exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    // VmHWM is the kernel's own peak; sampling only guards against reading it after exit.
    this.#sampler = setInterval(() => this.#sample(), 500);
  }

  #sample(): void {
    const rss = this.child.pid === undefined ? undefined : peakRss(this.child.pid);
    if (rss !== undefined) this.#peak = Math.max(this.#peak, rss);
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  get peakRss(): number {
    this.#sample();
    return this.#peak;
  }

  async stop(): Promise<void> {
    this.#sample();
    clearInterval(this.#sampler);
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.#exited;
    clearTimeout(timer);
  }
}

export async function waitUntil(check: () => boolean, timeoutMs: number, what: string, failFast?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    const failure = failFast?.();
    if (failure !== undefined) throw new Error(`${what}: ${failure}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
