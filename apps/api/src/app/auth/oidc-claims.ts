/**
 * What an identity provider's claims say about a user here: the role, from a
 * configured claim and map, and the username. Pure functions.
 */
import type { UserRole } from './roles.js';

/** Longest username the users table holds. */
const MAX_USERNAME_LENGTH = 100;

/**
 * The claim at `path`: the claim of that exact name if there is one (claim
 * names are often URLs, with dots), else the dotted path into nested claims
 * (Keycloak's `realm_access.roles`).
 */
export function claimAt(
  claims: Readonly<Record<string, unknown>>,
  path: string,
): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (
      value === null ||
      typeof value !== 'object' ||
      Array.isArray(value) ||
      !Object.hasOwn(value, part)
    ) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

export type RoleFromClaims =
  { readonly role: UserRole } | { readonly problem: string };

/**
 * The role the claims give: the first entry of the map (its order is the
 * institution's precedence) whose value the claim holds. The claim may be one
 * string or a list of strings.
 */
export function roleFromClaims(
  claims: Readonly<Record<string, unknown>>,
  claimPath: string,
  map: readonly (readonly [string, UserRole])[],
): RoleFromClaims {
  const claim = claimAt(claims, claimPath);
  const values =
    typeof claim === 'string'
      ? [claim]
      : Array.isArray(claim)
        ? claim.filter((value): value is string => typeof value === 'string')
        : [];
  const held = new Set(values);
  for (const [value, role] of map) {
    if (held.has(value)) return { role };
  }
  return {
    problem:
      claim === undefined
        ? `the identity provider sent no ${claimPath} claim`
        : `no value of the ${claimPath} claim gives a role here`,
  };
}

/**
 * The username: the configured claim, else the subject. It must be a plain
 * line of text that fits the users table.
 */
export function usernameFromClaims(
  claims: Readonly<Record<string, unknown>>,
  claimPath: string,
): string | null {
  const claim = claimAt(claims, claimPath);
  const name = typeof claim === 'string' ? claim.trim() : claims['sub'];
  return typeof name === 'string' &&
    name.length > 0 &&
    name.length <= MAX_USERNAME_LENGTH &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f\u007f]/.test(name)
    ? name
    : null;
}
