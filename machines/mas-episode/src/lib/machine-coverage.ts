/**
 * What the machine has (states, event transitions) and what a step visits:
 * the scenario specs record their visits, and the trace reports coverage.
 */
import type { AnyStateNode, StateValue } from 'xstate';

import type { EpisodeSnapshot } from './mas-episode.explain.js';
import { masEpisodeMachine } from './mas-episode.machine.js';

function allNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap(allNodes)];
}

const nodes = allNodes(masEpisodeMachine.root).filter(
  (node) => node.type !== 'history',
);

/** Every state and every (state, event) transition of the machine. */
export function machineInventory(): {
  states: string[];
  transitions: string[];
} {
  return {
    states: nodes.map((node) => node.id),
    transitions: nodes.flatMap((node) =>
      [...node.transitions.keys()].map((type) => `${node.id} --${type}-->`),
    ),
  };
}

/** The ids of the active state nodes of a state value. */
export function activeStateIds(
  value: StateValue,
  prefix = masEpisodeMachine.root.id,
): string[] {
  if (typeof value === 'string') return [prefix, `${prefix}.${value}`];
  return [
    prefix,
    ...Object.entries(value).flatMap(([key, child]) =>
      child === undefined
        ? [`${prefix}.${key}`]
        : activeStateIds(child, `${prefix}.${key}`),
    ),
  ];
}

/**
 * The transitions a taken event used: for each active atomic state, the
 * nearest state (itself or an ancestor) that handles the event.
 */
export function transitionsTaken(
  before: EpisodeSnapshot,
  eventType: string,
): string[] {
  const active = new Set(activeStateIds(before.value));
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const atomic = [...active].filter(
    (id) => ![...active].some((other) => other.startsWith(`${id}.`)),
  );
  const taken = new Set<string>();
  for (const id of atomic) {
    let node = byId.get(id);
    while (node) {
      if (node.transitions.has(eventType)) {
        taken.add(`${node.id} --${eventType}-->`);
        break;
      }
      node = node.parent;
    }
  }
  return [...taken];
}
