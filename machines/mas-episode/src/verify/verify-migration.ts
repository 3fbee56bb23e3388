/**
 * The proof of a migration plan (issue 18). Before a plan moves a running
 * episode, the model checker shows, slice by slice of the alphabet:
 *
 * 1. the state map is sound as written (`planProblems`: leaves of the
 *    statechart, within their region, no history, no eventless target);
 * 2. right after the move, from every state the old version reaches, every
 *    safety property of the new version holds (the move is one more letter,
 *    offered in every open state; the properties are evaluated on the
 *    migrated states and on the move itself);
 * 3. every migrated state has the abstract key of a state the new version
 *    reaches by itself (M1): by the abstraction's soundness (checked by the
 *    model checker's own runs) its future is one of that version's futures;
 * 4. every property holds on every state the new version reaches by itself,
 *    so what follows a move is covered too.
 *
 * A plan that fails gets a counterexample: the events from the opening of
 * an episode to the failure, the migration among them. What the proof
 * covers is what the alphabet can do (the slices named in the proof).
 */
import type { EpisodeEvent } from '@mas/contracts';
import type { InstitutionProfile } from '@mas/protocol';

import { checkMigration } from '../lib/mas-episode.checks.js';
import type { EpisodeSnapshot } from '../lib/mas-episode.explain.js';
import { masEpisodeMachine } from '../lib/mas-episode.machine.js';
import { applyStateMap, planProblems } from '../lib/mas-episode.migration.js';
import { inertScopeFor } from '../lib/mas-episode.persistence.js';
import {
  type MigrationPlan,
  migrationPlanHash,
} from '../lib/migration-plans.js';
import { observe } from './episode-abstraction.js';
import {
  episodeRoots,
  type Slice,
  sliceAlphabet,
  sliceClockSteps,
  sliceMeasuresChange,
  slicePanelsReplacePicture,
  slices as allSlices,
} from './episode-alphabet.js';
import { episodeProperties } from './episode-properties.js';
import {
  type CheckedState,
  type Property,
  type PropertyResult,
  verify,
} from './model-checker.js';
import { DEFAULT_STATE_LIMIT } from './verify-episode.js';

/** Who moves the episode in the proof (a senior, as the service requires). */
const migrator = { id: 'dr-migrate', role: 'senior-clinician' } as const;

type Found = {
  readonly slice: string;
  readonly initialStage: string;
  readonly events: readonly EpisodeEvent[];
};

export interface MigrationProof {
  readonly plan: {
    readonly from: string;
    readonly to: string;
    readonly hash: string;
  };
  /**
   * proven: every check held on complete explorations of the slices named;
   * refused: one failed (see problems, violation, unreachable); vacuous: the
   * plan was never accepted, so nothing was shown; inconclusive: a limit
   * was reached.
   */
  readonly verdict: 'proven' | 'refused' | 'vacuous' | 'inconclusive';
  /** The slices of the alphabet explored (the proof covers these only). */
  readonly slices: readonly string[];
  /** States the new version reaches by itself, and states explored with the move. */
  readonly statesNew: number;
  readonly statesMigrating: number;
  /** Distinct abstract states an episode was in right after a move. */
  readonly migrated: number;
  /** What makes the state map unsound as written (`planProblems`). */
  readonly problems: readonly string[];
  /** A migrated state whose key the new version never reaches by itself (M1). */
  readonly unreachable?: Found;
  /** The first safety property that failed, with the events to it. */
  readonly violation?: Found & {
    readonly property: string;
    readonly name: string;
    /** Right after a move, or in the new version's own course. */
    readonly where: 'after the move' | 'new version alone';
  };
  readonly properties: readonly {
    readonly id: string;
    readonly status: string;
    /** Migrated states (and moves) where its premise held. */
    readonly applicableAfterMove: number;
    /** States of the new version alone where its premise held. */
    readonly applicableNew: number;
  }[];
}

