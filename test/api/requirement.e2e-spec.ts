/**
 * The one decision behind every PostgreSQL test: run where the server
 * answers; where it does not, skip with a printed reason on a developer's
 * machine and fail, naming what is missing and how to get it, under CI.
 */
import { describe, expect, it } from '@jest/globals';

import {
  decidePostgres,
  isCi,
  type Registrar,
  type Requirement,
  testUnder,
} from './api-harness.js';

const refused = 'connect ECONNREFUSED 127.0.0.1:5432';

/** A stand-in for `it` that records what it is given. */
function recorder() {
  const calls: { kind: 'it' | 'skip'; name: string; fn: () => unknown }[] = [];
  const register = Object.assign(
    (name: string, fn: () => unknown) => {
      calls.push({ kind: 'it', name, fn });
    },
    {
      skip: (name: string, fn: () => unknown) => {
        calls.push({ kind: 'skip', name, fn });
      },
    },
  ) as Registrar;
  return { calls, register };
}

describe('PostgreSQL requirement', () => {
  it('CI is any value of CI but "", "0" and "false"', () => {
    expect(isCi({ CI: 'true' })).toBe(true);
    expect(isCi({ CI: '1' })).toBe(true);
    expect(isCi({ CI: 'TRUE' })).toBe(true);
    expect(isCi({})).toBe(false);
    expect(isCi({ CI: '' })).toBe(false);
    expect(isCi({ CI: '0' })).toBe(false);
    expect(isCi({ CI: 'false' })).toBe(false);
  });

  it('runs when the server answers, in CI or not', () => {
    expect(decidePostgres(null, { CI: 'true' })).toEqual({ mode: 'run' });
    expect(decidePostgres(null, {})).toEqual({ mode: 'run' });
  });

  it('fails under CI when the server is absent, naming it and how to start it', () => {
    const decision = decidePostgres(refused, { CI: 'true' });
    expect(decision.mode).toBe('fail');
    if (decision.mode === 'run') throw new Error('unreachable');
    expect(decision.reason).toContain('PostgreSQL is required when CI is set');
    expect(decision.reason).toContain(refused);
    expect(decision.reason).toContain('pg_ctlcluster');
    expect(decision.reason).toContain('.ci/run');
  });

  it('skips with a reason outside CI when the server is absent', () => {
    for (const env of [{}, { CI: 'false' }, { CI: '' }]) {
      const decision = decidePostgres(refused, env);
      expect(decision.mode).toBe('skip');
      if (decision.mode === 'run') throw new Error('unreachable');
      expect(decision.reason).toContain(refused);
    }
  });

  it('a test registers as itself when it runs, as skipped when it skips', async () => {
    for (const [requirement, kind] of [
      [{ mode: 'run' }, 'it'],
      [{ mode: 'skip', reason: 'absent' }, 'skip'],
    ] as const satisfies readonly (readonly [Requirement, string])[]) {
      const { calls, register } = recorder();
      let ran = 0;
      testUnder(requirement, register)(
        'a test',
        () => {
          ran += 1;
        },
        1000,
      );
      expect(calls.map((call) => [call.kind, call.name])).toEqual([
        [kind, 'a test'],
      ]);
      await calls[0]?.fn();
      expect(ran).toBe(1);
    }
  });

  it('under the fail mode a test registers as a failing test carrying the reason', async () => {
    const { calls, register } = recorder();
    const body = () => undefined;
    testUnder({ mode: 'fail', reason: 'PostgreSQL is required' }, register)(
      'a test',
      body,
    );
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.kind).toBe('it');
    expect(call?.fn).not.toBe(body);
    await expect(call?.fn()).rejects.toThrow('PostgreSQL is required');
  });
});
