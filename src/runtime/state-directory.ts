import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, StateStoreError } from '../errors.js';
import type { TaskStorage } from './task-types.js';

/**
 * The application's state directory: `<stateDir>/<applicationId>` (Kafka Streams' `state.dir` layout), by
 * default under the OS temp folder (`<tmpdir>/tributary/<applicationId>`). Each task that has a persistent
 * store gets `<task id>/` in it.
 *
 * @example
 * applicationStateDir('counts', '/var/lib/tributary'); // '/var/lib/tributary/counts'
 */
export function applicationStateDir(applicationId: string, stateDir: string | undefined): string {
  return join(stateDir ?? join(tmpdir(), 'tributary'), applicationId);
}

/** The task storage of a runtime's config: the application's state directory, the default store type, the instance as lock owner. */
export function taskStorageOf(config: { readonly applicationId: string; readonly stateDir?: string; readonly defaultStoreType?: string }, instanceId: string): TaskStorage {
  const type = config.defaultStoreType ?? 'in-memory';
  if (type !== 'in-memory' && type !== 'persistent') throw new ConfigError(`defaultStoreType must be 'persistent' or 'in-memory', got ${String(config.defaultStoreType)}`);
  if (config.stateDir !== undefined && (typeof config.stateDir !== 'string' || config.stateDir === '')) throw new ConfigError(`stateDir must be a non-empty path, got ${String(config.stateDir)}`);
  return { defaultStoreType: type, stateDir: applicationStateDir(config.applicationId, config.stateDir), owner: instanceId };
}

const LOCK_FILE = '.lock';

/** Whether a process with this id runs on this machine (signal 0 checks without sending anything). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The lock of one task folder: a `.lock` file holding `<pid> <owner>`, created exclusively, so two instances on
 * one machine never use the same task's stores at once (a persistent store wipes its folder when it opens).
 * A lock left by a process that no longer runs is taken over.
 */
export class TaskDirectoryLock {
  readonly #path: string;
  readonly #content: string;
  #held = false;

  constructor(
    readonly taskDir: string,
    owner: string,
  ) {
    this.#path = join(taskDir, LOCK_FILE);
    this.#content = `${process.pid} ${owner}`;
  }

  /** Takes the lock or throws a StateStoreError naming the folder and the holder. */
  acquire(store: string, partition: number): void {
    mkdirSync(this.taskDir, { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.#path, 'wx');
        writeSync(fd, this.#content);
        closeSync(fd);
        this.#held = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = this.#holder();
      if (holder === this.#content) {
        this.#held = true;
        return;
      }
      const pid = Number(holder.split(' ')[0]);
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
        throw new StateStoreError(
          `task folder ${this.taskDir} is locked by another instance (${holder}); two instances on one machine need different stateDir values or application ids`,
          { store, partition },
        );
      }
      // The holder is gone (or the file is not a lock we wrote): take the lock over.
      rmSync(this.#path, { force: true });
    }
    throw new StateStoreError(`could not lock task folder ${this.taskDir}`, { store, partition });
  }

  #holder(): string {
    try {
      return readFileSync(this.#path, 'utf8').trim();
    } catch {
      return '';
    }
  }

  /** Removes the lock file if this lock holds it. */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    if (this.#holder() === this.#content) rmSync(this.#path, { force: true });
  }
}
