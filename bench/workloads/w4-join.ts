// W4 join: W3's left join through Tributary's TopologyTestDriver and Kafka Streams' TopologyTestDriver on the
// same input (no broker). Clicks and purchases are piped merged in timestamp order (clicks first at equal
// timestamps), then one click far in the future that closes every window; the SHA-256 of the sorted outputs must
// equal the expectation of bench/lib/join.ts (every inner pair and every left-only click).
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JOIN_GRACE_MS, expectJoin, generateJoinInput, joinBaseTimestamp, joinClickPurchase, joinedIds, type TimedInput } from '../lib/join.js';
import type { ContenderSpec, Workload } from '../lib/types.js';
import { runDriverOnce } from './w4.js';

export const w4join: Workload = {
  name: 'w4-join',
  description: 'W4 embedded engine: W3 (clicks left-join purchases within 30 min) through TopologyTestDriver (no broker)',
  async prepare(ctx) {
    const clickCount = Math.max(2000, Math.round(500_000 * ctx.scale));
    const input = generateJoinInput(clickCount, joinBaseTimestamp());
    const { clicks, purchases } = input;
    const merged: string[] = [];
    let c = 0;
    let p = 0;
    const line = (topic: string, r: TimedInput): string => `${topic}\t${r.key}\t${r.value}\t${r.timestamp}\n`;
    while (c < clicks.length || p < purchases.length) {
      if (p >= purchases.length || (c < clicks.length && clicks[c]!.timestamp <= purchases[p]!.timestamp)) merged.push(line('c', clicks[c++]!));
      else merged.push(line('p', purchases[p++]!));
    }
    merged.push(line('c', { key: '~close', value: '{"id":-1,"user":"~close","page":"~","action":"view","ms":0}', timestamp: input.closeTs }));
    const file = join(ctx.dataDir, `w4-join-${clickCount}.tsv`);
    writeFileSync(file, merged.join(''));

    const expectation = expectJoin(clicks, purchases, purchases.length);
    const lines: string[] = [];
    for (const id of expectation.pairs) {
      const cid = Math.floor(id / (purchases.length + 2));
      const pid = (id % (purchases.length + 2)) - 1;
      const value = joinClickPurchase(clicks[cid]!.value, pid < 0 ? null : purchases[pid]!.value);
      if (joinedIds(value)[0] !== cid || joinedIds(value)[1] !== pid) throw new Error(`joinedIds does not read back ${value}`);
      lines.push(`${clicks[cid]!.key}\t${value}`);
    }
    lines.sort();
    const want = { outputs: lines.length, sha256: createHash('sha256').update(lines.join('\n')).digest('hex') };
    const records = merged.length;
    const contender = (name: string, command: (profileDir?: string) => { command: string; args: string[] }, profilable = false): ContenderSpec => ({
      name,
      profilable,
      run: (_run, profileDir) => runDriverOnce(command(profileDir), records, want),
    });
    return {
      records,
      contenders: [
        contender('tributary TopologyTestDriver', (profileDir) => ({ command: process.execPath, args: [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), '--import', 'tsx', join(ctx.root, 'bench/contenders/w4-join-tributary.ts'), file] }), true),
        contender('kafka streams TopologyTestDriver', () => {
          const java = ctx.java('dev.tributary.bench.ClickJoinDriverRun');
          return { command: java.command, args: [...java.args, file, String(JOIN_GRACE_MS)] };
        }),
      ],
      unsupported: [`${expectation.inner} inner results and ${expectation.leftOnly} left-only results expected from ${clicks.length} clicks and ${purchases.length} purchases`],
    };
  },
};
