import { describe, expect, it } from '@jest/globals';

import { clearDrafts, DRAFT_PREFIX } from './drafts.js';

describe("a user's unsent drafts", () => {
  it('all go when the session ends; what is not a draft stays', () => {
    sessionStorage.clear();
    sessionStorage.setItem(`${DRAFT_PREFIX}entered-in-error.dr-a.e.1`, 'x');
    sessionStorage.setItem(`${DRAFT_PREFIX}migration.e`, '{}');
    sessionStorage.setItem(`${DRAFT_PREFIX}entered-in-error.dr-a.e.2`, 'y');
    sessionStorage.setItem('other-app', 'kept');
    clearDrafts();
    expect(Object.keys(sessionStorage)).toEqual(['other-app']);
  });
});
