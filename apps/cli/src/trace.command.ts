/**
 * The seed-to-test trace: for each of the seed's 30 statements, the machine
 * elements that implement it and the tests that exercise it, found from the
 * code and the test names (never typed by hand in a table).
 *
 * - Elements: evidence ids named in the statechart's state `meta`, in the
 *   guards (`checkEvent` cases and check functions), in the alerts, in the
 *   explainer's stage rules, in the safety properties, in the protocol data
 *   and in the clinical library's functions.
 * - Tests: every `it`/`test` (and `it.each`/`test.each`) whose OWN title names
 *   the statement's id, by convention as a tag: "... [seed.initial.1]". A link
 *   is counted per test, never inherited: an id in an enclosing `describe`
 *   title does not count for the tests inside it (a describe names a scenario,
 *   not what each of its tests proves). Such links are shown as "inherited",
 *   and a statement that has only those is untested.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

import ts from 'typescript';
import type { AnyStateNode } from 'xstate';

import { machineInventory, masEpisodeMachine } from '@mas/mas-episode';
import { episodeProperties } from '@mas/mas-episode/verify';
import { seedStatements } from '@mas/protocol';

export interface TraceEntry {
  readonly id: string;
  readonly section: string;
  readonly text: string;
  readonly elements: readonly string[];
  /** Tests whose own title names the statement: the links that count. */
  readonly tests: readonly string[];
  /**
   * Tests that name the statement only through an enclosing `describe`
   * title: shown, never counted.
   */
  readonly inherited: readonly string[];
  /** Why no machine element implements the statement, where none does. */
  readonly why?: string;
  /** Why the statement has no test of its own, where it is a known gap. */
  readonly untested?: string;
}

/**
 * Statements with no machine element, and why. Checked: a statement listed
 * here that gains an element is an error, so the reason cannot go stale.
 */
export const noMachineElement: Readonly<Record<string, string>> = {
  'seed.emerging.2':
    'investigational only: no anti-IL-18 agent is approved, so the protocol offers none; the statement is shown in the evidence catalog',
};

/**
 * Statements with a machine element but no test of their own, and why. Checked
 * the same way: a statement listed here that gains a test is an error.
 */
export const knownUntested: Readonly<Record<string, string>> = {};

const ID = /\b(?:seed|lit|review|software)\.[a-z0-9-]+(?:\.\d+)?\b/g;

function walkFiles(dir: string, accept: (path: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name.startsWith('.')) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walkFiles(path, accept);
    return accept(path) ? [path] : [];
  });
}

function parse(path: string): ts.SourceFile {
  return ts.createSourceFile(
    path,
    readFileSync(path, 'utf8'),
    ts.ScriptTarget.ES2022,
    true,
  );
}

function literalText(node: ts.Node | undefined): string | undefined {
  if (!node) return undefined;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
    return node.text;
  }
  if (ts.isTemplateExpression(node)) return node.getText();
  return undefined;
}

type Elements = Map<string, Set<string>>;

function add(elements: Elements, id: string, element: string): void {
  const set = elements.get(id) ?? new Set<string>();
  set.add(element);
  elements.set(id, set);
}

