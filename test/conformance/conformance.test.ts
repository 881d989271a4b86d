import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultKinds } from './kinds.js';
import { compareRecords, loadScenarios, runScenario, type Scenario } from './runner.js';

interface Erratum {
  readonly file: string;
  readonly step: number;
  readonly output: string;
  readonly kafkaStreamsEmits: unknown;
}

/**
 * Where Kafka Streams itself (the oracle, test/oracle) contradicts a shared scenario file, the engine must
 * match Kafka Streams: the erratum's records replace the file's for that step and output.
 */
function withErrata(scenario: Scenario & { file: string }): Scenario {
  const path = resolve(root, 'test', 'oracle', 'known-file-errata.json');
  if (!existsSync(path)) return scenario;
  const errata = (JSON.parse(readFileSync(path, 'utf8')) as { errata: Erratum[] }).errata.filter((e) => scenario.file.endsWith(e.file));
  if (errata.length === 0) return scenario;
  let patched: Scenario = scenario;
  for (const e of errata) {
    if (e.output === 'droppedRecords') {
      patched = { ...patched, expectDroppedRecords: e.kafkaStreamsEmits as number };
      continue;
    }
    patched = { ...patched, steps: patched.steps.map((step, i) => (i === e.step ? { ...step, expect: { ...step.expect, [e.output]: e.kafkaStreamsEmits as never } } : step)) };
  }
  return patched;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The shared conformance scenarios, copied into the repository (see its README.md). */
const folder = resolve(root, 'test', 'conformance', 'scenarios', 'shared');

describe('conformance scenarios through the TopologyTestDriver', () => {
  const scenarios = loadScenarios([folder]);

  // The same scenarios with every key-value store persistent (LMDB in a temp folder): same outputs.
  describe('with persistent key-value stores', () => {
    for (const scenario of scenarios) {
      it(`${scenario.topology.kind}: ${scenario.name}`, () => {
        const result = runScenario(withErrata(scenario), { defaultStoreType: 'persistent' });
        expect(result.message).toBeUndefined();
        expect(result.status).toBe('pass');
      });
    }
  });

  it('supports every topology kind the scenarios use', () => {
    expect(scenarios.length).toBeGreaterThan(0);
    for (const s of scenarios) expect(defaultKinds.has(s.topology.kind), `${s.file}: kind ${s.topology.kind}`).toBe(true);
  });

  for (const scenario of scenarios) {
    it(`${scenario.topology.kind}: ${scenario.name}`, () => {
      const result = runScenario(withErrata(scenario));
      expect(result.message).toBeUndefined();
      expect(result.status).toBe('pass');
    });
  }
});

/**
 * Regression scenarios kept with the code: shrunk differences found by the differential fuzzer, each with the
 * output the real Kafka Streams (the oracle) produced for it.
 */
describe('regression scenarios (test/conformance/scenarios)', () => {
  // composed/: whole small topologies (kind `composed`), each with the output Kafka Streams produced for it.
  const scenarios = loadScenarios([resolve(root, 'test', 'conformance', 'scenarios'), resolve(root, 'test', 'conformance', 'scenarios', 'composed')]);

  it('finds the regression scenarios', () => {
    expect(scenarios.length).toBeGreaterThan(0);
  });

  for (const scenario of scenarios) {
    it(`${scenario.topology.kind}: ${scenario.name}`, () => {
      const result = runScenario(scenario);
      expect(result.message).toBeUndefined();
      expect(result.status).toBe('pass');
    });
    it(`${scenario.topology.kind}: ${scenario.name} (persistent key-value stores)`, () => {
      const result = runScenario(scenario, { defaultStoreType: 'persistent' });
      expect(result.message).toBeUndefined();
      expect(result.status).toBe('pass');
    });
  }
});

describe('record comparison', () => {
  const r = (key: string, value: string, ts: number, window?: [number, number]) => (window ? { key, value, ts, window } : { key, value, ts });

  it('exact order reports the first differing record', () => {
    expect(compareRecords([r('a', '1', 1), r('b', '2', 2)], [r('a', '1', 1), r('b', '3', 2)], 'exact')).toBe('record 1: expected ("b", "2", 2), got ("b", "3", 2)');
    expect(compareRecords([r('a', '1', 1)], [], 'exact')).toMatch(/got \(nothing\)/);
    expect(compareRecords([r('a', '1', 1)], [r('a', '1', 1)], 'exact')).toBeUndefined();
  });

  it('set-per-window ignores order but not multiplicity', () => {
    const expected = [r('a', '1', 1, [0, 10]), r('a', '2', 2, [5, 15])];
    expect(compareRecords(expected, [expected[1]!, expected[0]!], 'set-per-window')).toBeUndefined();
    expect(compareRecords(expected, [expected[0]!, expected[0]!], 'set-per-window')).toMatch(/not produced/);
    expect(compareRecords([expected[0]!], [expected[0]!, expected[1]!], 'set-per-window')).toMatch(/unexpected/);
  });
});
