import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Allowance,
  BOUNDARY_RULES,
  type BoundaryReport,
  checkBoundaries,
  formatViolation,
  listImports,
  readSources,
  type SourceText,
} from './import-boundaries.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Known breaches, each to be removed by a named step; none is left. A new breach fails the test; so does an
 * allowance whose breach is gone (delete it when the step lands).
 */
const ALLOWED: readonly Allowance[] = [];

describe('import boundaries of src/, connectors/ and topologies/', () => {
  let sources: SourceText[] = [];
  let report: BoundaryReport;
  // Reading and parsing some 200 files is the slow part; done once, with room for a loaded machine.
  beforeAll(() => {
    sources = readSources(repoRoot, ['src', 'connectors', 'topologies']);
    report = checkBoundaries(sources, BOUNDARY_RULES, ALLOWED);
  }, 120_000);

  it('reads the production sources (and not the tests)', () => {
    const paths = sources.map((source) => source.path);
    expect(paths).toContain('src/runtime/kafka-streams.ts');
    expect(paths).toContain('connectors/postgres-sink/sink.ts');
    expect(paths).toContain('topologies/clickstream/main.ts');
    expect(paths.filter((path) => path.endsWith('.test.ts'))).toEqual([]);
  });

  it('has no forbidden import beyond the named allowances', () => {
    expect(report.violations.map(formatViolation)).toEqual([]);
  });

  it('has no allowance left whose breach is gone', () => {
    expect(report.staleAllowances).toEqual([]);
  });

  it("keeps kafkajs out of the connectors' unit tests too: they run on the in-memory Kafka of the port", () => {
    const tests = readSources(repoRoot, ['connectors'], 'tests');
    expect(tests.map((test) => test.path)).toContain('connectors/postgres-sink/sink.test.ts');
    const kafkajsRule = BOUNDARY_RULES.filter((rule) => rule.name === 'kafkajs-only-in-src-kafka');
    expect(checkBoundaries(tests, kafkajsRule, []).violations.map(formatViolation)).toEqual([]);
  });
});

describe('the boundary checker', () => {
  it('fails on a forbidden import added to the graph, naming the file, line and import', () => {
    const files = [
      { path: 'src/graph/clean.ts', text: "import type { Serde } from '../serde/serde.js';\n" },
      {
        path: 'src/graph/bad.ts',
        text: "// a comment\nimport {\n  KafkaStreams,\n} from '../runtime/kafka-streams.js';\n",
      },
    ];
    const report = checkBoundaries(files, BOUNDARY_RULES, []);
    expect(report.violations.map(formatViolation)).toEqual([
      "src/graph/bad.ts:2 imports '../runtime/kafka-streams.js' (src/runtime/kafka-streams.ts): graph-state-kafka-errors-import-no-runtime",
    ]);
  });

  it('fails on kafkajs outside src/kafka and allows it in src/kafka and src/testing', () => {
    const text = "import type { Kafka } from 'kafkajs';\n";
    const report = checkBoundaries(
      [
        { path: 'connectors/postgres-sink/writer.ts', text },
        { path: 'src/kafka/kafkajs-adapter.ts', text },
        { path: 'src/testing/kafka-service.ts', text },
      ],
      BOUNDARY_RULES,
      [],
    );
    expect(report.violations.map(formatViolation)).toEqual([
      "connectors/postgres-sink/writer.ts:1 imports 'kafkajs': kafkajs-only-in-src-kafka",
    ]);
  });

  it('catches re-exports, the DSL in the runtime and connectors, and the runtime below it (the DSL may use it)', () => {
    const report = checkBoundaries(
      [
        { path: 'src/runtime/x.ts', text: "export { StreamsBuilder } from '../dsl/streams-builder.js';" },
        { path: 'connectors/postgres-cdc/x.ts', text: "import { KStream } from '../../src/dsl/kstream.js';" },
        { path: 'src/processor/x.ts', text: "import type { Task } from '../runtime/task.js';" },
        { path: 'src/kafka/x.ts', text: "import type { Record } from '../runtime/record.js';" },
        { path: 'src/errors.ts', text: "import type { Task } from './runtime/task.js';" },
        { path: 'src/dsl/x.ts', text: "import type { Task } from '../runtime/task.js';" },
      ],
      BOUNDARY_RULES,
      [],
    );
    expect(report.violations.map((violation) => `${violation.edge.file} ${violation.rule}`)).toEqual([
      'src/runtime/x.ts runtime-imports-no-dsl',
      'connectors/postgres-cdc/x.ts connectors-import-no-dsl',
      'src/processor/x.ts processor-api-stands-alone',
      'src/kafka/x.ts graph-state-kafka-errors-import-no-runtime',
      'src/errors.ts graph-state-kafka-errors-import-no-runtime',
    ]);
  });

  it('keeps the retry loop below the runtime, like the errors', () => {
    const report = checkBoundaries(
      [{ path: 'src/retry.ts', text: "import type { Task } from './runtime/task.js';" }],
      BOUNDARY_RULES,
      [],
    );
    expect(report.violations.map(formatViolation)).toEqual([
      "src/retry.ts:1 imports './runtime/task.js' (src/runtime/task.ts): graph-state-kafka-errors-import-no-runtime",
    ]);
  });

  it('excuses an allowed import only for its file and specifier, and reports an allowance that matches nothing', () => {
    const allowance: Allowance = {
      rule: 'graph-state-kafka-errors-import-no-runtime',
      file: 'src/state/a.ts',
      specifier: '../runtime/record.js',
      removedBy: 'step 1',
    };
    const stale: Allowance = { ...allowance, file: 'src/state/gone.ts' };
    const report = checkBoundaries(
      [
        { path: 'src/state/a.ts', text: "import type { Headers } from '../runtime/record.js';" },
        { path: 'src/state/b.ts', text: "import type { Headers } from '../runtime/record.js';" },
      ],
      BOUNDARY_RULES,
      [allowance, stale],
    );
    expect(report.violations.map(formatViolation)).toEqual([
      "src/state/b.ts:1 imports '../runtime/record.js' (src/runtime/record.ts): graph-state-kafka-errors-import-no-runtime",
    ]);
    expect(report.staleAllowances).toEqual([stale]);
  });

  it('lists static imports, type imports and re-exports but not dynamic import()', () => {
    const edges = listImports({
      path: 'src/a/b.ts',
      text: [
        "import x from './x.js';",
        "import type { Y } from '../y/y.js';",
        "export * from 'kafkajs';",
        "const later = await import('./lazy.js');",
        "const text = \"import z from './z.js'\";",
      ].join('\n'),
    });
    expect(edges.map((edge) => [edge.line, edge.target])).toEqual([
      [1, 'src/a/x.ts'],
      [2, 'src/y/y.ts'],
      [3, 'kafkajs'],
    ]);
  });
});
