// `tributary cdc` killed with SIGKILL at arbitrary points while a writer keeps inserting, then restarted: every
// committed row reaches Kafka (duplicates are allowed: delivery is at-least-once), and SIGTERM shuts down cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../env/services.js';
import { cdcContext, payload, type CdcTestContext } from './cdc-helpers.js';

let ctx: CdcTestContext;
const children: ChildProcess[] = [];
beforeAll(async () => {
  ctx = await cdcContext('cdc_kill');
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await ctx.cleanup();
});

function startCli(configFile: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'cdc-run.ts'), 'cdc', '--config', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  return child;
}

async function slotConfirmed(): Promise<string | null> {
  const r = await ctx.db.query('SELECT confirmed_flush_lsn::text AS c, active FROM pg_replication_slots WHERE slot_name = $1', [ctx.slot]);
  return r.rows[0]?.active ? r.rows[0].c : null;
}

describe('tributary cdc: SIGKILL and restart', () => {
  it('loses nothing across three SIGKILLs', async () => {
    const s = ctx.prefix;
    await ctx.db.query(`CREATE TABLE ${s}.events (id int PRIMARY KEY, v text)`);
    const dir = await mkdtemp(join(tmpdir(), 'cdc-kill-'));
    const configFile = join(dir, 'cdc.json');
    await writeFile(configFile, JSON.stringify(ctx.config({ 'value.converter.schemas.enable': false, 'key.converter.schemas.enable': false, 'status.update.interval.ms': 100 })));

    let id = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await ctx.db.query(`INSERT INTO ${s}.events SELECT g, 'v' FROM generate_series($1::int, $2::int) g`, [id + 1, id + 5]);
        id += 5;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    for (let round = 0; round < 3; round++) {
      const child = startCli(configFile);
      const before = id;
      // streaming and confirming, and some rows written since this process started
      await waitFor(async () => (await slotConfirmed()) !== null && id > before + 100, { description: `round ${round} streaming` });
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    const last = startCli(configFile);
    writing = false;
    await writer;
    const total = id;
    const records = await ctx.readTopic(`${s}.${s}.events`, total);
    const seen = new Set((records.map(payload) as { after: { id: number } }[]).map((e) => e.after.id));
    const missing = Array.from({ length: total }, (_, i) => i + 1).filter((x) => !seen.has(x));
    expect(missing).toEqual([]);
    console.log(`[cdc] ${total} rows, ${records.length - total} duplicates after 3 SIGKILLs`);
    let stderr = '';
    last.stderr!.on('data', (d) => (stderr += String(d)));
    last.kill('SIGTERM');
    const code = await new Promise((r) => last.once('exit', r));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });
});
