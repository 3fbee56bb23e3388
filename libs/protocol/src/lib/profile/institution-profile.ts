import { z } from 'zod';

import { ClinicalInputError } from '../errors/clinical-input.error.js';
import { toClinicalInputError } from '../panel/zod-error.util.js';
import { contentHash } from '../protocol/content-hash.util.js';
import { masProtocolDefinition } from '../protocol/mas-protocol.constant.js';
import {
  type InstitutionProfileData,
  institutionProfileSchema,
} from './institution-profile.schema.js';

/** A validated institution profile and the hash of its content. */
export interface InstitutionProfile {
  readonly data: InstitutionProfileData;
  readonly hash: string;
  /**
   * The file as read, whose content hash `hash` is (what an episode's
   * `profile.adopted` event carries, so a replay checks it).
   */
  readonly source?: Readonly<Record<string, unknown>>;
}

/** Who set a value: shown with every result that used the profile. */
export interface ProfileStamp {
  readonly profileId: string;
  readonly version: string;
  readonly hash: string;
  readonly example: boolean;
  readonly notice: string;
}

/**
 * Validates a parsed profile file. Throws ClinicalInputError naming the
 * field (`profile.<path>`) and the rule.
 */
export function parseInstitutionProfile(raw: unknown): InstitutionProfile {
  const parsed = institutionProfileSchema.safeParse(raw);
  if (!parsed.success) {
    throw toClinicalInputError(parsed.error, 'profile', 'profile');
  }
  const data = parsed.data;
  const protocolMajor = masProtocolDefinition.version.split('.')[0];
  if (data.protocol.version.split('.')[0] !== protocolMajor) {
    throw new ClinicalInputError(
      'profile.protocol.version',
      `profile is for mas-protocol ${data.protocol.version}, this software runs ${masProtocolDefinition.version} (major versions must match)`,
    );
  }
  return {
    data,
    hash: contentHash(raw),
    source: raw as Readonly<Record<string, unknown>>,
  };
}

export function profileStamp(profile: InstitutionProfile): ProfileStamp {
  return {
    profileId: profile.data.profileId,
    version: profile.data.version,
    hash: profile.hash,
    example: profile.data.example,
    notice: profile.data.notice,
  };
}

/**
 * A value the protocol leaves to the institution; missing is an error that
 * names it (`profile.doses.etoposide`, say).
 */
export function requireProfileValue<T>(
  value: T | undefined,
  path: string,
  purpose: string,
): T {
  if (value === undefined) {
    throw new ClinicalInputError(
      `profile.${path}`,
      `is not set in the institution profile; it is required for ${purpose} and has no default (no published figure)`,
    );
  }
  return value;
}

/** The profile schema as JSON Schema, for editors and forms. */
export function institutionProfileJsonSchema(): unknown {
  return z.toJSONSchema(institutionProfileSchema, { io: 'input' });
}
