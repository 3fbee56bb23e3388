/**
 * A bounded explicit-state model checker for the care-episode machine.
 *
 * Breadth-first over an abstract state key (state value plus the flags the
 * properties and guards read, with times bucketed), from one or more initial
 * inputs, over a finite alphabet of events. Each property is checked on every
 * state, every transition, or on the explored graph. Breadth-first search
 * makes every counterexample a shortest one. If the state limit is hit, no
 * property is said to hold: the run is inconclusive.
 */
import { type AnyStateMachine, initialTransition, transition } from 'xstate';

import type { EpisodeEvent } from '@mas/contracts';

import type { EpisodeSnapshot } from '../lib/mas-episode.explain.js';
import type { EpisodeInput } from '../lib/mas-episode.types.js';

export type StateProperty = {
  readonly kind: 'state';
  /** Holds in this (reached) state. */
  readonly holds: (snapshot: EpisodeSnapshot) => boolean;
};

export type TransitionProperty = {
  readonly kind: 'transition';
  /** Holds for this taken transition. */
  readonly holds: (
    before: EpisodeSnapshot,
    event: EpisodeEvent,
    after: EpisodeSnapshot,
  ) => boolean;
};

export type GraphProperty = {
  readonly kind: 'graph';
  /** Returns the keys of the states where the property fails. */
  readonly failing: (graph: ExploredGraph) => readonly string[];
};

export type Property = {
  readonly id: string;
  readonly name: string;
  /** Seed statements or evidence entries the property protects. */
  readonly protects: readonly string[];
} & (StateProperty | TransitionProperty | GraphProperty);

/** What the graph properties need of a state (snapshots are not kept). */
export interface NodeSummary {
  readonly final: boolean;
  readonly treatment: string | undefined;
  readonly relapses: number;
}

export interface ExploredNode {
  readonly key: string;
  readonly summary: NodeSummary;
  /** Shortest path from a root: parent key and the event taken. */
  readonly parent: {
    readonly key: string;
    readonly events: readonly EpisodeEvent[];
  } | null;
  readonly successors: string[];
}

export interface ExploredGraph {
  readonly nodes: ReadonlyMap<string, ExploredNode>;
}

function treatmentOf(snapshot: EpisodeSnapshot): string | undefined {
  const value = snapshot.value as { open?: { treatment?: unknown } } | string;
  if (typeof value === 'string') return undefined;
  const treatment = value.open?.treatment;
  return typeof treatment === 'string' ? treatment : 'active';
}

function summarize(snapshot: EpisodeSnapshot): NodeSummary {
  return {
    final: snapshot.status === 'done',
    treatment: treatmentOf(snapshot),
    relapses: snapshot.context.relapses,
  };
}

export interface PropertyResult {
  readonly id: string;
  readonly name: string;
  readonly protects: readonly string[];
  readonly status: 'holds' | 'fails' | 'inconclusive';
  /** Shortest sequence of events to a failure, from the root input. */
  readonly counterexample?: {
    readonly root: number;
    readonly events: readonly EpisodeEvent[];
  };
}

export interface VerificationResult {
  readonly states: number;
  readonly transitions: number;
  readonly complete: boolean;
  readonly limit: number;
  readonly results: readonly PropertyResult[];
}

export interface VerifyOptions {
  readonly machine: AnyStateMachine;
  readonly roots: readonly EpisodeInput[];
  /**
   * The letters to try in a state (times derived from the state's clock). A
   * letter is one event, or a few sent in a row as one step (their
   * intermediate states are not kept as states).
   */
  readonly alphabet: (
    snapshot: EpisodeSnapshot,
  ) => readonly (EpisodeEvent | readonly EpisodeEvent[])[];
  readonly key: (snapshot: EpisodeSnapshot) => string;
  readonly properties: readonly Property[];
  /** Maximum number of abstract states; reaching it makes the run inconclusive. */
  readonly limit: number;
}

function pathTo(
  nodes: ReadonlyMap<string, ExploredNode>,
  key: string,
): EpisodeEvent[] {
  const events: EpisodeEvent[] = [];
  let node = nodes.get(key);
  while (node?.parent) {
    events.unshift(...node.parent.events);
    node = nodes.get(node.parent.key);
  }
  return events;
}

function rootOf(nodes: ReadonlyMap<string, ExploredNode>, key: string): string {
  let node = nodes.get(key);
  while (node?.parent) node = nodes.get(node.parent.key);
  return node?.key ?? key;
}

