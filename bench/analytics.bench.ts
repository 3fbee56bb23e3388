/**
 * `npm run bench:analytics`: the quality indicators (`GET /api/analytics`,
 * every indicator, replayed from the audit) over a real SQLite database of
 * N episodes of 30 audited events each, beside the time to read the same
 * audit rows alone (one SELECT on the same file). Cold: a service that has
 * reported nothing yet reads the facts each row keeps (folded on write);
 * replayed: the same rows without them (as an older version wrote them),
 * every audit replayed. Prints figures, the ratio,
 * and the time per episode; asserts nothing. Target (issue 18): 10,000
 * episodes in at most 2 s, at most 3x the read alone. The episodes are sent
 * over HTTP (labs every hour, the diagnosis, the pulse), so the default N is
 * smaller than the target's; the figure per episode says how far it is.
 *   npm run -s bench:analytics [-- --episodes N --rounds R]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import Database from 'better-sqlite3';

import {
  ephemeralKeys,
  loadConfiguration,
  ManualClock,
  startService,
} from '@mas/api';
import { standardPrescription } from '@mas/mas-episode';
import { amira, floridMas, panelOf } from '@mas/testing';

import { requestJson } from './bench-http.js';
import { exampleProfile } from './example-profile.js';

const option = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
};
const EPISODES = option('episodes', 300);
const ROUNDS = option('rounds', 5);
const EVENTS = 30;
const TARGET = { episodes: 10_000, seconds: 2, ratio: 3 };
const PASSWORD = 'correct horse battery staple';
const HOUR = 3_600_000;

const dir = mkdtempSync(join(tmpdir(), 'mas-bench-analytics-'));
const sqlitePath = join(dir, 'analytics.sqlite');
const clock = new ManualClock(new Date('2026-01-05T08:00:00Z'));
const profile = exampleProfile();
const service = await startService({
  config: loadConfiguration({
    PORT: '0',
    SQLITE_PATH: sqlitePath,
    SCHEDULER_INTERVAL_MS: '0',
    // The clock moves 30 h per episode: the tokens must outlive the fill.
    TOKEN_TTL_SECONDS: String(20 * 365 * 86_400),
  }),
  clock,
  profile,
  keys: ephemeralKeys(),
});

const call = (method: string, path: string, token: string, body?: unknown) =>
  requestJson(service.url, method, path, token, body);

async function tokenOf(username: string, role: string): Promise<string> {
  await service.users.create(username, PASSWORD, role as 'clinician');
  const login = await fetch(`${service.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  return ((await login.json()) as { token: string }).token;
}

/** One episode: opened, then labs every hour with the diagnosis and the pulse among them. */
async function episode(token: string, n: number): Promise<void> {
  const opened = await call('POST', '/api/episodes', token, {
    patient: { ...amira, identifier: `BENCH-${String(n)}` },
  });
  let version = opened.json['version'] as number;
  const id = opened.json['id'] as string;
  for (let e = 0; e < EVENTS; e += 1) {
    clock.advance(HOUR);
    const now = clock.now().toISOString();
    const [type, payload] =
      e === 1
        ? ['diagnosis.confirmed', { basis: 'criteria' }]
        : e === 2
          ? [
              'therapy.started',
              {
                drug: 'methylprednisolone',
                ...standardPrescription('methylprednisolone', amira, profile),
                givenAt: now,
              },
            ]
          : ['labs.recorded', { panel: panelOf(floridMas), collectedAt: now }];
    const sent = await call('POST', `/api/episodes/${id}/events`, token, {
      type,
      payload,
      expectedVersion: version,
    });
    if (sent.status !== 201) {
      throw new Error(
        `${type}: ${String(sent.status)} ${JSON.stringify(sent.json)}`,
      );
    }
    version = sent.json['version'] as number;
  }
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

try {
  const clinician = await tokenOf('bench-clinician', 'clinician');
  const auditor = await tokenOf('bench-auditor', 'auditor');
  const filling = performance.now();
  for (let n = 0; n < EPISODES; n += 1) await episode(clinician, n);
  const fillSeconds = (performance.now() - filling) / 1000;

  // The first report replays every episode; the next ones reuse the
  // analyses the service kept (an episode is replayed again only when its
  // version moved): cold, then warm.
  const report: number[] = [];
  let coldMs = 0;
  let counted = 0;
  for (let round = 0; round < ROUNDS + 1; round += 1) {
    const start = performance.now();
    const answer = await call('GET', '/api/analytics', auditor);
    if (round === 0) coldMs = performance.now() - start;
    else report.push(performance.now() - start);
    counted = answer.json['episodes'] as number;
  }

  // Rows an older version wrote keep no facts: the report replays their
  // audits (and writes the facts back). The same episodes, replayed.
  const writable = new Database(sqlitePath);
  writable.prepare('UPDATE episodes SET quality = NULL').run();
  writable.close();
  const replayStart = performance.now();
  await call('GET', '/api/analytics', auditor);
  const replayMs = performance.now() - replayStart;

  const db = new Database(sqlitePath, { readonly: true });
  const select = db.prepare(
    'SELECT * FROM audit_entries ORDER BY episode_id, seq',
  );
  const read: number[] = [];
  let rows = 0;
  for (let round = 0; round < ROUNDS + 1; round += 1) {
    const start = performance.now();
    rows = select.all().length;
    if (round > 0) read.push(performance.now() - start);
  }
  db.close();

  const reportMs = median(report);
  const readMs = median(read);
  const perEpisodeMs = coldMs / EPISODES;
  const projected = (perEpisodeMs * TARGET.episodes) / 1000;
  console.log(
    `Quality indicators over ${String(EPISODES)} episodes (${String(rows)} audit rows, ${String(counted)} counted), SQLite, ${String(ROUNDS)} rounds, medians (Node ${process.version}; filled over HTTP in ${fillSeconds.toFixed(0)} s):`,
  );
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(
    `  audit rows read alone        ${readMs.toFixed(0).padStart(7)} ms`,
  );
  console.log(
    `  GET /api/analytics, cold     ${coldMs.toFixed(0).padStart(7)} ms  ratio ${(coldMs / readMs).toFixed(1)} (target <= ${String(TARGET.ratio)}: ${verdict(coldMs / readMs <= TARGET.ratio)}; ${perEpisodeMs.toFixed(3)} ms per episode: the facts each row keeps, folded on write, nothing replayed)`,
  );
  console.log(
    `  GET /api/analytics, replayed ${replayMs.toFixed(0).padStart(7)} ms  ratio ${(replayMs / readMs).toFixed(1)} (${(replayMs / EPISODES).toFixed(2)} ms per episode: every audit replayed, as for rows an older version wrote; the facts written back)`,
  );
  console.log(
    `  GET /api/analytics, warm     ${reportMs.toFixed(0).padStart(7)} ms  ratio ${(reportMs / readMs).toFixed(1)} (target <= ${String(TARGET.ratio)}: ${verdict(reportMs / readMs <= TARGET.ratio)}; nothing changed since the last report)`,
  );
  console.log(
    `  ${String(TARGET.episodes)} episodes cold at this rate: ${projected.toFixed(1)} s (projected, not measured; target <= ${String(TARGET.seconds)} s: ${verdict(projected <= TARGET.seconds)})`,
  );
} finally {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
}