/** The event that moves an episode by `plan` at the state's time. */
export function migrationEvent(
  plan: MigrationPlan,
  at: string,
  planHash = migrationPlanHash(plan),
): EpisodeEvent {
  return {
    type: 'protocol.migrated',
    at,
    actor: migrator,
    payload: { fromVersion: plan.from, toVersion: plan.to, planHash },
    rationale: 'migration under proof',
  };
}

/**
 * The machine the proof explores: the deployed one, whose migration guard
 * accepts the plan under proof (and only it), followed by its state map.
 */
function migratingMachine(plan: MigrationPlan) {
  return masEpisodeMachine.provide({
    guards: {
      isMigrationAllowed: ({ context, event }) =>
        event.type === 'protocol.migrated' &&
        checkMigration(context, event, [plan]).ok,
    },
  });
}

/** The property, evaluated only on migrated states (and on the move itself). */
function afterMove(property: Property, to: string): Property {
  const migrated = (state: CheckedState) =>
    state.observed.protocolVersion === to;
  switch (property.kind) {
    case 'state':
      return {
        ...property,
        applies: (state: CheckedState) =>
          migrated(state) && property.applies(state),
      };
    case 'transition':
      return {
        ...property,
        applies: (before, event, after) =>
          migrated(after) && property.applies(before, event, after),
      };
    case 'graph':
      return property;
  }
}

