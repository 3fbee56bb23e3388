import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseInstitutionProfile } from '@mas/protocol';

/** The shipped EXAMPLE institution profile (what the specs run under). */
export function exampleProfile() {
  const path = join(
    import.meta.dirname,
    '../../../../libs/protocol/profiles/example.profile.json',
  );
  return parseInstitutionProfile(JSON.parse(readFileSync(path, 'utf8')));
}
