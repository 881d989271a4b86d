/**
 * Every shared conformance scenario's expected output must equal what the real Kafka Streams emits for it. The files
 * were transcribed by hand; where Kafka Streams disagrees, the disagreement is recorded in known-file-errata.json
 * (which the engine then follows) and this test checks that the record still stands.
 * Needs Java 17 and Maven (no broker).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonical, differenceFromScenario } from './compare.js';
import type { OutputRecord, Scenario, ScenarioRun, StepOutputs } from './scenario.js';
import { loadScenarioFiles, sharedScenarioDir } from './shared-scenarios.js';
import { runStreamsOracle } from './streams/run-oracle.js';

interface Erratum {
  readonly file: string;
  readonly step: number;
  readonly output: string;
  readonly fileSays: readonly OutputRecord[] | number;
  readonly kafkaStreamsEmits: readonly OutputRecord[] | number;
  readonly explanation: string;
}

const errata = (
  JSON.parse(readFileSync(new URL('./known-file-errata.json', import.meta.url), 'utf8')) as { errata: Erratum[] }
).errata;
const files = loadScenarioFiles(sharedScenarioDir());

function same(a: readonly OutputRecord[] | number | undefined, b: readonly OutputRecord[] | number | undefined): boolean {
  if (typeof a === 'number' || typeof b === 'number' || a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((r, i) => canonical(r) === canonical(b[i]!));
}

/** The scenario with each erratum's Kafka Streams output in place of the file's expectation. */
function corrected(scenario: Scenario, entries: readonly Erratum[]): Scenario {
  let expectDroppedRecords = scenario.expectDroppedRecords;
  const steps = scenario.steps.map((step, index) => {
    let expect: StepOutputs = { ...(step.expect ?? {}) };
    for (const erratum of entries.filter((e) => e.step === index && e.output !== 'droppedRecords')) {
      expect = { ...expect, [erratum.output]: erratum.kafkaStreamsEmits as readonly OutputRecord[] };
    }
    return { ...step, expect };
  });
  for (const erratum of entries.filter((e) => e.output === 'droppedRecords')) {
    expectDroppedRecords = erratum.kafkaStreamsEmits as number;
  }
  return expectDroppedRecords === undefined ? { ...scenario, steps } : { ...scenario, steps, expectDroppedRecords };
}

describe('shared conformance scenarios agree with Kafka Streams', () => {
  let runs: ScenarioRun[] = [];

  beforeAll(async () => {
    runs = await runStreamsOracle(files.map((f) => f.scenario));
  }, 600_000);

  it('finds the shared scenarios', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('lists errata only for existing files', () => {
    const names = new Set(files.map((f) => f.file));
    expect(errata.filter((e) => !names.has(e.file)).map((e) => e.file)).toEqual([]);
  });

  files.forEach(({ file, scenario }, index) => {
    it(file, () => {
      const run = runs[index]!;
      expect(run.error).toBeUndefined();
      const entries = errata.filter((e) => e.file === file);
      for (const erratum of entries) {
        const fileSays =
          erratum.output === 'droppedRecords'
            ? scenario.expectDroppedRecords
            : ((scenario.steps[erratum.step]?.expect?.[erratum.output] ?? []) as readonly OutputRecord[]);
        const emitted =
          erratum.output === 'droppedRecords'
            ? run.droppedRecords
            : ((run.steps[erratum.step]?.[erratum.output] ?? []) as readonly OutputRecord[]);
        expect(same(fileSays, erratum.fileSays), `${file}: erratum is stale, the file no longer says this`).toBe(true);
        expect(same(emitted, erratum.kafkaStreamsEmits), `${file}: Kafka Streams no longer emits this`).toBe(true);
      }
      const difference = differenceFromScenario(corrected(scenario, entries), run);
      expect(difference?.message ?? null).toBeNull();
    });
  });
});
