import type { z } from 'zod';

import { ClinicalInputError } from '@mas/protocol';

import {
  type EpisodeEvent,
  episodeEventSchema,
} from './episode-event.schema.js';

/**
 * Parses with `schema`; a failure is a ClinicalInputError naming the field
 * (under `root`, e.g. `events[3]`) and the rule.
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  root: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue ? issue.path.map(String) : [];
  if (issue?.code === 'unrecognized_keys') path.push(issue.keys[0] ?? '');
  const field = [root, ...path].filter(Boolean).join('.');
  const rule =
    issue?.code === 'unrecognized_keys'
      ? 'is not a known field'
      : (issue?.message ?? 'is invalid');
  throw new ClinicalInputError(field || root, rule);
}

/** A care-episode event, validated; errors name `root` and the field. */
export function parseEpisodeEvent(value: unknown, root: string): EpisodeEvent {
  return parseOrThrow(episodeEventSchema, value, root) as EpisodeEvent;
}
