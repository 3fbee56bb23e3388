/**
 * Helpers for the service's unit specs only (they read files, and their rows
 * hold made-up values): never imported by the service itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { MAS_EPISODE_MACHINE_VERSION } from '@mas/mas-episode';
import {
  type InstitutionProfile,
  parseInstitutionProfile,
} from '@mas/protocol';

import type { EpisodeRow } from '../app/database/entities.js';

/** The shipped EXAMPLE institution profile. */
export const exampleProfile: InstitutionProfile = parseInstitutionProfile(
  JSON.parse(
    readFileSync(
      join(
        import.meta.dirname,
        '../../../../libs/protocol/profiles/example.profile.json',
      ),
      'utf8',
    ),
  ),
);

/** An episode's row as stored, unsealed, with `fields` over the defaults. */
export function episodeRow(fields: Partial<EpisodeRow> = {}): EpisodeRow {
  return {
    id: 'e1',
    kind: 'real',
    patientIdentifier: 'SYN-1',
    snapshot: '{"value":"b","context":{"protocol":{"version":"1.0.0"}}}',
    initialSnapshot: '{"value":"a"}',
    stage: 'x',
    tags: '[]',
    alertIds: '[]',
    overdue: false,
    urgency: 0,
    nextDueAt: null,
    protocolVersion: '1.0.0',
    protocolHash: 'sha256:p',
    profileHash: 'sha256:q',
    machineVersion: MAS_EPISODE_MACHINE_VERSION,
    version: 0,
    createdAt: new Date(Date.UTC(2026, 2, 1)),
    updatedAt: new Date(Date.UTC(2026, 2, 1)),
    seal: null,
    openedBy: 'dr-a',
    quality: null,
    qualitySeal: null,
    ...fields,
  };
}
