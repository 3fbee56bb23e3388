import { describe, expect, it } from '@jest/globals';

import { claimAt, roleFromClaims, usernameFromClaims } from './oidc-claims.js';
import type { UserRole } from './roles.js';

const MAP: readonly (readonly [string, UserRole])[] = [
  ['mas-admin', 'admin'],
  ['mas-senior', 'senior'],
  ['mas-clinician', 'clinician'],
];

describe('claims of the identity provider', () => {
  it('finds a claim by its exact name (URLs have dots) or by a dotted path', () => {
    const claims = {
      'https://hospital.example/roles': ['mas-senior'],
      realm_access: { roles: ['mas-clinician'] },
      list: [{ a: 1 }],
    };
    expect(claimAt(claims, 'https://hospital.example/roles')).toEqual([
      'mas-senior',
    ]);
    expect(claimAt(claims, 'realm_access.roles')).toEqual(['mas-clinician']);
    expect(claimAt(claims, 'realm_access.groups')).toBeUndefined();
    expect(claimAt(claims, 'list.0.a')).toBeUndefined();
    expect(claimAt(claims, 'constructor')).toBeUndefined();
    expect(claimAt(claims, 'realm_access.roles.length')).toBeUndefined();
  });

  it('gives the first role of the map that the claim holds, a string or a list', () => {
    expect(
      roleFromClaims({ roles: ['mas-clinician', 'mas-senior'] }, 'roles', MAP),
    ).toEqual({ role: 'senior' });
    expect(roleFromClaims({ roles: 'mas-clinician' }, 'roles', MAP)).toEqual({
      role: 'clinician',
    });
    expect(
      roleFromClaims({ groups: { mas: ['mas-admin'] } }, 'groups.mas', MAP),
    ).toEqual({ role: 'admin' });
  });

  it('refuses a user without a mapped value, saying which', () => {
    expect(roleFromClaims({}, 'roles', MAP)).toEqual({
      problem: 'the identity provider sent no roles claim',
    });
    expect(roleFromClaims({ roles: ['staff', 7] }, 'roles', MAP)).toEqual({
      problem: 'no value of the roles claim gives a role here',
    });
    // A value is matched whole, never in part.
    expect(roleFromClaims({ roles: 'not-mas-admin' }, 'roles', MAP)).toEqual({
      problem: 'no value of the roles claim gives a role here',
    });
  });

  it('takes the username from its claim, else the subject; a bad one is none', () => {
    expect(
      usernameFromClaims(
        { sub: 'u-1', preferred_username: ' dr.okafor ' },
        'preferred_username',
      ),
    ).toBe('dr.okafor');
    expect(usernameFromClaims({ sub: 'u-1' }, 'preferred_username')).toBe(
      'u-1',
    );
    expect(
      usernameFromClaims(
        { sub: 'u-1', preferred_username: 'dr\u0000x' },
        'preferred_username',
      ),
    ).toBeNull();
    expect(
      usernameFromClaims({ sub: 'x'.repeat(101) }, 'preferred_username'),
    ).toBeNull();
    expect(usernameFromClaims({}, 'preferred_username')).toBeNull();
  });
});
