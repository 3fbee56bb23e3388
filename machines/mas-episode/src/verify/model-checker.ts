/**
 * A bounded explicit-state model checker for the care-episode machine.
 *
 * Breadth-first over an abstract state key (the state value, the declared
 * observations of the context and the facts of the record, see
 * episode-abstraction.ts), from one or more initial inputs, over a finite
 * alphabet of events. Breadth-first search makes every counterexample a
 * shortest one. If the state limit is hit, no property is said to hold: the
 * run is inconclusive.
 *
 * Honest figures:
 * - every property is a rule with a premise (`applies`) and a conclusion
 *   (`holds`); the checker counts the states or transitions it evaluated the
 *   rule on and those where the premise held. A rule whose premise never held
 *   could not have failed: it is reported vacuous, never "holds".
 * - soundness of the key: where a concrete state reaches a key already
 *   explored by a state that is not the same up to a shift of time, the
 *   checker (for one in every `soundnessEvery` colliding states) checks the
 *   state properties on it too, expands it one step and compares where each
 *   letter leads; a difference means the key merged states that part ways, and is
 *   reported as a failure of the abstraction with both paths.
 */
import { type AnyStateMachine, initialTransition } from 'xstate';

import type { EpisodeEvent } from '@mas/contracts';
import type { InstitutionProfile } from '@mas/protocol';

import type { EpisodeSnapshot } from '../lib/mas-episode.explain.js';
import { inertScopeFor } from '../lib/mas-episode.persistence.js';
import type {
  EpisodeContext,
  EpisodeInput,
  EpisodeTag,
} from '../lib/mas-episode.types.js';
import {
  abstractKey,
  concreteFingerprint,
  observe,
  type Observed,
} from './episode-abstraction.js';
import {
  initialFacts,
  nextFacts,
  type ProtocolFacts,
} from './protocol-facts.js';

/**
 * What a property may read of a state: the declared observations, the facts
 * of the record, the state's tags and whether the machine accepts an event.
 * Never the context: what a property reads is in the key.
 */
export interface CheckedState {
  readonly final: boolean;
  /** The state value (which states of the statechart are active). */
  readonly value: EpisodeSnapshot['value'];
  /** The state's abstract key (what the checker tells states apart by). */
  readonly key: string;
  readonly observed: Observed;
  readonly facts: ProtocolFacts;
  hasTag(tag: EpisodeTag): boolean;
  /** Would the machine accept this event now (guards included)? */
  can(event: EpisodeEvent): boolean;
  /** The episode's clock, to date probe events (never compared). */
  readonly now: string;
  /**
   * The state's patient (its weight and height are in the key: a new
   * measure changes them) and the root's profile (constant per root): what
   * a probe needs to write a complete record, e.g. a standard prescription.
   */
  readonly root: {
    readonly patient: EpisodeContext['patient'];
    readonly profile: InstitutionProfile;
  };
}

export type StateProperty = {
  readonly kind: 'state';
  /** The premise: the rule says something about this state. */
  readonly applies: (state: CheckedState) => boolean;
  readonly holds: (state: CheckedState) => boolean;
};

export type TransitionProperty = {
  readonly kind: 'transition';
  /** The premise: the rule says something about this taken transition. */
  readonly applies: (
    before: CheckedState,
    event: EpisodeEvent,
    after: CheckedState,
  ) => boolean;
  readonly holds: (
    before: CheckedState,
    event: EpisodeEvent,
    after: CheckedState,
  ) => boolean;
};

export type GraphProperty = {
  readonly kind: 'graph';
  /** The nodes the rule is about. */
  readonly applies: (node: ExploredNode) => boolean;
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
  /** The final state's name, or null while open. */
  readonly outcome: string | null;
  readonly treatment: string | undefined;
  readonly relapsed: boolean;
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
  const final = snapshot.status === 'done';
  return {
    final,
    outcome:
      final && typeof snapshot.value === 'string' ? snapshot.value : null,
    treatment: treatmentOf(snapshot),
    relapsed: snapshot.context.relapses > 0,
  };
}

export type Verdict = 'holds' | 'fails' | 'vacuous' | 'inconclusive';

