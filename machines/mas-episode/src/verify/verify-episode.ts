/**
 * Runs the model checker over every slice of the alphabet and merges the
 * results per property: a property holds only if every slice was explored
 * completely and none found a counterexample.
 */
import type { AnyStateMachine } from 'xstate';

import type { EpisodeEvent } from '@mas/contracts';
import type { InstitutionProfile } from '@mas/protocol';

import { masEpisodeMachine } from '../lib/mas-episode.machine.js';
import {
  episodeRoots,
  type Slice,
  sliceAlphabet,
  slices,
} from './episode-alphabet.js';
import { abstractKey, episodeProperties } from './episode-properties.js';
import { type Property, verify } from './model-checker.js';

export interface SliceRun {
  readonly slice: string;
  readonly letters: number;
  readonly states: number;
  readonly transitions: number;
  readonly complete: boolean;
}

export interface MergedResult {
  readonly id: string;
  readonly name: string;
  readonly protects: readonly string[];
  readonly status: 'holds' | 'fails' | 'inconclusive';
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
    });
  }
  for (const slice of options.slices ?? slices) {
    const result = verify({
      machine: options.machine ?? masEpisodeMachine,
      roots,
      alphabet: sliceAlphabet(slice),
      key: abstractKey,
      properties,
      limit,
    });
    runs.push({
      slice: slice.name,
      letters: slice.letters.length,
      states: result.states,
      transitions: result.transitions,
      complete: result.complete,
    });
    for (const outcome of result.results) {
      const current = merged.get(outcome.id);
      if (!current || current.status === 'fails') continue;
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
      } else if (outcome.status === 'inconclusive') {
        merged.set(outcome.id, { ...current, status: 'inconclusive' });
      }
    }
  }
  return {
    limitPerSlice: limit,
    slices: runs,
    states: runs.reduce((sum, run) => sum + run.states, 0),
    transitions: runs.reduce((sum, run) => sum + run.transitions, 0),
    results: [...merged.values()],
  };
}
