import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { type CliIo, runCli } from './cli.js';

const workspaceRoot = join(import.meta.dirname, '../../..');

const io: CliIo = {
  stdin: () => '',
  readFile: (path) => readFileSync(path, 'utf8'),
  defaultProfilePath: join(
    workspaceRoot,
    'libs/protocol/profiles/example.profile.json',
  ),
  workspaceRoot,
  stderrIsTty: false,
};

describe('cli calibrate', () => {
  it("prints the search, the fitted hazard, the mean mortality and its interval over the batches, and the verdict on the model parameter file's value, as model output", () => {
    const outcome = runCli(
      ['calibrate', '--seed', '23', '--batches', '2', '--runs', '1'],
      io,
    );
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toMatch(/^MODEL OUTPUT/);
    expect(outcome.stdout).toMatch(/sJIA-MAS mortality 8% \(Minoia/);
    expect(outcome.stdout).toMatch(
      /Batches: seeds 23–24, 1 courses per scenario each/,
    );
    expect(outcome.stdout).toMatch(/\n {3}1 bracket /);
    expect(outcome.stdout).toMatch(/\n +\d+ fit /);
    expect(outcome.stdout).toMatch(/Fitted hazard: \d\.\d{4}e-\d+ \/h/);
    expect(outcome.stdout).toMatch(
      /Mean mortality at \S+ \/h: \d+\.\d\d% over 2 batches, 95% interval/,
    );
    expect(outcome.stdout).toMatch(/Hazard interval \(95%\)/);
    expect(outcome.stdout).toMatch(
      /Model parameter file: mortality\.hazardPerHour = 7\.2e-4 \/h (matches|differs|lies OUTSIDE)/,
    );
    // Exit 1 only when the model's value lies outside the fit's interval.
    expect(outcome.code).toBe(/lies OUTSIDE/.test(outcome.stdout) ? 1 : 0);
  });

  it('refuses a design without an interval (fewer than 2 batches) or with bad numbers', () => {
    expect(runCli(['calibrate', '--batches', '1'], io)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--batches') as unknown,
    });
    expect(runCli(['calibrate', '--runs', '0.5'], io)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--runs') as unknown,
    });
  });
});
