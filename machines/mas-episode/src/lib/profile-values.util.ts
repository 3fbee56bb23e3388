/**
 * The institution profile's values an episode cannot run without (they
 * have no published figure, hence no default): read by the reducer for its
 * timers and checked when an episode opens or adopts another profile.
 */
import { masProtocolDefinition, requireProfileValue } from '@mas/protocol';

import type { EpisodeContext, EpisodeInput } from './mas-episode.types.js';

export function profileHours(
  context: Pick<EpisodeContext, 'profileData'>,
  field: 'suspicionToGlucocorticoidMaxHours' | 'countersignatureWindowHours',
): number {
  return requireProfileValue(
    context.profileData.delays[field],
    `delays.${field}`,
    'the care-episode timers',
  );
}

/**
 * The profile values the episode needs; a missing one is an error naming it
 * (they have no published figure, hence no default).
 */
export function checkProfileForEpisode(profile: EpisodeInput['profile']): void {
  const context = { profileData: profile.data };
  profileHours(context, 'suspicionToGlucocorticoidMaxHours');
  profileHours(context, 'countersignatureWindowHours');
  for (const group of Object.values(masProtocolDefinition.response.groups)) {
    for (const { analyte } of group.parameters) {
      requireProfileValue(
        (profile.data.response as Record<string, unknown>)[analyte],
        `response.${analyte}`,
        'the response rule',
      );
    }
  }
}
