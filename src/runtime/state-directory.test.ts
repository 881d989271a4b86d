import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { ConfigError, StateStoreError } from '../errors.js';
import { Serdes } from '../serde/serdes.js';
import { applicationStateDir, TaskDirectoryLock, taskStorageOf } from './state-directory.js';
import { TaskStores, taskStoreOptions } from './task-stores.js';

const dirs: string[] = [];
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-state-dir-test-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const countTopology = (storeType?: 'persistent' | 'in-memory') => {
  const builder = new StreamsBuilder();
  builder
    .stream('words', { key: Serdes.string(), value: Serdes.string() })
    .groupByKey()
    .count({ storeName: 'counts', ...(storeType === undefined ? {} : { storeType }) });
  return builder.build();
};
const context = { applicationId: 'app', partition: 0, currentTimestamp: () => 0 };
const storesOf = (topology: ReturnType<typeof countTopology>, stateDir: string, owner: string, defaultStoreType?: 'persistent') =>
  new TaskStores(topology, ['counts'], 'app', 0, undefined, context, taskStoreOptions({ stateDir, owner, ...(defaultStoreType ? { defaultStoreType } : {}) }, { subtopology: 0, partition: 0 }));

describe('state directory', () => {
  it('is <stateDir>/<applicationId>, by default under the OS temp folder', () => {
    expect(applicationStateDir('counts', '/var/lib/x')).toBe('/var/lib/x/counts');
    expect(taskStorageOf({ applicationId: 'counts' }, 'i-1')).toEqual({ defaultStoreType: 'in-memory', stateDir: join(tmpdir(), 'tributary', 'counts'), owner: 'i-1' });
    expect(() => taskStorageOf({ applicationId: 'counts', defaultStoreType: 'rocks' }, 'i-1')).toThrow(ConfigError);
  });

  it('a second instance cannot open a task folder another live instance holds; it can once the first closes the task', () => {
    const stateDir = freshDir();
    const topology = countTopology('persistent');
    const first = storesOf(topology, stateDir, 'instance-a');
    expect(readFileSync(join(stateDir, '0_0', '.lock'), 'utf8')).toBe(`${process.pid} instance-a`);
    expect(() => storesOf(topology, stateDir, 'instance-b')).toThrow(StateStoreError);
    expect(() => storesOf(topology, stateDir, 'instance-b')).toThrow(/0_0 is locked by another instance \(\d+ instance-a\)/);
    first.close();
    expect(existsSync(join(stateDir, '0_0', '.lock'))).toBe(false);
    const second = storesOf(topology, stateDir, 'instance-b');
    second.close();
  });

  it('takes over a lock left by a process that no longer runs', () => {
    const stateDir = freshDir();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    mkdirSync(join(stateDir, '0_0'), { recursive: true });
    writeFileSync(join(stateDir, '0_0', '.lock'), `${gone} crashed-instance`);
    const stores = storesOf(countTopology('persistent'), stateDir, 'instance-b');
    expect(readFileSync(join(stateDir, '0_0', '.lock'), 'utf8')).toBe(`${process.pid} instance-b`);
    stores.close();
  });

  it('takes over a lock file whose content is not a lock (foreign or corrupted), and wipes a corrupted store folder on open', () => {
    const stateDir = freshDir();
    mkdirSync(join(stateDir, '0_0', 'counts'), { recursive: true });
    writeFileSync(join(stateDir, '0_0', '.lock'), 'not a lock \u0000\u0001');
    writeFileSync(join(stateDir, '0_0', 'counts', 'data.mdb'), 'garbage that is no LMDB file');
    const stores = storesOf(countTopology('persistent'), stateDir, 'instance-b');
    expect(readFileSync(join(stateDir, '0_0', '.lock'), 'utf8')).toBe(`${process.pid} instance-b`);
    const counts = stores.all.get('counts') as unknown as { get(key: string): number | undefined };
    expect(counts.get('a')).toBeUndefined();
    stores.close();
  });

  it('takes no lock and creates no folder for a task whose stores are all in memory', () => {
    const stateDir = freshDir();
    const stores = storesOf(countTopology(), stateDir, 'instance-a');
    expect(existsSync(join(stateDir, '0_0'))).toBe(false);
    stores.close();
    const persistentByDefault = storesOf(countTopology(), stateDir, 'instance-a', 'persistent');
    expect(existsSync(join(stateDir, '0_0', 'counts'))).toBe(true);
    persistentByDefault.close();
  });

  it('a lock object releases only a lock it holds', () => {
    const dir = freshDir();
    const lock = new TaskDirectoryLock(dir, 'a');
    lock.release();
    writeFileSync(join(dir, '.lock'), `${process.pid} someone-else`);
    lock.release();
    expect(existsSync(join(dir, '.lock'))).toBe(true);
  });
});
