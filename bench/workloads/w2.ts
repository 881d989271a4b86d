// W2 windowed aggregation through the test drivers (no broker): clicks grouped by page (10k pages), 5-minute
// tumbling windows, count + sum, emitted on update and on window close. Tributary's TopologyTestDriver vs Kafka
// Streams'; both must equal the expectation computed here (see bench/lib/windowed.ts for what is compared).
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateClicks } from '../lib/clicks.js';
import { addClick, w2StepMs, windowedResult } from '../lib/windowed.js';
import type { ContenderSpec, Workload } from '../lib/types.js';
import { runDriverOnce } from './w4.js';

const WINDOW_MS = 5 * 60_000;

function w2(mode: 'update' | 'final'): Workload {
  return {
    name: `w2-${mode}`,
    description: `W2 windowed aggregation (emit on ${mode === 'update' ? 'update' : 'window close'}) through TopologyTestDriver (no broker)`,
    async prepare(ctx) {
      const total = Math.max(2000, Math.round(1_000_000 * ctx.scale));
      const inputs = generateClicks(total, 1);
      const file = join(ctx.dataDir, `w4-clicks-${total}.tsv`);
      if (!existsSync(file)) writeFileSync(file, inputs.map((r) => `${r.key}\t${r.value}\n`).join(''));
      const step = w2StepMs(total);
      const windows = new Map<string, string>();
      inputs.forEach((r, i) => {
        const page = (JSON.parse(r.value) as { page: string }).page;
        const key = `${page}@${Math.floor((i * step) / WINDOW_MS) * WINDOW_MS}`;
        windows.set(key, addClick(windows.get(key) ?? '0,0', r.value));
      });
      const streamTime = (total - 1) * step;
      const expected = [...windows.entries()].filter(([k]) => mode === 'update' || Number(k.slice(k.indexOf('@') + 1)) + WINDOW_MS <= streamTime);
      const lines = windowedResult(expected, mode);
      const want = { outputs: mode === 'final' ? lines.length : -1, sha256: createHash('sha256').update(lines.join('\n')).digest('hex') };
      const contender = (name: string, command: (profileDir?: string) => { command: string; args: string[] }, profilable = false): ContenderSpec => ({
        name,
        profilable,
        run: (_run, profileDir) => runDriverOnce(command(profileDir), total, want),
      });
      return {
        records: total,
        contenders: [
          contender('tributary TopologyTestDriver', (profileDir) => ({ command: process.execPath, args: [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), '--import', 'tsx', join(ctx.root, 'bench/contenders/w2-tributary.ts'), file, mode, String(step)] }), true),
          contender('kafka streams TopologyTestDriver', () => {
            const java = ctx.java('dev.tributary.bench.ClickWindowDriverRun');
            return { command: java.command, args: [...java.args, file, mode, String(step)] };
          }),
        ],
      };
    },
  };
}

export const w2update = w2('update');
export const w2final = w2('final');
