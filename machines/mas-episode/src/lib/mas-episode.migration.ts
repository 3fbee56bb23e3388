/**
 * Applying a migration plan to an episode's snapshot: the machine accepts
 * the `protocol.migrated` event (its guard checks the plan, its reducer
 * carries the context over under the new protocol identity), then the
 * plan's state map moves each leaf of the state value. The service's write
 * path, every replay and the model checker's proof go through this one
 * function, so the state an episode is migrated to is the state its replay
 * reaches and the state the proof checked.
 */
import type { AnyStateMachine, SnapshotFrom, StateValue } from 'xstate';

import { findProtocolVersion } from '@mas/protocol';

import type { masEpisodeMachine } from './mas-episode.machine.js';
import type { MigrationPlan } from './migration-plans.js';

type EpisodeMachineSnapshot = SnapshotFrom<typeof masEpisodeMachine>;

/** The leaf paths of a state value (`open.treatment.active.firstLine`, …). */
export function leafPaths(value: StateValue, prefix = ''): string[] {
  if (typeof value === 'string') {
    return [prefix === '' ? value : `${prefix}.${value}`];
  }
  return Object.entries(value).flatMap(([key, child]) =>
    child === undefined
      ? []
      : leafPaths(child, prefix === '' ? key : `${prefix}.${key}`),
  );
}

/** The state value made of these leaf paths (the inverse of `leafPaths`). */
export function valueOfLeaves(paths: readonly string[]): StateValue {
  const [first] = paths;
  if (first !== undefined && !first.includes('.')) return first;
  const root: Record<string, unknown> = {};
  for (const path of paths) {
    const parts = path.split('.');
    const leaf = parts.pop() ?? '';
    const parent = parts.pop() ?? '';
    let node = root;
    for (const part of parts) {
      node = (node[part] ??= {}) as Record<string, unknown>;
    }
    node[parent] = leaf;
  }
  return root as StateValue;
}

/** Every leaf state path of a machine (final and atomic states). */
export function machineLeaves(machine: AnyStateMachine): Set<string> {
  const leaves = new Set<string>();
  const walk = (node: AnyStateMachine['root'], path: string) => {
    const children = Object.values(node.states);
    if (node.type === 'history') return;
    if (children.length === 0) {
      leaves.add(path);
      return;
    }
    for (const child of children) {
      walk(child, path === '' ? child.key : `${path}.${child.key}`);
    }
  };
  walk(machine.root, '');
  return leaves;
}

/** Where a plan would move a state value (leaves not listed stay). */
export function mappedValue(
  value: StateValue,
  plan: MigrationPlan,
): StateValue {
  return valueOfLeaves(
    leafPaths(value).map((path) => plan.states[path] ?? path),
  );
}

type StateNode = AnyStateMachine['root'];

/** The node at a dotted path, or undefined. */
function nodeAt(machine: AnyStateMachine, path: string): StateNode | undefined {
  let node: StateNode | undefined = machine.root;
  for (const key of path.split('.')) {
    node = node.states[key];
    if (node === undefined) return undefined;
  }
  return node;
}

/** The path of the region a leaf lies in (its nearest ancestor under a parallel state). */
function regionOf(node: StateNode): string {
  let current: StateNode = node;
  while (current.parent && current.parent.type !== 'parallel') {
    if (current.parent.parent === undefined) break;
    current = current.parent;
  }
  return current.path.join('.');
}

/**
 * What makes a plan's state map unsound before anything is explored: a
 * source or target that is not a leaf of the statechart; a move across
 * regions (two leaves in one region, or none in another); a move within a
 * state with history (its history would bring back the leaf the plan moved
 * away from); a target with eventless transitions on it or above it within
 * its region (a persisted state the machine could leave at once without an
 * event). Empty: none.
 */
export function planProblems(
  machine: AnyStateMachine,
  plan: MigrationPlan,
): string[] {
  const leaves = machineLeaves(machine);
  const problems: string[] = [];
  if (plan.from === plan.to) {
    problems.push(`the plan leads from ${plan.from} to itself`);
  }
  for (const version of [plan.from, plan.to]) {
    if (findProtocolVersion(version) === undefined) {
      problems.push(`${version} is not a protocol version this build knows`);
    }
  }
  const withHistory = (node: StateNode) => {
    for (let n: StateNode | undefined = node.parent; n; n = n.parent) {
      if (Object.values(n.states).some((c) => c.type === 'history')) {
        return n.path.join('.');
      }
    }
    return undefined;
  };
  for (const [source, target] of Object.entries(plan.states)) {
    const from = leaves.has(source) ? nodeAt(machine, source) : undefined;
    const to = leaves.has(target) ? nodeAt(machine, target) : undefined;
    if (!from) problems.push(`${source} is not a state of the statechart`);
    if (!to) problems.push(`${target} is not a state of the statechart`);
    if (!from || !to) continue;
    if (regionOf(from) !== regionOf(to)) {
      problems.push(
        `${source} -> ${target} leaves its region (${regionOf(from)})`,
      );
    }
    const history = withHistory(from) ?? withHistory(to);
    if (history !== undefined) {
      problems.push(
        `${source} -> ${target} moves within ${history}, which has history`,
      );
    }
    const region = regionOf(to);
    for (let n: StateNode | undefined = to; n; n = n.parent) {
      if (n.config.always !== undefined) {
        problems.push(
          `${target} has eventless transitions (${n.path.join('.')}): the machine could leave it without an event`,
        );
        break;
      }
      if (n.path.join('.') === region) break;
    }
  }
  return problems;
}

/**
 * The snapshot after the machine accepted a `protocol.migrated` event, with
 * the plan's state map applied (the same object where the plan maps none of
 * its leaves).
 */
export function applyStateMap(
  machine: AnyStateMachine,
  accepted: EpisodeMachineSnapshot,
  plan: MigrationPlan,
): EpisodeMachineSnapshot {
  const paths = leafPaths(accepted.value);
  if (!paths.some((path) => plan.states[path] !== undefined)) return accepted;
  return machine.resolveState({
    value: mappedValue(accepted.value, plan),
    context: accepted.context,
    historyValue: accepted.historyValue,
  }) as EpisodeMachineSnapshot;
}