export interface PropertyResult {
  readonly id: string;
  readonly name: string;
  readonly protects: readonly string[];
  readonly status: Verdict;
  /** States (or transitions, or graph nodes) the rule was evaluated on. */
  readonly evaluated: number;
  /** Of those, where its premise held: where it could have failed. */
  readonly applicable: number;
  /** Shortest sequence of events to a failure, from the root input. */
  readonly counterexample?: {
    readonly root: number;
    readonly events: readonly EpisodeEvent[];
  };
}

export interface SoundnessReport {
  /** Colliding states compared one step ahead with their key's first state. */
  readonly compared: number;
  readonly diverged: number;
  /** The first divergence: two paths to one key that part on `letter`. */
  readonly example?: {
    readonly first: { root: number; events: readonly EpisodeEvent[] };
    readonly second: { root: number; events: readonly EpisodeEvent[] };
    readonly letter: number;
  };
}

export interface VerificationResult {
  readonly states: number;
  readonly transitions: number;
  readonly complete: boolean;
  readonly limit: number;
  readonly results: readonly PropertyResult[];
  readonly soundness: SoundnessReport;
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
  readonly properties: readonly Property[];
  /** Maximum number of abstract states; reaching it makes the run inconclusive. */
  readonly limit: number;
  /** The state key (default: `abstractKey`, the declared observations). */
  readonly key?: (
    snapshot: EpisodeSnapshot,
    facts: ProtocolFacts,
    observed: Observed,
  ) => string;
  /**
   * What is observed of a context (default: `observe` with both clock
   * steps); a slice passes the steps its own ticks take.
   */
  readonly observe?: (context: EpisodeContext) => Observed;
  /** Check the graph properties (default true). */
  readonly graph?: boolean;
  /** Stop at the first failure of any of these properties (mutant runs). */
  readonly stopOnFailureOf?: readonly string[];
  /**
   * One in every this many colliding states is compared one step ahead
   * with the first state of its key, where the two differ. Default 1: every
   * one; 0: none.
   */
  readonly soundnessEvery?: number;
  /**
   * What follows an accepted event besides the machine's step (a migration
   * plan's state map); default: nothing.
   */
  readonly afterStep?: AfterStep;
  /** Called with each newly explored state and its key (roots included). */
  readonly visit?: (snapshot: EpisodeSnapshot, key: string) => void;
}

export type AfterStep = (
  event: EpisodeEvent,
  accepted: EpisodeSnapshot,
) => EpisodeSnapshot;

interface Concrete {
  readonly snapshot: EpisodeSnapshot;
  readonly facts: ProtocolFacts;
  readonly observed: Observed;
  readonly key: string;
}

/**
 * The machine's next snapshot, without the actor xstate's `transition()`
 * builds for every call (one inert scope per machine; effects are not the
 * checker's).
 */
function stepMachine(
  machine: AnyStateMachine,
  snapshot: EpisodeSnapshot,
  event: EpisodeEvent,
): EpisodeSnapshot {
  return machine.transition(
    snapshot as never,
    event,
    inertScopeFor(machine) as never,
  ) as EpisodeSnapshot;
}

function checked(concrete: Concrete): CheckedState {
  const { snapshot } = concrete;
  return {
    final: snapshot.status === 'done',
    value: snapshot.value,
    key: concrete.key,
    observed: concrete.observed,
    facts: concrete.facts,
    now: snapshot.context.now,
    root: {
      patient: snapshot.context.patient,
      profile: {
        data: snapshot.context.profileData,
        hash: snapshot.context.profile.hash,
      },
    },
    hasTag: (tag) => snapshot.hasTag(tag),
    can: (event) => snapshot.can(event),
  };
}

type KeyOf = (snapshot: EpisodeSnapshot, facts: ProtocolFacts) => Concrete;

