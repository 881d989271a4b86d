// W4 embedded engine: the W1 topology through Tributary's TopologyTestDriver and Kafka Streams'
// TopologyTestDriver on the same input file (no broker), each run a fresh process; the time covers piping every
// record and reading every output (not reading the file). Outputs are compared by SHA-256 with the expectation.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Contender, waitUntil } from '../lib/child.js';
import { expectedOutputs, generateClicks } from '../lib/clicks.js';
import type { BenchContext, ContenderSpec, RunResult, Workload } from '../lib/types.js';

export const w4: Workload = {
  name: 'w4',
  description: 'W4 embedded engine: W1 through TopologyTestDriver (no broker)',
  async prepare(ctx) {
    const total = Math.max(2000, Math.round(1_000_000 * ctx.scale));
    const inputs = generateClicks(total, 1);
    const file = join(ctx.dataDir, `w4-clicks-${total}.tsv`);
    writeFileSync(file, inputs.map((r) => `${r.key}\t${r.value}\n`).join(''));
    const sha = createHash('sha256');
    const expected = expectedOutputs(inputs);
    let count = 0;
    expected.forEach((v, i) => {
      if (v !== undefined) {
        sha.update(`${inputs[i]!.key}\t${v}\n`);
        count++;
      }
    });
    const want = { outputs: count, sha256: sha.digest('hex') };
    const contender = (name: string, command: (profileDir?: string) => { command: string; args: string[] }, profilable = false): ContenderSpec => ({
      name,
      profilable,
      run: async (_run, profileDir) => runDriverOnce(command(profileDir), total, want),
    });
    return {
      records: total,
      contenders: [
        contender('tributary TopologyTestDriver', (profileDir) => ({ command: process.execPath, args: [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), '--import', 'tsx', join(ctx.root, 'bench/contenders/w4-tributary.ts'), file] }), true),
        contender('kafka streams TopologyTestDriver', () => {
          const java = ctx.java('dev.tributary.bench.ClickTestDriverRun');
          return { command: java.command, args: [...java.args, file] };
        }),
      ],
    };
  },
};

export async function runDriverOnce(command: { command: string; args: string[] }, total: number, want: { outputs: number; sha256: string }): Promise<RunResult> {
  const contender = new Contender(command.command, command.args, /"sha256"/);
  await waitUntil(() => contender.readyAt !== undefined || contender.exited, 600_000, 'test driver run');
  await waitUntil(() => contender.exited, 30_000, 'test driver exit');
  const peakRssBytes = contender.peakRss;
  await contender.stop();
  const line = /\{"records".*\}/.exec(contender.output)?.[0];
  if (line === undefined) throw new Error(`no result: ${contender.output.slice(-2000)}`);
  const result = JSON.parse(line) as { records: number; outputs: number; ms: number; sha256: string; rss: number };
  const mismatch = (want.outputs >= 0 && result.outputs !== want.outputs) || result.sha256 !== want.sha256 ? `${result.outputs} outputs (sha ${result.sha256.slice(0, 12)}), expected ${want.outputs} (sha ${want.sha256.slice(0, 12)})` : '';
  return { throughput: total / (result.ms / 1000), peakRssBytes: Math.max(peakRssBytes, result.rss), mismatch };
}
