import { describe, expect, it } from 'vitest';
import { differenceFromScenario, firstDifference } from './compare.js';
import type { Scenario, ScenarioRun } from './scenario.js';

const scenario = (order: Scenario['order'], extra: Partial<Scenario> = {}): Scenario => ({
  name: 't',
  topology: { kind: 'table-source' },
  steps: [
    {
      input: [],
      expect: {
        updates: [
          { key: 'A', window: [0, 10], value: '0+1', ts: 1 },
          { key: 'B', window: [0, 10], value: '0+2', ts: 2 },
        ],
      },
    },
  ],
  order,
  ...extra,
});

const run = (updates: ScenarioRun['steps'][number]['updates'], more: Record<string, unknown> = {}): ScenarioRun => ({
  steps: [{ updates: updates!, ...more } as ScenarioRun['steps'][number]],
  droppedRecords: 0,
});

describe('firstDifference', () => {
  const a = { key: 'A', window: [0, 10] as const, value: '0+1', ts: 1 };
  const b = { key: 'B', window: [0, 10] as const, value: '0+2', ts: 2 };

  it('accepts equal output in exact order', () => {
    expect(differenceFromScenario(scenario('exact'), run([a, b]))).toBeNull();
  });

  it('reports the first differing record in exact order', () => {
    expect(differenceFromScenario(scenario('exact'), run([b, a]))?.message).toContain('record #0');
  });

  it('ignores order across and within windows for set-per-window', () => {
    expect(differenceFromScenario(scenario('set-per-window'), run([b, a]))).toBeNull();
    expect(differenceFromScenario(scenario({ updates: 'set-per-window' }), run([b, a]))).toBeNull();
  });

  it('still compares multiplicity and content for set-per-window', () => {
    expect(differenceFromScenario(scenario('set-per-window'), run([a, b, b]))?.message).toContain('window ["B",[0,10]]');
    expect(differenceFromScenario(scenario('set-per-window'), run([a, { ...b, ts: 3 }]))).not.toBeNull();
  });

  it('treats an output absent from expect as empty, unless `outputs` leaves it out', () => {
    const extra = run([a, b], { final: [a] });
    expect(differenceFromScenario(scenario('exact'), extra)?.output).toBe('final');
    expect(differenceFromScenario(scenario('exact', { outputs: ['updates'] }), extra)).toBeNull();
  });

  it('tells a string value from a number value', () => {
    expect(differenceFromScenario(scenario('exact'), run([{ ...a, value: 1 }, b]))).not.toBeNull();
  });

  it('compares the dropped-records count when expected', () => {
    expect(differenceFromScenario(scenario('exact', { expectDroppedRecords: 2 }), run([a, b]))?.message).toContain(
      'dropped records: expected 2, got 0',
    );
  });

  it('reports an executor error as a difference', () => {
    expect(firstDifference(scenario('exact'), [], { steps: [], error: 'boom' })?.message).toContain('boom');
  });
});
