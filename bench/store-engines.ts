// Chooses the embedded storage engine of the persistent stores by measurement (not a test, no Kafka):
// lmdb (lmdb-js, LMDB) against @nxtedition/rocksdb (RocksDB), both loaded from their npm prebuilt linux-x64
// binaries. Three phases per engine, on a fresh directory under the OS temp folder:
//   w2      the grouped-count access pattern of W2: per record one get and one put of a serialized key drawn
//           uniformly from `keys` keys (8-byte big-endian count as value); writes are buffered per commit and
//           written as one batch every `commitEvery` records, reads see the buffer first (what the store does).
//           Runs `warmupS` seconds, then measures `steadyS` seconds of steady state.
//   restore a bulk restore: `keys` entries written in batches of 10,000 (a changelog fetch), repeated on a fresh
//           database until `steadyS` seconds have passed; prints the median run.
//   range   one full ordered scan of the restored database (micro-benchmark: one pass, a few seconds).
// None of these figures is used for a ratio against Kafka Streams; the restore comparison with Kafka Streams
// needs the Kafka runtime restore bench (not built yet).
//   npx tsx bench/store-engines.ts [lmdb|rocksdb|both] [keys=1000000] [steadyS=30] [warmupS=5] [commitEvery=10000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Engine {
  readonly name: string;
  get(key: Buffer): Promise<Buffer | undefined> | Buffer | undefined;
  writeBatch(entries: readonly (readonly [Buffer, Buffer | null])[]): Promise<void> | void;
  scanCount(): Promise<number>;
  close(): Promise<void>;
}

async function openLmdb(path: string): Promise<Engine> {
  const { open } = await import('lmdb');
  const db = open<Buffer, Buffer>({ path, keyEncoding: 'binary', encoding: 'binary', noSync: true });
  return {
    name: 'lmdb',
    get: (key) => db.getBinary(key) ?? undefined,
    writeBatch: (entries) => {
      db.transactionSync(() => {
        for (const [k, v] of entries) {
          if (v === null) db.removeSync(k);
          else db.putSync(k, v);
        }
      });
    },
    scanCount: async () => {
      let n = 0;
      for (const _ of db.getKeys()) n++;
      return n;
    },
    close: () => db.close(),
  };
}

async function openRocks(path: string): Promise<Engine> {
  // The binding ships no type declarations; a module name in a variable keeps the compiler from looking for them.
  const binding = '@nxtedition/rocksdb';
  const { RocksLevel } = (await import(binding)) as { RocksLevel: new (path: string, options: object) => any };
  const db = new RocksLevel(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  return {
    name: 'rocksdb',
    // This binding rejects a missing key with LEVEL_NOT_FOUND (abstract-level 1).
    get: async (key) => {
      try {
        return (await db.get(key)) ?? undefined;
      } catch (error) {
        if ((error as { code?: string }).code === 'LEVEL_NOT_FOUND') return undefined;
        throw error;
      }
    },
    writeBatch: async (entries) => {
      await db.batch(entries.map(([k, v]) => (v === null ? { type: 'del', key: k } : { type: 'put', key: k, value: v })), { sync: false });
    },
    scanCount: async () => {
      let n = 0;
      for await (const _ of db.keys()) n++;
      return n;
    },
    close: () => db.close(),
  };
}

const openers: Record<string, (path: string) => Promise<Engine>> = { lmdb: openLmdb, rocksdb: openRocks };
const which = process.argv[2] ?? 'both';
const keys = Number(process.argv[3] ?? 1_000_000);
const steadyS = Number(process.argv[4] ?? 30);
const warmupS = Number(process.argv[5] ?? 5);
const commitEvery = Number(process.argv[6] ?? 10_000);

const keyBytes = (i: number): Buffer => Buffer.from(`user-${i.toString().padStart(8, '0')}`);
const count = (n: bigint): Buffer => {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64BE(n);
  return b;
};

// A fixed-seed xorshift so both engines see the same key sequence.
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

async function w2(engine: Engine): Promise<{ recordsPerS: number; records: number }> {
  const next = prng(42);
  const pending = new Map<string, Buffer>();
  let records = 0;
  let measuredFrom = -1;
  let measuredRecords = 0;
  const start = performance.now();
  for (;;) {
    for (let i = 0; i < commitEvery; i++) {
      const key = keyBytes(next() % keys);
      const id = key.toString('latin1');
      const cached = pending.get(id);
      const current = cached ?? (await engine.get(key));
      const value = current === undefined ? 1n : current.readBigInt64BE() + 1n;
      pending.set(id, count(value));
    }
    await engine.writeBatch([...pending].map(([id, v]) => [Buffer.from(id, 'latin1'), v] as const));
    pending.clear();
    records += commitEvery;
    const elapsed = (performance.now() - start) / 1000;
    if (measuredFrom < 0 && elapsed >= warmupS) {
      measuredFrom = performance.now();
      measuredRecords = records;
    }
    if (measuredFrom >= 0 && (performance.now() - measuredFrom) / 1000 >= steadyS) {
      const seconds = (performance.now() - measuredFrom) / 1000;
      return { recordsPerS: (records - measuredRecords) / seconds, records: records - measuredRecords };
    }
  }
}

async function restoreOnce(open: (path: string) => Promise<Engine>): Promise<{ seconds: number; dir: string; engine: Engine }> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-engine-restore-'));
  const engine = await open(dir);
  const t0 = performance.now();
  for (let from = 0; from < keys; from += 10_000) {
    const batch: (readonly [Buffer, Buffer])[] = [];
    for (let i = from; i < Math.min(keys, from + 10_000); i++) batch.push([keyBytes(i), count(BigInt(i))]);
    await engine.writeBatch(batch);
  }
  return { seconds: (performance.now() - t0) / 1000, dir, engine };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const name of which === 'both' ? ['lmdb', 'rocksdb'] : [which]) {
  const open = openers[name];
  if (open === undefined) throw new Error(`unknown engine ${name}`);
  const dir = mkdtempSync(join(tmpdir(), `tributary-engine-${name}-`));
  const engine = await open(dir);
  const w = await w2(engine);
  await engine.close();
  rmSync(dir, { recursive: true, force: true });

  const runs: number[] = [];
  const t0 = performance.now();
  let scan = { seconds: 0, entries: 0 };
  while (runs.length === 0 || (performance.now() - t0) / 1000 < steadyS) {
    const run = await restoreOnce(open);
    runs.push(run.seconds);
    if (runs.length === 1) {
      const s0 = performance.now();
      const entries = await run.engine.scanCount();
      scan = { seconds: (performance.now() - s0) / 1000, entries };
    }
    await run.engine.close();
    rmSync(run.dir, { recursive: true, force: true });
  }
  const restoreS = median(runs);
  console.log(
    JSON.stringify({
      engine: name,
      keys,
      commitEvery,
      w2RecordsPerS: Math.round(w.recordsPerS),
      w2MeasuredRecords: w.records,
      w2SteadyS: steadyS,
      restoreMedianS: Number(restoreS.toFixed(2)),
      restoreEntriesPerS: Math.round(keys / restoreS),
      restoreRuns: runs.length,
      rangeScanS: Number(scan.seconds.toFixed(2)),
      rangeScanEntries: scan.entries,
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
    }),
  );
}