export function checkMigrationPlan(
  plan: MigrationPlan,
  profile: InstitutionProfile,
  options: {
    readonly slices?: readonly Slice[];
    readonly limit?: number;
    readonly properties?: readonly Property[];
  } = {},
): MigrationProof {
  const hash = migrationPlanHash(plan);
  const chosen = options.slices ?? allSlices;
  const base = {
    plan: { from: plan.from, to: plan.to, hash },
    slices: chosen.map((slice) => slice.name),
  };
  const problems = planProblems(masEpisodeMachine, plan);
  const properties = (options.properties ?? episodeProperties).filter(
    (p) => p.kind !== 'graph',
  );
  if (problems.length > 0) {
    return {
      ...base,
      verdict: 'refused',
      statesNew: 0,
      statesMigrating: 0,
      migrated: 0,
      problems,
      properties: [],
    };
  }
  const machine = migratingMachine(plan);
  inertScopeFor(machine);
  const limit = options.limit ?? DEFAULT_STATE_LIMIT;
  const moved = properties.map((p) => afterMove(p, plan.to));
  let statesNew = 0;
  let statesMigrating = 0;
  /** Moves the guard accepted (none: the proof shows nothing). */
  let moves = 0;
  const migratedKeys = new Set<string>();
  let unreachable: Found | undefined;
  let violation: MigrationProof['violation'];
  let complete = true;
  const tally = new Map(
    properties.map((p) => [
      p.id,
      { failed: false, applicableAfterMove: 0, applicableNew: 0 },
    ]),
  );
  const record = (
    results: readonly PropertyResult[],
    slice: string,
    roots: readonly { initialStage: string }[],
    where: 'after the move' | 'new version alone',
  ): boolean => {
    let failed = false;
    for (const outcome of results) {
      const found = tally.get(outcome.id);
      if (!found) continue;
      if (where === 'after the move') {
        found.applicableAfterMove += outcome.applicable;
      } else {
        found.applicableNew += outcome.applicable;
      }
      if (outcome.status !== 'fails') continue;
      found.failed = true;
      failed = true;
      if (!violation && outcome.counterexample) {
        violation = {
          property: outcome.id,
          name: outcome.name,
          slice,
          initialStage: roots[outcome.counterexample.root]?.initialStage ?? '?',
          events: outcome.counterexample.events,
          where,
        };
      }
    }
    return failed;
  };

  for (const slice of chosen) {
    const observeSlice = (context: EpisodeSnapshot['context']) =>
      observe(context, {
        steps: sliceClockSteps(slice, context),
        panelsReplacePicture: slicePanelsReplacePicture(slice),
        measuresChange: sliceMeasuresChange(slice),
      });
    const alphabet = sliceAlphabet(slice);
    const oldRoots = episodeRoots(profile).map((root) => ({
      ...root,
      protocolVersion: plan.from,
    }));
    const keys = new Set<string>();
    /** The old version with the move offered in every open state. */
    const migrating = (extra: readonly Property[]) =>
      verify({
        machine,
        roots: oldRoots,
        // A migrated state is checked, not expanded: its future is the new
        // version's own (M1 and the run of the new version below).
        alphabet: (snapshot) =>
          snapshot.context.protocol.version !== plan.from
            ? []
            : snapshot.status === 'active'
              ? [
                  ...alphabet(snapshot),
                  migrationEvent(plan, snapshot.context.now, hash),
                ]
              : [],
        observe: observeSlice,
        properties: [...extra, ...moved],
        // Each state of the old version has its migrated twin beside it.
        limit: limit * 2,
        graph: false,
        soundnessEvery: 0,
        // One counterexample refuses a plan.
        stopOnFailureOf: [...extra, ...moved].map((p) => p.id),
        afterStep: (event, accepted) => {
          if (event.type !== 'protocol.migrated') return accepted;
          moves += 1;
          return applyStateMap(machine, accepted, plan);
        },
        visit: (snapshot, key) => {
          if (snapshot.context.protocol.version === plan.to) keys.add(key);
        },
      });

    // 1. Every property right after each move.
    const result = migrating([]);
    statesMigrating += result.states;
    for (const key of keys) migratedKeys.add(key);
    if (record(result.results, slice.name, oldRoots, 'after the move')) break;
    complete &&= result.complete;

    // 2. The new version alone: every property on every state it reaches
    // (what follows a move), and the keys it reaches.
    const reachable = new Set<string>();
    const newRoots = episodeRoots(profile).map((root) => ({
      ...root,
      protocolVersion: plan.to,
    }));
    const native = verify({
      machine: masEpisodeMachine,
      roots: newRoots,
      alphabet,
      observe: observeSlice,
      properties,
      limit,
      graph: false,
      soundnessEvery: 0,
      stopOnFailureOf: properties.map((p) => p.id),
      visit: (_snapshot, key) => reachable.add(key),
    });
    statesNew += native.states;
    if (record(native.results, slice.name, newRoots, 'new version alone')) {
      break;
    }
    if (!native.complete) {
      // What the new version reaches is not known whole: no verdict here.
      complete = false;
      continue;
    }

    // 3. M1: each migrated state is, abstractly, one the new version
    // reaches by itself. Where one is not, the old version is explored
    // again with the rule as a property, for the events that lead to it.
    if ([...keys].every((key) => reachable.has(key))) continue;
    const reached: Property = {
      id: 'M1',
      name: `Every migrated state is, abstractly, a state protocol version ${plan.to} reaches by itself`,
      protects: ['software.recording'],
      kind: 'state',
      applies: (state) => state.observed.protocolVersion === plan.to,
      holds: (state) => reachable.has(state.key),
    };
    const m1 = migrating([reached]).results.find((r) => r.id === reached.id);
    unreachable = {
      slice: slice.name,
      initialStage:
        oldRoots[m1?.counterexample?.root ?? -1]?.initialStage ?? '?',
      events: m1?.counterexample?.events ?? [],
    };
    break;
  }
  const refused = violation !== undefined || unreachable !== undefined;
  const verdict = refused
    ? 'refused'
    : !complete
      ? 'inconclusive'
      : moves === 0
        ? 'vacuous'
        : 'proven';
  return {
    ...base,
    verdict,
    statesNew,
    statesMigrating,
    migrated: moves === 0 ? 0 : migratedKeys.size,
    problems: [],
    ...(unreachable ? { unreachable } : {}),
    ...(violation ? { violation } : {}),
    properties: [...tally.entries()].map(([id, t]) => ({
      id,
      status: t.failed
        ? 'fails'
        : verdict === 'inconclusive'
          ? 'inconclusive'
          : t.applicableAfterMove + t.applicableNew === 0
            ? 'vacuous'
            : 'holds',
      applicableAfterMove: t.applicableAfterMove,
      applicableNew: t.applicableNew,
    })),
  };
}
