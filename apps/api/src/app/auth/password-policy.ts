/**
 * The password policy: long enough, and not easy to guess. Strength is
 * estimated by zxcvbn (@zxcvbn-ts: common passwords, names, dictionary
 * words, keyboard patterns, dates, l33t), with the user's own details (the
 * username and its parts, the role, the service's name) counted as known to
 * an attacker. No hand-written list.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import type * as Common from '@zxcvbn-ts/language-common';
import type * as English from '@zxcvbn-ts/language-en';

import { MAX_PASSWORD_LENGTH } from '@mas/contracts';

import { MIN_PASSWORD_LENGTH } from './password.util.js';

/**
 * The lowest zxcvbn score accepted: 3, "safely unguessable: moderate
 * protection from offline slow-hash scenario" (at least 10^8 guesses).
 */
export const MIN_PASSWORD_SCORE = 3;

/** Longer than this is refused (scrypt would hash megabytes): the contract's. */
export { MAX_PASSWORD_LENGTH };

const require = createRequire(import.meta.url);
let estimator: ZxcvbnFactory | undefined;

/**
 * The strength estimator, made on the first password checked: its
 * dictionaries take about a third of a second to load and rank, which the
 * service's start (and every sign-in, which checks no strength) need not pay.
 */
function zxcvbn(): ZxcvbnFactory {
  if (estimator === undefined) {
    const common = require('@zxcvbn-ts/language-common') as typeof Common;
    const en = require('@zxcvbn-ts/language-en') as typeof English;
    estimator = new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
    });
  }
  return estimator;
}

/** Words an attacker knows of this user and this service. */
function userWords(username: string, extra: readonly string[]): string[] {
  const parts = username.split(/[^\p{L}\p{N}]+/u).filter((p) => p.length > 1);
  return [
    username,
    ...parts,
    ...extra,
    'mas',
    'macrophage',
    'activation',
    'syndrome',
    'hospital',
    'clinician',
    'senior',
    'trainee',
    'auditor',
    'admin',
  ];
}

/** Why the password is refused, or null when it is accepted. */
export function passwordProblem(
  password: string,
  username: string,
  extra: readonly string[] = [],
): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  }
  const folded = password.toLowerCase();
  const ownPart = [username, ...username.split(/[^\p{L}\p{N}]+/u)]
    .map((part) => part.toLowerCase())
    .find((part) => part.length >= 3 && folded.includes(part));
  if (ownPart !== undefined) {
    return 'must not contain the username or a part of it';
  }
  const result = zxcvbn().check(password, userWords(username, extra));
  if (result.score >= MIN_PASSWORD_SCORE) return null;
  const hint = [result.feedback.warning, ...result.feedback.suggestions]
    .filter((s): s is string => typeof s === 'string' && s.length > 0)
    .join(' ');
  return `is too easy to guess (strength ${result.score} of 4, at least ${MIN_PASSWORD_SCORE} needed)${hint ? `: ${hint}` : ''}`;
}

/** A random password that passes the policy (printed once on first start). */
export function generatePassword(username: string): string {
  for (;;) {
    const password = randomBytes(12).toString('base64url');
    if (passwordProblem(password, username) === null) return password;
  }
}
