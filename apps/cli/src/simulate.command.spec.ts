import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { type CliIo, runCli } from './cli.js';

const workspaceRoot = join(import.meta.dirname, '../../..');
const defaultProfilePath = join(
  workspaceRoot,
  'libs/protocol/profiles/example.profile.json',
);

function io(written: Record<string, string>): CliIo {
  return {
    stdin: () => '',
    readFile: (path) => readFileSync(path, 'utf8'),
    defaultProfilePath,
    workspaceRoot,
    writeFile: (path, text) => {
      written[path] = text;
    },
    stderrIsTty: false,
  };
}

const batchArgs = [
  'simulate',
  '--scenario',
  'infection-triggered',
  '--runs',
  '4',
  '--seed',
  '9',
  '--policy',
  'no-antimicrobials',
  '--out',
  'out',
];

describe('cli simulate', () => {
  it('prints a summary labelled as model output and writes JSON and CSV', () => {
    const written: Record<string, string> = {};
    const outcome = runCli(batchArgs, io(written));
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toMatch(/^MODEL OUTPUT/);
    expect(outcome.stdout).toMatch(
      /infection-triggered\s+no-antimicrobials\s+4 /,
    );
    const base =
      'out/simulation-infection-triggered-no-antimicrobials-seed9-runs4';
    const json = JSON.parse(written[`${base}.json`] ?? '{}') as {
      courses: { policyId: string }[];
      notice: string;
    };
    expect(json.courses).toHaveLength(4);
    expect(json.notice).toMatch(/never evidence/);
    const csv = (written[`${base}.csv`] ?? '').trim().split('\n');
    expect(csv[0]).toMatch(/^scenarioId,policyId,seed,outcome/);
    expect(csv).toHaveLength(5);
    // The same seed gives the same file.
    const again: Record<string, string> = {};
    runCli(batchArgs, io(again));
    expect(again[`${base}.csv`]).toBe(written[`${base}.csv`]);
  });

  it.each([
    [['simulate'], /simulate needs --scenario/],
    [
      ['simulate', '--scenario', 'nope'],
      /--scenario: scenario: "nope" is not one of/,
    ],
    [
      ['simulate', '--scenario', 'all', '--policy', 'yolo'],
      /--policy: policy: "yolo" is not one of/,
    ],
    [
      ['simulate', '--scenario', 'all', '--runs', '0'],
      /--runs: must be a positive whole number/,
    ],
    [
      ['simulate', '--scenario', 'all', '--seed', 'x'],
      /--seed: must be a whole number/,
    ],
    [
      ['simulate', '--scenario', 'all', '--workers', '0'],
      /--workers: must be a whole number from 1 to 64/,
    ],
    [
      ['simulate', '--scenario', 'all', '--workers', '1.5'],
      /--workers: must be a whole number from 1 to 64/,
    ],
    [
      ['simulate', '--scenario', 'all', '--workers', '65'],
      /--workers: must be a whole number from 1 to 64/,
    ],
    [['simulate', '--scenario', 'all', '--workers'], /--workers needs a value/],
  ])('bad input %j: exit 2 naming the option', (argv, message) => {
    const outcome = runCli(argv, io({}));
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(message);
  });

  it('on worker threads, the same batch as in one thread, course for course (three slices of uneven size)', () => {
    const args = [
      'simulate',
      '--scenario',
      'all',
      '--runs',
      '2',
      '--seed',
      '4',
      '--out',
      'out',
    ];
    const single: Record<string, string> = {};
    const parallel: Record<string, string> = {};
    const one = runCli(args, io(single));
    const three = runCli([...args, '--workers', '3'], io(parallel));
    expect(three.stderr).toBe('');
    expect(three.code).toBe(0);
    const base = 'out/simulation-all-protocol-seed4-runs2';
    const rows = JSON.parse(parallel[`${base}.json`] ?? '{}') as {
      courses: { scenarioId: string; seed: number }[];
    };
    // 20 courses: slices of 7, 7 and 6, joined in course order.
    expect(rows.courses).toHaveLength(20);
    expect(parallel[`${base}.json`]).toBe(single[`${base}.json`]);
    expect(parallel[`${base}.csv`]).toBe(single[`${base}.csv`]);
    expect(three.stdout).toBe(one.stdout);
  });
});
