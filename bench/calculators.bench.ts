/**
 * How long one calculator call takes, panel validation and unit conversion
 * included. Prints figures and ratios; asserts nothing (speed is not a test).
 *   npm run -s bench
 */
import { performance } from 'node:perf_hooks';

import {
  calculateDose,
  parseLabPanel,
  scoreHlh2004,
  scoreHScore,
  scoreMas2016,
  scoreMsScore,
} from '@mas/protocol';
import { hscoreWorkedExamples } from '@mas/protocol/testing';

const panel = {
  ...hscoreWorkedExamples[0].panel,
  febrile: true,
  sjiaKnownOrSuspected: true,
  neutrophils: { value: 800, unit: '/uL' },
  ldh: { value: 900, unit: 'U/L' },
  sCD25: { value: 5000, unit: 'U/mL' },
};

function measure(name: string, fn: () => unknown, iterations = 20_000) {
  for (let i = 0; i < 1_000; i += 1) fn();
  const start = performance.now();
  for (let i = 0; i < iterations; i += 1) fn();
  const micros = ((performance.now() - start) * 1000) / iterations;
  return { name, micros };
}

const results = [
  measure('parse + validate panel', () => parseLabPanel(panel)),
  measure('mas2016', () => scoreMas2016(panel)),
  measure('hscore', () => scoreHScore(panel)),
  measure('hlh2004', () => scoreHlh2004(panel)),
  measure('msscore', () => scoreMsScore(panel)),
  measure('dose methylprednisolone', () =>
    calculateDose('methylprednisolone', { weightKg: 40, mgPerKg: 30 }),
  ),
];
const base = results[0]?.micros ?? 1;
console.log('calculator                 us/call   x parse');
for (const { name, micros } of results) {
  console.log(
    `${name.padEnd(26)} ${micros.toFixed(1).padStart(7)}   ${(micros / base).toFixed(2)}`,
  );
}
const heap = process.memoryUsage().heapUsed / 1024 / 1024;
console.log(`heap used after run: ${heap.toFixed(1)} MiB`);
