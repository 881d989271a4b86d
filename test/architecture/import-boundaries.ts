/**
 * The import-boundary checker behind `import-boundaries.test.ts` (issue 11, step 6).
 *
 * It reads the static imports of TypeScript sources (`import`, `import type`, `export ... from`,
 * `import x = require()`), resolves relative specifiers to repository paths and reports every import that a rule
 * forbids and no allowance excuses. The TypeScript parser is used instead of a regular expression so that an import
 * spread over several lines, or the word `from` inside a string or comment, cannot hide or fake an edge.
 *
 * @example
 * ```ts
 * const result = checkBoundaries(
 *   [{ path: 'src/graph/a.ts', text: "import { x } from '../runtime/b.js';" }],
 *   BOUNDARY_RULES,
 *   [],
 * );
 * result.violations.map(formatViolation);
 * // ["src/graph/a.ts:1 imports '../runtime/b.js' (src/runtime/b.ts): graph-state-kafka-errors-import-no-runtime"]
 * ```
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

/** One source file: its repository-relative path (forward slashes) and its text. */
export interface SourceText {
  readonly path: string;
  readonly text: string;
}

/** One static import of a file. */
export interface ImportEdge {
  /** The importing file, repository-relative. */
  readonly file: string;
  /** The specifier as written, e.g. `'../runtime/record.js'` or `'kafkajs'`. */
  readonly specifier: string;
  /**
   * A relative specifier resolved to a repository path with the `.ts` extension (`src/runtime/record.ts`);
   * a package specifier unchanged (`kafkajs`, `node:fs`).
   */
  readonly target: string;
  /** 1-based line of the import statement. */
  readonly line: number;
}

/** A layering rule: for the files it applies to, which import targets are forbidden. */
export interface BoundaryRule {
  readonly name: string;
  /** Why the rule exists, shown with a violation. */
  readonly why: string;
  readonly appliesTo: (file: string) => boolean;
  readonly forbids: (target: string) => boolean;
}

/** A known, named breach of a rule that a later step of the issue removes. */
export interface Allowance {
  readonly rule: string;
  readonly file: string;
  readonly specifier: string;
  /** The issue step that removes this breach. */
  readonly removedBy: string;
}

export interface Violation {
  readonly rule: string;
  readonly edge: ImportEdge;
}

export interface BoundaryReport {
  /** Forbidden imports no allowance excuses. */
  readonly violations: readonly Violation[];
  /** Allowances that no longer match an import: the breach is gone, so the allowance must go too. */
  readonly staleAllowances: readonly Allowance[];
}

const under =
  (...dirs: string[]) =>
  (path: string): boolean =>
    dirs.some((dir) => path.startsWith(`${dir}/`));

const isKafkajs = (target: string): boolean => target === 'kafkajs' || target.startsWith('kafkajs/');

/** The layering of the design (see README "Layout" and issue 11). */
export const BOUNDARY_RULES: readonly BoundaryRule[] = [
  {
    name: 'graph-state-kafka-errors-import-no-runtime',
    // src/retry.ts is the retry loop the Kafka port and the connectors share: below the runtime like the errors
    why: 'the compiled graph, the stores, the Kafka port, the errors and the retry loop sit below the runtime that drives them',
    appliesTo: (file) => under('src/graph', 'src/state', 'src/kafka')(file) || file === 'src/errors.ts' || file === 'src/retry.ts',
    forbids: under('src/runtime'),
  },
  {
    name: 'runtime-imports-no-dsl',
    why: 'the runtime runs a built topology; the DSL is one way to build it',
    appliesTo: under('src/runtime'),
    forbids: under('src/dsl'),
  },
  {
    // The graph's node types are declared beside their operators in src/dsl/operators/ (one operator per file), so
    // the graph may name them; what it must not do is look up behaviour in the DSL's registry.
    name: 'graph-and-runtime-use-no-operator-registry',
    why: 'the built topology carries its processor factories; only the DSL registers them',
    appliesTo: under('src/graph', 'src/runtime'),
    forbids: (target) => target === 'src/dsl/operators/registry.ts',
  },
  {
    name: 'kafkajs-only-in-src-kafka',
    why: 'the Kafka port is the only door to Kafka, so kafkajs fixes apply everywhere',
    appliesTo: (file) => !under('src/kafka', 'src/testing')(file),
    forbids: isKafkajs,
  },
  {
    name: 'connectors-import-no-dsl',
    why: 'connectors are Kafka clients, not topologies',
    appliesTo: under('connectors'),
    forbids: under('src/dsl'),
  },
  {
    name: 'processor-api-stands-alone',
    why: 'the processor API is what user code and the runtime share; it depends on neither',
    appliesTo: under('src/processor'),
    forbids: (target) => under('src/runtime', 'src/dsl', 'src/kafka')(target) || isKafkajs(target),
  },
];

