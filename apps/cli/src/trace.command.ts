/**
 * The seed-to-test trace: for each of the seed's 30 statements, the machine
 * elements that implement it and the tests that prove it, found from the code
 * and the test names (never typed by hand in a table).
 *
 * - Elements: evidence ids named in the statechart's state `meta`, in the
 *   guards (`checkEvent` cases and check functions), in the alerts, in the
 *   explainer's stage rules, in the safety properties, in the protocol data
 *   and in the clinical library's functions.
 * - Tests: every `describe`/`it`/`test` title that names the statement's id
 *   (e.g. "[seed.initial.1]"), with its enclosing titles.
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
  readonly tests: readonly string[];
  /** Why no machine element implements the statement, where none does. */
  readonly why?: string;
}

/**
 * Statements with no machine element, and why. Checked: a statement listed
 * here that gains an element is an error, so the reason cannot go stale.
 */
export const noMachineElement: Readonly<Record<string, string>> = {
  'seed.emerging.2':
    'investigational only: no anti-IL-18 agent is approved, so the protocol offers none; the statement is shown in the evidence catalog',
};

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

/** Test titles (with their enclosing titles) naming each evidence id. */
export function scanTests(root: string): Map<string, Set<string>> {
  const tests = new Map<string, Set<string>>();
  const specs = ['apps', 'libs', 'machines', 'test'].flatMap((dir) =>
    walkFiles(join(root, dir), (p) => p.endsWith('.spec.ts')),
  );
  for (const file of specs) {
    const source = parse(file);
    const visit = (node: ts.Node, titles: string[]): void => {
      if (ts.isCallExpression(node)) {
        const callee = node.expression.getText();
        const base = callee.replace(/\.(each|only|skip|concurrent)$/, '');
        const isEach = callee.endsWith('.each');
        const title = isEach ? undefined : literalText(node.arguments[0]);
        if (['describe', 'it', 'test'].includes(base) && title !== undefined) {
          const chain = [...titles, title];
          const name = `${relative(root, file)} › ${chain.join(' › ')}`;
          if (base !== 'describe') {
            for (const id of chain.join(' ').match(ID) ?? []) {
              const set = tests.get(id) ?? new Set<string>();
              set.add(name);
              tests.set(id, set);
            }
          }
          node.arguments.forEach((argument) => {
            visit(argument, chain);
          });
          return;
        }
        if (isEach && ts.isCallExpression(node.parent)) {
          const eachTitle = literalText(node.parent.arguments[0]);
          if (eachTitle !== undefined) {
            const chain = [...titles, eachTitle];
            const name = `${relative(root, file)} › ${chain.join(' › ')}`;
            for (const id of chain.join(' ').match(ID) ?? []) {
              const set = tests.get(id) ?? new Set<string>();
              set.add(name);
              tests.set(id, set);
            }
          }
        }
      }
      ts.forEachChild(node, (child) => {
        visit(child, titles);
      });
    };
    visit(source, []);
  }
  return tests;
}

/** The trace of all 30 statements. */
export function buildTrace(root: string): TraceEntry[] {
  const elements: Elements = new Map();
  scanMachine(elements);
  scanSource(root, elements);
  scanProtocol(root, elements);
  scanProperties(elements);
  const tests = scanTests(root);
  return seedStatements.map((statement) => {
    const found = [...(elements.get(statement.id) ?? [])].sort();
    const why = noMachineElement[statement.id];
    return {
      id: statement.id,
      section: statement.section,
      text: statement.text,
      elements: found,
      tests: [...(tests.get(statement.id) ?? [])].sort(),
      ...(why === undefined ? {} : { why }),
    };
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
    lines.push(
      `${entry.id.padEnd(20)} ${entry.section}`,
      `  "${entry.text}"`,
      `  elements (${entry.elements.length}): ${entry.elements.length > 0 ? entry.elements.join(', ') : `none: ${entry.why ?? 'MISSING'}`}`,
      `  tests (${entry.tests.length}):${entry.tests.length > 0 ? '' : ' MISSING'}`,
      ...entry.tests.map((test) => `    - ${test}`),
      '',
    );
  }
  const withTests = entries.filter((e) => e.tests.length > 0).length;
  const withElements = entries.filter((e) => e.elements.length > 0).length;
  lines.push(
    `${entries.length} statements: ${withTests} with tests, ${withElements} with machine elements, ${entries.length - withElements} explained without one.`,
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
