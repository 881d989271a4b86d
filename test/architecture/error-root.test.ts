/**
 * Every error class of the library and its connectors derives from the one root, TributaryError, and says honestly
 * whether a retry can help. The classes are found by reading the sources, so a new error class fails this test until
 * it joins the root and is listed below with a sample construction.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StreamsError, TributaryError } from '../../src/errors.js';
import { readSources } from './import-boundaries.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

type ErrorClass = new (...args: never[]) => Error;

interface Sample {
  /** Constructor arguments: always (message, options). */
  readonly args: readonly unknown[];
  /** The `retriable` the sample must have. */
  readonly retriable: boolean;
}

const at = { topic: 'orders', partition: 1, offset: 7 };
const origin = { topic: 'orders', partition: 1, offset: '7' };

/** One construction per exported error class, with the flag it must carry. */
const SAMPLES: Readonly<Record<string, Sample>> = {
  TributaryError: { args: ['x'], retriable: false },
  StreamsError: { args: ['x', { retriable: true }], retriable: true },
  TopologyError: { args: ['x', { nodeName: 'n' }], retriable: false },
  StateStoreError: { args: ['x', { store: 's', partition: 0 }], retriable: false },
  DeserializationError: { args: ['x', at], retriable: false },
  ProcessingError: { args: ['x', { nodeName: 'n', ...at }], retriable: false },
  ProductionError: { args: ['x', { topic: 'out' }], retriable: false },
  RecordTooLargeError: { args: ['x', { topic: 'out', bytes: 2, limit: 1 }], retriable: false },
  InvalidTopicError: { args: ['x', { topic: '..' }], retriable: false },
  InvalidRecordError: { args: ['x', { topic: 'out' }], retriable: false },
  ConfigError: { args: ['x'], retriable: false },
  RetriesExhaustedError: { args: ['x', { attempts: 3, cause: new Error('last') }], retriable: false },
  AvroSerdeError: { args: ['x'], retriable: false },
  SchemaRegistryError: { args: ['x', { retriable: true }], retriable: true },
  TransactionFailedError: { args: ['x', { transactionalId: 't', kind: 'fenced' }], retriable: true },
  KafkaConnectError: { args: ['x', { brokers: ['kafka:9092'], retriable: true }], retriable: true },
  MalformedResponseError: { args: ['x'], retriable: false },
  ServiceUnavailableError: { args: ['x', { service: 'kafka' }], retriable: false },
  CdcError: { args: ['x'], retriable: false },
  CdcConfigError: { args: ['x', { key: 'slot.name' }], retriable: false },
  CdcDataError: { args: ['x', { context: { value: 'v' } }], retriable: false },
  CdcProtocolError: { args: ['x'], retriable: false },
  CdcConnectionError: { args: ['x'], retriable: true },
  CdcSlotLostError: { args: ['x'], retriable: false },
  CdcRetriesExhaustedError: { args: ['x', { cause: new Error('last') }], retriable: false },
  SinkError: { args: ['x'], retriable: false },
  SinkConfigError: { args: ['x', { key: 'topics' }], retriable: false },
  UnsafeIdentifierError: { args: ['x', { identifier: '' }], retriable: false },
  BadRecordError: { args: ['x', { origin, stage: 'TASK_PUT' }], retriable: false },
  TableError: { args: ['x', { table: '"t"' }], retriable: false },
  SinkWriteError: { args: ['x', { sqlState: '08006', retriable: true }], retriable: true },
  ValueDecodeError: { args: ['x', { path: 'after.id' }], retriable: false },
};

/** The classes that were StreamsErrors before the root existed, and must stay so. */
const STREAMS_ERRORS = [
  'StreamsError', 'TopologyError', 'StateStoreError', 'DeserializationError', 'ProcessingError', 'ProductionError',
  'RecordTooLargeError', 'InvalidTopicError', 'InvalidRecordError', 'ConfigError', 'AvroSerdeError',
  'SchemaRegistryError', 'TransactionFailedError',
];

