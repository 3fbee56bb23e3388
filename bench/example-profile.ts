import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  type InstitutionProfile,
  parseInstitutionProfile,
} from '@mas/protocol';

/** The shipped EXAMPLE institution profile, which the benchmarks run under. */
export function exampleProfile(): InstitutionProfile {
  return parseInstitutionProfile(
    JSON.parse(
      readFileSync(
        join(
          import.meta.dirname,
          '../libs/protocol/profiles/example.profile.json',
        ),
        'utf8',
      ),
    ),
  );
}