/** The concrete state with its observations and key. */
function keyWith(
  key: NonNullable<VerifyOptions['key']>,
  observeContext: NonNullable<VerifyOptions['observe']>,
): KeyOf {
  return (snapshot, facts) => {
    const observed = observeContext(snapshot.context);
    return { snapshot, facts, observed, key: key(snapshot, facts, observed) };
  };
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

/** Sends a letter; null where the machine refuses one of its events. */
function step(
  machine: AnyStateMachine,
  keyOf: KeyOf,
  from: Concrete,
  events: readonly EpisodeEvent[],
  onTransition?: (
    before: Concrete,
    event: EpisodeEvent,
    after: Concrete,
    index: number,
  ) => void,
  afterStep?: AfterStep,
): Concrete | null {
  let current = from;
  for (const [index, event] of events.entries()) {
    // A refused event leaves the snapshot as it was: XState returns the
    // very same object when no transition is enabled, which is what `can`
    // asks (measured equal on every step of every slice), without running
    // the guards a second time.
    const stepped = stepMachine(machine, current.snapshot, event);
    if (stepped === current.snapshot) return null;
    const next = afterStep ? afterStep(event, stepped) : stepped;
    const after = keyOf(
      next,
      nextFacts(current.facts, event, current.snapshot),
    );
    onTransition?.(current, event, after, index);
    current = after;
  }
  return current;
}

const lettersOf = (letter: EpisodeEvent | readonly EpisodeEvent[]) =>
  (Array.isArray(letter) ? letter : [letter]) as readonly EpisodeEvent[];

export function verify(options: VerifyOptions): VerificationResult {
  const { machine, properties, limit } = options;
  const keyOf: KeyOf = keyWith(
    options.key ?? abstractKey,
    options.observe ?? ((context) => observe(context)),
  );
  const nodes = new Map<string, ExploredNode>();
  /** States not yet expanded (dropped once expanded). */
  const frontier = new Map<string, Concrete>();
  /** Per expanded key: its first state's fingerprint and where each letter led. */
  const expanded = new Map<
    string,
    { fingerprint: string; signature: string[] }
  >();
  const rootKeys: string[] = [];
  const queue: string[] = [];
  const failures = new Map<
    string,
    { key: string; events?: readonly EpisodeEvent[] }
  >();
  const evaluated = new Map<string, number>();
  const applicable = new Map<string, number>();
  const stopIds = new Set(options.stopOnFailureOf ?? []);
  const every = options.soundnessEvery ?? 1;
  let collisions = 0;
  let compared = 0;
  let diverged = 0;
  let example: SoundnessReport['example'];
  let transitions = 0;
  let complete = true;
  const run = { stopped: false };

  const count = (map: Map<string, number>, id: string) =>
    map.set(id, (map.get(id) ?? 0) + 1);
  const record = (
    propertyId: string,
    key: string,
    events?: readonly EpisodeEvent[],
  ) => {
    if (!failures.has(propertyId)) {
      failures.set(propertyId, { key, ...(events ? { events } : {}) });
      if (stopIds.has(propertyId)) run.stopped = true;
    }
  };
  /** `key`/`events`: where the state is reached from, for a counterexample. */
  const checkState = (
    concrete: Concrete,
    key: string,
    events?: readonly EpisodeEvent[],
  ) => {
    const state = checked(concrete);
    for (const property of properties) {
      if (property.kind !== 'state') continue;
      count(evaluated, property.id);
      if (!property.applies(state)) continue;
      count(applicable, property.id);
      if (!property.holds(state)) record(property.id, key, events);
    }
  };
  const checkTransition = (
    before: Concrete,
    event: EpisodeEvent,
    after: Concrete,
    key: string,
    events: readonly EpisodeEvent[],
  ) => {
    const from = checked(before);
    const to = checked(after);
    for (const property of properties) {
      if (property.kind !== 'transition') continue;
      count(evaluated, property.id);
      if (!property.applies(from, event, to)) continue;
      count(applicable, property.id);
      if (!property.holds(from, event, to)) record(property.id, key, events);
    }
  };
  /** Where each letter leads from a state: successor keys, "-" if refused. */
  const signatureOf = (concrete: Concrete): string[] =>
    options
      .alphabet(concrete.snapshot)
      .map(
        (letter) =>
          step(
            machine,
            keyOf,
            concrete,
            lettersOf(letter),
            undefined,
            options.afterStep,
          )?.key ?? '-',
      );

  for (const input of options.roots) {
    const [snapshot] = initialTransition(machine, input) as [
      EpisodeSnapshot,
      unknown,
    ];
    const concrete = keyOf(snapshot, initialFacts(input));
    rootKeys.push(concrete.key);
    if (!nodes.has(concrete.key)) {
      nodes.set(concrete.key, {
        key: concrete.key,
        summary: summarize(snapshot),
        parent: null,
        successors: [],
      });
      frontier.set(concrete.key, concrete);
      queue.push(concrete.key);
      options.visit?.(snapshot, concrete.key);
      checkState(concrete, concrete.key);
    }
  }

  for (let head = 0; head < queue.length && !run.stopped; head += 1) {
    const key = queue[head];
    if (key === undefined) break;
    const node = nodes.get(key);
    const concrete = frontier.get(key);
    frontier.delete(key);
    if (!node || !concrete || node.summary.final) continue;
    const signature: string[] = [];
    const pending: { concrete: Concrete; events: readonly EpisodeEvent[] }[] =
      [];
    for (const letter of options.alphabet(concrete.snapshot)) {
      const events = lettersOf(letter);
      const next = step(
        machine,
        keyOf,
        concrete,
        events,
        (before, event, after, i) => {
          transitions += 1;
          checkTransition(before, event, after, key, events.slice(0, i + 1));
        },
        options.afterStep,
      );
      if (!next || next.snapshot === concrete.snapshot) {
        if (every > 0) signature.push(next ? key : '-');
        continue;
      }
      // The node's own key string, so that signatures and successor lists
      // share one copy of each key.
      const known = nodes.get(next.key);
      const nextKey = known?.key ?? next.key;
      if (every > 0) signature.push(nextKey);
      if (!node.successors.includes(nextKey)) node.successors.push(nextKey);
      if (!known) {
        if (nodes.size >= limit) {
          complete = false;
          continue;
        }
        nodes.set(nextKey, {
          key: nextKey,
          summary: summarize(next.snapshot),
          parent: { key, events },
          successors: [],
        });
        frontier.set(nextKey, next);
        queue.push(nextKey);
        options.visit?.(next.snapshot, nextKey);
        checkState(next, nextKey);
      } else if (every > 0) {
        collisions += 1;
        if (collisions % every === 0) pending.push({ concrete: next, events });
      }
    }
    if (every > 0) {
      expanded.set(key, {
        fingerprint: concreteFingerprint(concrete.snapshot),
        signature,
      });
    }
    // Soundness: colliding states whose key was already expanded.
    for (const { concrete: other, events } of pending) {
      const first = expanded.get(other.key);
      if (!first) continue;
      if (concreteFingerprint(other.snapshot) === first.fingerprint) continue;
      compared += 1;
      checkState(other, key, events);
      const signatureOther = signatureOf(other);
      const letter = signatureOther.findIndex(
        (s, i) => s !== first.signature[i],
      );
      if (letter >= 0) {
        diverged += 1;
        example ??= {
          first: {
            root: rootKeys.indexOf(rootOf(nodes, other.key)),
            events: pathTo(nodes, other.key),
          },
          second: {
            root: rootKeys.indexOf(rootOf(nodes, key)),
            events: [...pathTo(nodes, key), ...events],
          },
          letter,
        };
      }
    }
  }
  if (run.stopped) complete = false;

  const graph: ExploredGraph = { nodes };
  if (complete && options.graph !== false) {
    for (const property of properties) {
      if (property.kind !== 'graph') continue;
      for (const node of nodes.values()) {
        count(evaluated, property.id);
        if (property.applies(node)) count(applicable, property.id);
      }
      const [first] = property.failing(graph);
      if (first !== undefined) record(property.id, first);
    }
  }

  const results = properties.map((property): PropertyResult => {
    const failure = failures.get(property.id);
    const base = {
      id: property.id,
      name: property.name,
      protects: property.protects,
      evaluated: evaluated.get(property.id) ?? 0,
      applicable: applicable.get(property.id) ?? 0,
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
    if (!complete) return { ...base, status: 'inconclusive' };
    return { ...base, status: base.applicable === 0 ? 'vacuous' : 'holds' };
  });
  return {
    states: nodes.size,
    transitions,
    complete,
    limit,
    results,
    soundness: { compared, diverged, ...(example ? { example } : {}) },
  };
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