/** `class A extends B` declarations of the production sources. */
function errorClassDeclarations(): { file: string; name: string; base: string; exported: boolean }[] {
  const found: { file: string; name: string; base: string; exported: boolean }[] = [];
  for (const source of readSources(repoRoot, ['src', 'connectors'])) {
    for (const m of source.text.matchAll(/^(export )?(?:abstract )?class (\w+)(?:<[^>]*>)? extends (\w+)/gm)) {
      found.push({ file: source.path, name: m[2]!, base: m[3]!, exported: m[1] !== undefined });
    }
  }
  // an error class is one whose base is Error or, by this code base's naming, another error class
  const names = new Set(['Error']);
  let grown = true;
  while (grown) {
    grown = false;
    for (const c of found) {
      if ((names.has(c.base) || c.base.endsWith('Error')) && !names.has(c.name)) {
        names.add(c.name);
        grown = true;
      }
    }
  }
  return found.filter((c) => names.has(c.name));
}

describe('one error root', () => {
  const declarations = errorClassDeclarations();

  it('no class but the root extends Error directly', () => {
    const direct = declarations.filter((c) => c.base === 'Error' || c.base === 'TypeError' || c.base === 'RangeError');
    expect(direct.map((c) => `${c.file}: ${c.name}`)).toEqual(['src/errors.ts: TributaryError']);
  });

  it('finds the error classes in the sources', () => {
    // a sanity check of the scan: the families and the formerly stray classes are all seen
    const names = declarations.map((c) => c.name);
    for (const name of ['StreamsError', 'CdcError', 'SinkError', 'MalformedResponseError', 'ValueDecodeError', 'ServiceUnavailableError']) {
      expect(names).toContain(name);
    }
    // the source text of the root is where the scan says it is
    expect(readFileSync(join(repoRoot, 'src/errors.ts'), 'utf8')).toContain('export class TributaryError extends Error');
  });

  it('every exported error class is a TributaryError with a boolean retriable, the right flag and its own name', async () => {
    const exported = declarations.filter((c) => c.exported);
    const missing = exported.filter((c) => SAMPLES[c.name] === undefined).map((c) => `${c.file}: ${c.name}`);
    expect(missing, 'error classes without a sample in SAMPLES').toEqual([]);
    // and no sample names a class that is gone
    expect(exported.map((c) => c.name).sort()).toEqual(Object.keys(SAMPLES).sort());
    for (const c of exported) {
      const module = (await import(join(repoRoot, c.file))) as Record<string, unknown>;
      const Class = module[c.name] as ErrorClass | undefined;
      expect(typeof Class, `${c.file} exports ${c.name}`).toBe('function');
      const sample = SAMPLES[c.name]!;
      const error = new Class!(...(sample.args as never[]));
      expect(error, c.name).toBeInstanceOf(TributaryError);
      expect(error, c.name).toBeInstanceOf(Error);
      expect(typeof (error as TributaryError).retriable, c.name).toBe('boolean');
      expect((error as TributaryError).retriable, c.name).toBe(sample.retriable);
      expect(error.name, c.name).toBe(c.name);
      expect(error.message, c.name).toContain('x');
      if (STREAMS_ERRORS.includes(c.name)) expect(error, c.name).toBeInstanceOf(StreamsError);
    }
  });

  it('the data fields and the cause travel in the options', async () => {
    const { DeserializationError, StateStoreError } = await import('../../src/errors.js');
    const { BadRecordError } = await import('../../connectors/postgres-sink/errors.js');
    const { CdcConnectionError } = await import('../../connectors/postgres-cdc/errors.js');
    const cause = new Error('socket hang up');
    const d = new DeserializationError('bad bytes', { ...at, cause });
    expect([d.topic, d.partition, d.offset, d.store, d.cause]).toEqual(['orders', 1, 7, undefined, cause]);
    const s = new StateStoreError('closed', { store: 'counts', partition: 3 });
    expect([s.store, s.storeName, s.partition, s.topic]).toEqual(['counts', 'counts', 3, undefined]);
    const b = new BadRecordError('not JSON', { origin, stage: 'VALUE_CONVERTER' });
    expect([b.topic, b.partition, b.offset]).toEqual(['orders', 1, '7']);
    const c = new CdcConnectionError('replication connection failed', { context: { slot: 's' }, cause });
    expect([c.retriable, c.context, c.cause]).toEqual([true, { slot: 's' }, cause]);
    // without a cause there is no own `cause` property, as with `new Error(message)`
    expect(Object.hasOwn(new TributaryError('x'), 'cause')).toBe(false);
  });
});