/** Resolves a specifier as written in `file` to a repository path (relative) or returns it unchanged (package). */
export function resolveTarget(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  const joined = posix.normalize(posix.join(posix.dirname(file), specifier));
  // NodeNext sources import `./x.js` for `./x.ts`.
  return joined.replace(/\.js$/, '.ts');
}

/** The static imports and re-exports of one file. Dynamic `import()` is not an edge of the module graph here. */
export function listImports(source: SourceText): ImportEdge[] {
  const parsed = ts.createSourceFile(source.path, source.text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (node: ts.Node, literal: ts.Expression | undefined): void => {
    if (literal === undefined || !ts.isStringLiteral(literal)) return;
    const line = parsed.getLineAndCharacterOfPosition(node.getStart(parsed)).line + 1;
    edges.push({ file: source.path, specifier: literal.text, target: resolveTarget(source.path, literal.text), line });
  };
  for (const statement of parsed.statements) {
    if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) {
      add(statement, statement.moduleSpecifier);
    } else if (
      ts.isImportEqualsDeclaration(statement) &&
      ts.isExternalModuleReference(statement.moduleReference)
    ) {
      add(statement, statement.moduleReference.expression);
    }
  }
  return edges;
}

const allowanceMatches = (allowance: Allowance, rule: string, edge: ImportEdge): boolean =>
  allowance.rule === rule && allowance.file === edge.file && allowance.specifier === edge.specifier;

/** Applies `rules` to every import of `files`; `allowances` excuse known breaches, and unused ones are reported. */
export function checkBoundaries(
  files: readonly SourceText[],
  rules: readonly BoundaryRule[],
  allowances: readonly Allowance[],
): BoundaryReport {
  const violations: Violation[] = [];
  const used = new Set<Allowance>();
  for (const file of files) {
    const applicable = rules.filter((rule) => rule.appliesTo(file.path));
    if (applicable.length === 0) continue;
    for (const edge of listImports(file)) {
      for (const rule of applicable) {
        if (!rule.forbids(edge.target)) continue;
        const allowance = allowances.find((candidate) => allowanceMatches(candidate, rule.name, edge));
        if (allowance === undefined) violations.push({ rule: rule.name, edge });
        else used.add(allowance);
      }
    }
  }
  return { violations, staleAllowances: allowances.filter((allowance) => !used.has(allowance)) };
}

/** `file:line imports 'specifier' (target): rule` — what a failing test prints. */
export function formatViolation(violation: Violation): string {
  const { edge } = violation;
  const resolved = edge.target === edge.specifier ? '' : ` (${edge.target})`;
  return `${edge.file}:${edge.line} imports '${edge.specifier}'${resolved}: ${violation.rule}`;
}

/** True for test code, which may cross the boundaries (tests build topologies with the DSL, fake Kafka, ...). */
export function isTestCode(path: string): boolean {
  return /\.test(-d|-support)?\.ts$/.test(path) || /(^|\/)__snapshots__\//.test(path) || /(^|\/)fixtures\//.test(path);
}

/**
 * Reads the production TypeScript sources under `roots` of the repository at `repoRoot` (with `which: 'tests'`,
 * the test code there instead).
 */
export function readSources(repoRoot: string, roots: readonly string[], which: 'production' | 'tests' = 'production'): SourceText[] {
  const files: SourceText[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const path = relative(repoRoot, full).split(sep).join('/');
        if (isTestCode(path) === (which === 'tests')) files.push({ path, text: readFileSync(full, 'utf8') });
      }
    }
  };
  for (const root of roots) walk(join(repoRoot, root));
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