export function verify(options: VerifyOptions): VerificationResult {
  const { machine, properties, limit } = options;
  const nodes = new Map<string, ExploredNode>();
  /** Snapshots of states not yet expanded (dropped once expanded). */
  const frontier = new Map<string, EpisodeSnapshot>();
  const rootKeys: string[] = [];
  const queue: string[] = [];
  const failures = new Map<
    string,
    { key: string; events?: readonly EpisodeEvent[] }
  >();
  let transitions = 0;
  let complete = true;

  const record = (
    propertyId: string,
    key: string,
    events?: readonly EpisodeEvent[],
  ) => {
    if (!failures.has(propertyId)) {
      failures.set(propertyId, { key, ...(events ? { events } : {}) });
    }
  };
  const checkState = (key: string, snapshot: EpisodeSnapshot) => {
    for (const property of properties) {
      if (property.kind === 'state' && !property.holds(snapshot)) {
        record(property.id, key);
      }
    }
  };

  for (const input of options.roots) {
    const [snapshot] = initialTransition(machine, input) as [
      EpisodeSnapshot,
      unknown,
    ];
    const key = options.key(snapshot);
    rootKeys.push(key);
    if (!nodes.has(key)) {
      nodes.set(key, {
        key,
        summary: summarize(snapshot),
        parent: null,
        successors: [],
      });
      frontier.set(key, snapshot);
      queue.push(key);
      checkState(key, snapshot);
    }
  }

  for (let head = 0; head < queue.length; head += 1) {
    const key = queue[head];
    if (key === undefined) break;
    const node = nodes.get(key);
    const snapshot = frontier.get(key);
    frontier.delete(key);
    if (!node || !snapshot || node.summary.final) continue;
    for (const letter of options.alphabet(snapshot)) {
      const events: readonly EpisodeEvent[] = Array.isArray(letter)
        ? letter
        : [letter as EpisodeEvent];
      let current: EpisodeSnapshot = snapshot;
      let taken = true;
      for (const [index, event] of events.entries()) {
        if (!current.can(event)) {
          taken = false;
          break;
        }
        const [next] = transition(machine, current, event) as [
          EpisodeSnapshot,
          unknown,
        ];
        transitions += 1;
        for (const property of properties) {
          if (
            property.kind === 'transition' &&
            !property.holds(current, event, next)
          ) {
            record(property.id, key, events.slice(0, index + 1));
          }
        }
        current = next;
      }
      if (!taken || current === snapshot) continue;
      const next = current;
      const nextKey = options.key(next);
      if (!node.successors.includes(nextKey)) node.successors.push(nextKey);
      if (!nodes.has(nextKey)) {
        if (nodes.size >= limit) {
          complete = false;
          continue;
        }
        nodes.set(nextKey, {
          key: nextKey,
          summary: summarize(next),
          parent: { key, events },
          successors: [],
        });
        frontier.set(nextKey, next);
        queue.push(nextKey);
        checkState(nextKey, next);
      }
    }
  }

  const graph: ExploredGraph = { nodes };
  if (complete) {
    for (const property of properties) {
      if (property.kind === 'graph') {
        const [first] = property.failing(graph);
        if (first !== undefined) record(property.id, first);
      }
    }
  }

  const results = properties.map((property): PropertyResult => {
    const failure = failures.get(property.id);
    const base = {
      id: property.id,
      name: property.name,
      protects: property.protects,
    };
    if (failure) {
      const events = pathTo(nodes, failure.key);
      return {
        ...base,
        status: 'fails',
        counterexample: {
          root: rootKeys.indexOf(rootOf(nodes, failure.key)),
          events: failure.events ? [...events, ...failure.events] : events,
        },
      };
    }
    return { ...base, status: complete ? 'holds' : 'inconclusive' };
  });
  return { states: nodes.size, transitions, complete, limit, results };
}

/** Keys of states from which no state satisfying `target` is reachable. */
export function cannotReach(
  graph: ExploredGraph,
  target: (node: ExploredNode) => boolean,
  from: (node: ExploredNode) => boolean,
): string[] {
  const predecessors = new Map<string, string[]>();
  for (const node of graph.nodes.values()) {
    for (const successor of node.successors) {
      const list = predecessors.get(successor) ?? [];
      list.push(node.key);
      predecessors.set(successor, list);
    }
  }
  const reaching = new Set<string>();
  const queue: string[] = [];
  for (const node of graph.nodes.values()) {
    if (target(node)) {
      reaching.add(node.key);
      queue.push(node.key);
    }
  }
  for (let head = 0; head < queue.length; head += 1) {
    const key = queue[head];
    if (key === undefined) break;
    for (const predecessor of predecessors.get(key) ?? []) {
      if (!reaching.has(predecessor)) {
        reaching.add(predecessor);
        queue.push(predecessor);
      }
    }
  }
  return [...graph.nodes.values()]
    .filter((node) => from(node) && !reaching.has(node.key))
    .map((node) => node.key);
}
