/**
 * Runs the model checker over every slice of the alphabet and merges the
 * results per property: a property holds only if every slice was explored
 * completely and none found a counterexample.
 */
import type { AnyStateMachine } from 'xstate';

import type { EpisodeEvent } from '@mas/contracts';
import type { InstitutionProfile } from '@mas/protocol';

import { masEpisodeMachine } from '../lib/mas-episode.machine.js';
import { observe } from './episode-abstraction.js';
import {
  episodeRoots,
  type Slice,
  sliceAlphabet,
  sliceClockSteps,
  sliceMeasuresChange,
  slicePanelsReplacePicture,
  slices,
} from './episode-alphabet.js';
import { episodeProperties } from './episode-properties.js';
import {
  type Property,
  type Verdict,
  verify,
  type VerifyOptions,
} from './model-checker.js';

export interface SliceRun {
  readonly slice: string;
  readonly letters: number;
  readonly states: number;
  readonly transitions: number;
  readonly complete: boolean;
  /** Colliding states compared one step ahead, and how many parted ways. */
  readonly compared: number;
  readonly diverged: number;
}

export interface MergedResult {
  readonly id: string;
  readonly name: string;
  readonly protects: readonly string[];
  readonly status: Verdict;
  readonly evaluated: number;
  readonly applicable: number;
  readonly counterexample?: {
    readonly slice: string;
    readonly initialStage: string;
    readonly events: readonly EpisodeEvent[];
  };
}

export interface EpisodeVerification {
  readonly limitPerSlice: number;
  readonly slices: readonly SliceRun[];
  readonly states: number;
  readonly transitions: number;
  readonly results: readonly MergedResult[];
  /**
   * The abstraction's soundness check: the first two paths to one key whose
   * states part ways one step later (none where the key is sound).
   */
  readonly unsound?: {
    readonly slice: string;
    readonly first: readonly EpisodeEvent[];
    readonly second: readonly EpisodeEvent[];
    readonly letter: string;
  };
}

/** Default bound: abstract states per slice. */
export const DEFAULT_STATE_LIMIT = 50_000;

export function verifyEpisodeMachine(
  profile: InstitutionProfile,
  options: {
    readonly machine?: AnyStateMachine;
    readonly limit?: number;
    readonly properties?: readonly Property[];
    readonly slices?: readonly Slice[];
    /** Stop a slice at the first failure of one of these (mutant runs). */
    readonly stopOnFailureOf?: readonly string[];
    /** A state key other than the declared one (to test the checker). */
    readonly key?: VerifyOptions['key'];
    /** Compare one in every this many colliding states (default 1: all). */
    readonly soundnessEvery?: number;
  } = {},
): EpisodeVerification {
  const limit = options.limit ?? DEFAULT_STATE_LIMIT;
  const properties = options.properties ?? episodeProperties;
  const roots = episodeRoots(profile);
  const runs: SliceRun[] = [];
  const merged = new Map<string, MergedResult>();
  for (const property of properties) {
    merged.set(property.id, {
      id: property.id,
      name: property.name,
      protects: property.protects,
      status: 'holds',
      evaluated: 0,
      applicable: 0,
    });
  }
  let unsound: EpisodeVerification['unsound'];
  let incomplete = false;
  for (const slice of options.slices ?? slices) {
    const panelsReplacePicture = slicePanelsReplacePicture(slice);
    const result = verify({
      machine: options.machine ?? masEpisodeMachine,
      roots,
      alphabet: sliceAlphabet(slice),
      observe: (context) =>
        observe(context, {
          steps: sliceClockSteps(slice, context),
          panelsReplacePicture,
          measuresChange: sliceMeasuresChange(slice),
        }),
      properties,
      limit,
      graph: slice.course === true,
      ...(options.key ? { key: options.key } : {}),
      ...(options.stopOnFailureOf
        ? { stopOnFailureOf: options.stopOnFailureOf }
        : {}),
      ...(options.soundnessEvery === undefined
        ? {}
        : { soundnessEvery: options.soundnessEvery }),
    });
    incomplete ||= !result.complete;
    const { example } = result.soundness;
    if (example && !unsound) {
      unsound = {
        slice: slice.name,
        first: example.first.events,
        second: example.second.events,
        letter: slice.letters[example.letter] ?? String(example.letter),
      };
    }
    runs.push({
      slice: slice.name,
      letters: slice.letters.length,
      states: result.states,
      transitions: result.transitions,
      complete: result.complete,
      compared: result.soundness.compared,
      diverged: result.soundness.diverged,
    });
    for (const outcome of result.results) {
      const found = merged.get(outcome.id);
      if (!found) continue;
      const current = {
        ...found,
        evaluated: found.evaluated + outcome.evaluated,
        applicable: found.applicable + outcome.applicable,
      };
      merged.set(outcome.id, current);
      if (current.status === 'fails') continue;
      if (outcome.status === 'fails' && outcome.counterexample) {
        merged.set(outcome.id, {
          ...current,
          status: 'fails',
          counterexample: {
            slice: slice.name,
            initialStage:
              roots[outcome.counterexample.root]?.initialStage ?? '?',
            events: outcome.counterexample.events,
          },
        });
      }
    }
  }
  const results = [...merged.values()].map((result): MergedResult => {
    if (result.status === 'fails') return result;
    if (incomplete) return { ...result, status: 'inconclusive' };
    return result.applicable === 0 ? { ...result, status: 'vacuous' } : result;
  });
  return {
    limitPerSlice: limit,
    slices: runs,
    states: runs.reduce((sum, run) => sum + run.states, 0),
    transitions: runs.reduce((sum, run) => sum + run.transitions, 0),
    results,
    ...(unsound ? { unsound } : {}),
  };
}
