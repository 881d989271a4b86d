import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultKinds } from './kinds.js';
import { compareRecords, loadScenarios, runScenario } from './runner.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const folder = [resolve(root, '..', 'shared', 'conformance', 'streams'), resolve(root, '..', '..', 'shared', 'conformance', 'streams')].find((f) => existsSync(f));

describe('conformance scenarios through the TopologyTestDriver', () => {
  it('finds the shared scenario folder', () => {
    expect(folder, 'shared/conformance/streams must sit beside the repository').toBeDefined();
  });

  const scenarios = folder === undefined ? [] : loadScenarios([folder]);
  const supported = scenarios.filter((s) => defaultKinds.has(s.topology.kind));

  for (const scenario of supported) {
    it(`${scenario.topology.kind}: ${scenario.name}`, () => {
      const result = runScenario(scenario);
      if (result.status === 'unsupported') {
        // Only an output this implementation lacks (suppress) may be unsupported; every other output must match.
        expect(result.message).toMatch(/suppress/);
        const partial = runScenario(scenario, { outputs: ['updates'] });
        expect(partial.message).toBeUndefined();
        expect(partial.status).toBe('pass');
        return;
      }
      expect(result.message).toBeUndefined();
      expect(result.status).toBe('pass');
    });
  }

  it('reports every scenario of an unsupported kind as unsupported, none skipped', () => {
    const results = scenarios.map((s) => runScenario(s));
    const unsupported = results.filter((r) => r.status === 'unsupported');
    const unsupportedKinds = scenarios.filter((s) => !defaultKinds.has(s.topology.kind));
    expect(results).toHaveLength(scenarios.length);
    expect(unsupported.length).toBeGreaterThanOrEqual(unsupportedKinds.length);
    for (const s of unsupportedKinds) expect(results.find((r) => r.file === s.file)?.status).toBe('unsupported');
    console.info(`unsupported scenarios (${unsupported.length}):\n${unsupported.map((r) => `  ${r.kind} ${r.file}: ${r.message}`).join('\n')}`);
  });
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