/** The element that a string literal in source code belongs to. */
function owner(node: ts.Node, file: string): string | undefined {
  let current: ts.Node = node;
  while (!ts.isSourceFile(current)) {
    current = current.parent;
    if (ts.isCaseClause(current)) {
      const label = literalText(current.expression);
      if (label) return `guard:${label}`;
    }
    if (ts.isCallExpression(current)) {
      const callee = current.expression.getText();
      const first = literalText(current.arguments[0]);
      if (callee === 'add' && first) return `alert:${first}`;
    }
    if (ts.isPropertyAssignment(current) && file.endsWith('explain.ts')) {
      const name = current.name.getText().replace(/['"]/g, '');
      if (/^[a-z-]+\.[a-z-]+$/.test(name)) return `transition:${name}`;
    }
    const prefix = file.includes('/machines/') ? 'guard' : 'lib';
    if (ts.isFunctionDeclaration(current) && current.name) {
      return `${prefix}:${current.name.text}`;
    }
    if (
      ts.isVariableDeclaration(current) &&
      ts.isIdentifier(current.name) &&
      ts.isSourceFile(current.parent.parent.parent)
    ) {
      return `${prefix}:${current.name.text}`;
    }
  }
  return undefined;
}

function scanSource(root: string, elements: Elements): void {
  const sources = [
    ...walkFiles(join(root, 'machines/mas-episode/src/lib'), (p) =>
      /(checks|alerts|explain)\.ts$/.test(p),
    ),
    ...walkFiles(
      join(root, 'libs/protocol/src/lib'),
      (p) => /\.ts$/.test(p) && !/\.(spec|constant|types)\.ts$/.test(p),
    ),
  ];
  for (const file of sources) {
    const source = parse(file);
    const visit = (node: ts.Node): void => {
      const text = literalText(node);
      if (text !== undefined && !ts.isTemplateExpression(node)) {
        for (const id of text.match(ID) ?? []) {
          const element = owner(node, file);
          if (element) add(elements, id, element);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
}

/** Evidence ids in the protocol data, by property path. */
function scanProtocol(root: string, elements: Elements): void {
  const file = join(
    root,
    'libs/protocol/src/lib/protocol/mas-protocol.constant.ts',
  );
  const source = parse(file);
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node)) {
      names.push(node.name.getText().replace(/['"]/g, ''));
      ts.forEachChild(node, visit);
      names.pop();
      return;
    }
    const text = literalText(node);
    if (text !== undefined && names.length > 0) {
      for (const id of text.match(ID) ?? []) {
        const path = names
          .filter((name) => !/evidence$/i.test(name))
          .slice(0, 2)
          .join('.');
        if (path) add(elements, id, `protocol:${path}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

function scanMachine(elements: Elements): void {
  const visit = (node: AnyStateNode): void => {
    const evidence = (node.meta as { evidence?: readonly string[] } | undefined)
      ?.evidence;
    for (const id of evidence ?? []) add(elements, id, `state:${node.id}`);
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(masEpisodeMachine.root);
}

function scanProperties(elements: Elements): void {
  for (const property of episodeProperties) {
    for (const id of property.protects)
      add(elements, id, `property:${property.id}`);
  }
}

/** One test and the evidence ids it names: its own, and its describes'. */
export interface TestLink {
  /** File and full title: "path › describe › test". */
  readonly name: string;
  /** Ids named in the test's own title: these count. */
  readonly own: readonly string[];
  /** Ids named only in enclosing `describe` titles: these do not. */
  readonly inherited: readonly string[];
}

const MODIFIERS = new Set([
  'only',
  'skip',
  'concurrent',
  'serial',
  'parallel',
  'fixme',
  'failing',
  'todo',
]);

/**
 * Whether a call is a describe or a test, and its title: `describe(...)`,
 * `it.only(...)`, `test.describe(...)`, `it.each(table)(...)`, ...
 */
function testCall(
  node: ts.CallExpression,
): { kind: 'describe' | 'test'; title: string } | undefined {
  let callee: ts.Node = node.expression;
  let each = false;
  if (ts.isCallExpression(callee) || ts.isTaggedTemplateExpression(callee)) {
    const inner = ts.isCallExpression(callee) ? callee.expression : callee.tag;
    if (!inner.getText().endsWith('.each')) return undefined;
    callee = inner;
    each = true;
  }
  const parts = callee.getText().split('.');
  if (each) parts.pop();
  while (parts.length > 1 && MODIFIERS.has(parts[parts.length - 1] ?? '')) {
    parts.pop();
  }
  const name = parts.join('.');
  const kind =
    name === 'describe' || name === 'test.describe'
      ? 'describe'
      : name === 'it' || name === 'test'
        ? 'test'
        : undefined;
  const title = literalText(node.arguments[0]);
  return kind && title !== undefined ? { kind, title } : undefined;
}

const idsIn = (text: string): string[] => [...new Set(text.match(ID) ?? [])];

/** The tests of one spec file and the ids each names. */
export function testLinksOf(file: string, text: string): TestLink[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const links: TestLink[] = [];
  const visit = (node: ts.Node, titles: readonly string[]): void => {
    const call = ts.isCallExpression(node) ? testCall(node) : undefined;
    if (ts.isCallExpression(node) && call) {
      const chain = [...titles, call.title];
      if (call.kind === 'test') {
        const own = idsIn(call.title);
        links.push({
          name: `${file} › ${chain.join(' › ')}`,
          own,
          inherited: idsIn(titles.join(' ')).filter((id) => !own.includes(id)),
        });
      }
      node.arguments.forEach((argument) => {
        visit(argument, chain);
      });
      return;
    }
    ts.forEachChild(node, (child) => {
      visit(child, titles);
    });
  };
  visit(source, []);
  return links;
}

/** Every test of the workspace's spec files, with the ids each names. */
export function scanTests(root: string): TestLink[] {
  const specs = ['apps', 'libs', 'machines', 'test']
    .filter((dir) => existsSync(join(root, dir)))
    .flatMap((dir) =>
      walkFiles(join(root, dir), (p) => /[.-]spec\.tsx?$/.test(p)),
    );
  return specs.flatMap((file) =>
    testLinksOf(relative(root, file), readFileSync(file, 'utf8')),
  );
}

/** The trace of all 30 statements. */
export function buildTrace(root: string): TraceEntry[] {
  const elements: Elements = new Map();
  scanMachine(elements);
  scanSource(root, elements);
  scanProtocol(root, elements);
  scanProperties(elements);
  const links = scanTests(root);
  const named = (id: string, by: 'own' | 'inherited'): string[] =>
    links
      .filter((link) => link[by].includes(id))
      .map((link) => link.name)
      .sort();
  return seedStatements.map((statement) => {
    const found = [...(elements.get(statement.id) ?? [])].sort();
    const why = noMachineElement[statement.id];
    const untested = knownUntested[statement.id];
    return {
      id: statement.id,
      section: statement.section,
      text: statement.text,
      elements: found,
      tests: named(statement.id, 'own'),
      inherited: named(statement.id, 'inherited'),
      ...(why === undefined ? {} : { why }),
      ...(untested === undefined ? {} : { untested }),
    };
  });
}

/**
 * What `trace --check` fails on: a statement without a test of its own (unless
 * listed in `knownUntested`), without a machine element (unless listed in
 * `noMachineElement`), or a listed reason that has gone stale.
 */
export function traceProblems(entries: readonly TraceEntry[]): string[] {
  return entries.flatMap((entry) => {
    const problems: string[] = [];
    if (entry.tests.length === 0 && entry.untested === undefined) {
      problems.push(
        `${entry.id}: no test names it in its own title${entry.inherited.length > 0 ? ` (inherited only: ${entry.inherited.length} from describe titles)` : ''}`,
      );
    }
    if (entry.tests.length > 0 && entry.untested !== undefined) {
      problems.push(
        `${entry.id}: listed as untested but has ${entry.tests.length} test(s): remove it from knownUntested`,
      );
    }
    if (entry.elements.length === 0 && entry.why === undefined) {
      problems.push(`${entry.id}: no machine element`);
    }
    if (entry.elements.length > 0 && entry.why !== undefined) {
      problems.push(
        `${entry.id}: listed as without a machine element but has ${entry.elements.length}: remove it from noMachineElement`,
      );
    }
    return problems;
  });
}

export interface MachineCoverage {
  readonly states: {
    readonly visited: number;
    readonly total: number;
    readonly unvisited: readonly string[];
  };
  readonly transitions: {
    readonly visited: number;
    readonly total: number;
    readonly unvisited: readonly string[];
  };
}

/** The trace as a readable table, with the coverage line. */
export function formatTrace(
  entries: readonly TraceEntry[],
  coverage: MachineCoverage | undefined,
): string {
  const lines = [
    'Seed statement trace (decision support, not a medical device)',
    '',
  ];
  for (const entry of entries) {
    const status =
      entry.tests.length > 0
        ? ''
        : ` UNTESTED${entry.inherited.length > 0 ? ' (inherited only: named by describe titles, not by a test of its own)' : ''}${entry.untested === undefined ? '' : `: ${entry.untested}`}`;
    lines.push(
      `${entry.id.padEnd(20)} ${entry.section}`,
      `  "${entry.text}"`,
      `  elements (${entry.elements.length}): ${entry.elements.length > 0 ? entry.elements.join(', ') : `none: ${entry.why ?? 'MISSING'}`}`,
      `  tests (${entry.tests.length}):${status}`,
      ...entry.tests.map((test) => `    - ${test}`),
      ...(entry.inherited.length > 0
        ? [
            `  inherited from describe titles, not counted (${entry.inherited.length}):`,
            ...entry.inherited.map((test) => `    - ${test}`),
          ]
        : []),
      '',
    );
  }
  const tested = entries.filter((e) => e.tests.length > 0).length;
  const inheritedOnly = entries.filter(
    (e) => e.tests.length === 0 && e.inherited.length > 0,
  ).length;
  const links = entries.reduce((sum, e) => sum + e.tests.length, 0);
  const inheritedLinks = entries.reduce(
    (sum, e) => sum + e.inherited.length,
    0,
  );
  const withElements = entries.filter((e) => e.elements.length > 0).length;
  lines.push(
    `${entries.length} statements: ${tested}/${entries.length} tested by a test of their own, ${entries.length - tested} untested (${inheritedOnly} inherited only); ${links} links (${inheritedLinks} inherited, not counted); ${withElements} with machine elements, ${entries.length - withElements} explained without one.`,
  );
  lines.push(
    coverage
      ? `Coverage by the scenario specs: ${coverage.states.visited}/${coverage.states.total} states, ${coverage.transitions.visited}/${coverage.transitions.total} transitions.`
      : 'Coverage by the scenario specs: no data (run npm test first; it writes reports/machine-coverage).',
  );
  return `${lines.join('\n')}\n`;
}

/** The coverage the scenario specs recorded in their last run, if any. */
export function readCoverage(root: string): MachineCoverage | undefined {
  const dir = join(root, 'reports/machine-coverage');
  if (!existsSync(dir)) return undefined;
  const states = new Set<string>();
  const transitions = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const recorded = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      states: string[];
      transitions: string[];
    };
    recorded.states.forEach((s) => states.add(s));
    recorded.transitions.forEach((t) => transitions.add(t));
  }
  const inventory = machineInventory();
  const unvisitedStates = inventory.states.filter((s) => !states.has(s));
  const unvisitedTransitions = inventory.transitions.filter(
    (t) => !transitions.has(t),
  );
  return {
    states: {
      visited: inventory.states.length - unvisitedStates.length,
      total: inventory.states.length,
      unvisited: unvisitedStates,
    },
    transitions: {
      visited: inventory.transitions.length - unvisitedTransitions.length,
      total: inventory.transitions.length,
      unvisited: unvisitedTransitions,
    },
  };
}
