/**
 * `npm run bench:fhir`: what FHIR costs beside the native routes, over HTTP
 * on SQLite. Export: `$everything` of a 30-event episode against
 * `GET /api/episodes/:id`: whole (`_count=1000`, one Bundle), its first
 * page of the default size, and the whole followed page by page. Import: a
 * Bundle of 20 Observations (two samples of ten values) through
 * `POST /api/episodes/:id/fhir` against the same two panels sent as two
 * `labs.recorded` events. Search: one analyte's results
 * since a time (`Observation?patient=&code=&date=ge&_sort=-date`) against the
 * same native read. Prints figures and ratios;
 * asserts nothing. Target (issue 17): each within 3x of its native route.
 *   npm run -s bench:fhir [-- --rounds N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import {
  ephemeralKeys,
  loadConfiguration,
  ManualClock,
  startService,
} from '@mas/api';
import { amira, floridMas, panelOf } from '@mas/testing';

import { requestJson } from './bench-http.js';
import { exampleProfile } from './example-profile.js';

const TARGET_RATIO = 3;
const argIndex = process.argv.indexOf('--rounds');
const ROUNDS = argIndex === -1 ? 200 : Number(process.argv[argIndex + 1]);
const PASSWORD = 'correct horse battery staple';
/** 30-event episodes made to be exported once each. */
const EXPORT_COPIES = Math.min(ROUNDS, 50);
const HOUR = 3_600_000;

const dir = mkdtempSync(join(tmpdir(), 'mas-bench-fhir-'));
const clock = new ManualClock(new Date('2026-03-01T08:00:00Z'));
const service = await startService({
  config: loadConfiguration({
    PORT: '0',
    SQLITE_PATH: join(dir, 'fhir.sqlite'),
    SCHEDULER_INTERVAL_MS: '0',
    TOKEN_TTL_SECONDS: String(365 * 86_400),
  }),
  clock,
  profile: exampleProfile(),
  keys: ephemeralKeys(),
});

const call = (method: string, path: string, token: string, body?: unknown) =>
  requestJson(service.url, method, path, token, body);

await service.users.create('bench', PASSWORD, 'clinician');
const login = await fetch(`${service.url}/api/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'bench', password: PASSWORD }),
});
const token = ((await login.json()) as { token: string }).token;

async function openEpisode(): Promise<{ id: string; version: number }> {
  const opened = await call('POST', '/api/episodes', token, {
    patient: amira,
  });
  return {
    id: opened.json['id'] as string,
    version: opened.json['version'] as number,
  };
}

/** Sends one event; the episode's new version. */
async function send(
  id: string,
  version: number,
  type: string,
  payload: unknown,
): Promise<number> {
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
  return sent.json['version'] as number;
}

/** Mean and median of `rounds` timings of `work`, in ms. */
async function time(
  rounds: number,
  work: (round: number) => Promise<void>,
): Promise<{ mean: number; median: number }> {
  for (let round = 0; round < 10; round += 1) await work(-1 - round);
  const samples: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const start = performance.now();
    await work(round);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return {
    mean: samples.reduce((sum, s) => sum + s, 0) / samples.length,
    median: samples[Math.floor(samples.length / 2)] ?? Number.NaN,
  };
}

const ms = (value: number) => `${value.toFixed(2)} ms`;
function line(
  what: string,
  native: { median: number },
  fhir: { median: number },
): void {
  const ratio = fhir.median / native.median;
  console.log(
    `${what.padEnd(44)} native ${ms(native.median).padStart(10)}  FHIR ${ms(fhir.median).padStart(10)}  ratio ${ratio.toFixed(2)} (target <= ${String(TARGET_RATIO)}: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'})`,
  );
}

try {
  // Export: an episode of 30 events (labs every hour, the diagnosis, the
  // pulse), read natively and as FHIR.
  const thirtyEvents = async () => {
    const opened = await openEpisode();
    let version = opened.version;
    for (let n = 0; n < 30; n += 1) {
      clock.advance(HOUR);
      const now = clock.now().toISOString();
      version =
        n === 1
          ? await send(opened.id, version, 'diagnosis.confirmed', {
              basis: 'criteria',
            })
          : await send(opened.id, version, 'labs.recorded', {
              panel: panelOf(floridMas),
              collectedAt: now,
            });
    }
    return opened;
  };
  const episode = await thirtyEvents();
  // (The search below asks for the last 12 h of this episode.)
  const since = new Date(clock.now().getTime() - 12 * HOUR).toISOString();
  const nativeRead = await time(ROUNDS, async () => {
    await call('GET', `/api/episodes/${episode.id}`, token);
  });
  /** The whole export in one Bundle (a page as large as a page may be). */
  const everything = async (id: string) => {
    const bundle = await call(
      'GET',
      `/api/fhir/R4/EpisodeOfCare/${id}/$everything?_count=1000`,
      token,
    );
    const links = bundle.json['link'] as { relation: string }[];
    if (links.some((link) => link.relation === 'next')) {
      throw new Error('the export no longer fits one page: fewer rounds');
    }
    return bundle.json['total'] as number;
  };
  // The same episode exported over and over: every read is an AuditEvent
  // of the episode, so its bundle grows while measured.
  let resources = 0;
  const fhirRead = await time(ROUNDS, async () => {
    // A millisecond on: the read before is in the record (an export leaves
    // out the reads of its own instant).
    clock.advance(1);
    resources = await everything(episode.id);
  });
  // Copies of that episode, each exported once (after the warm-up's ten):
  // the export of a 30-event episode as it stands, its size constant. A
  // set of copies for each way of asking, so each finds them unread.
  const copySet = async () => {
    const ids: string[] = [];
    for (let copy = 0; copy < EXPORT_COPIES + 10; copy += 1) {
      ids.push((await thirtyEvents()).id);
    }
    return (round: number) =>
      ids[round < 0 ? EXPORT_COPIES - 1 - round : round] ?? '';
  };
  const copies = await copySet();
  let copyResources = 0;
  const fhirFirstRead = await time(EXPORT_COPIES, async (round) => {
    copyResources = await everything(copies(round));
  });
  // The same in pages of the default size: the first page alone, and the
  // whole record followed page by page (as a FHIR client takes it).
  const firstPages = await copySet();
  let pageEntries = 0;
  const fhirFirstPage = await time(EXPORT_COPIES, async (round) => {
    const page = await call(
      'GET',
      `/api/fhir/R4/EpisodeOfCare/${firstPages(round)}/$everything`,
      token,
    );
    pageEntries = (page.json['entry'] as unknown[]).length;
  });
  const walks = await copySet();
  let pagesWalked = 0;
  let walkedEntries = 0;
  const fhirWalk = await time(EXPORT_COPIES, async (round) => {
    let path: string | undefined =
      `/api/fhir/R4/EpisodeOfCare/${walks(round)}/$everything`;
    pagesWalked = 0;
    walkedEntries = 0;
    while (path !== undefined) {
      const page = await call('GET', path, token);
      pagesWalked += 1;
      walkedEntries += (page.json['entry'] as unknown[]).length;
      const next = (
        page.json['link'] as { relation: string; url: string }[]
      ).find((link) => link.relation === 'next')?.url;
      path = next === undefined ? undefined : next.slice(service.url.length);
    }
  });

  // Search: one analyte's results since a time, newest first (what a
  // laboratory view asks), against the native read that carries the labs.
  let found = 0;
  const fhirSearch = await time(ROUNDS, async () => {
    const bundle = await call(
      'GET',
      `/api/fhir/R4/Observation?patient=Patient/${episode.id}&code=http://loinc.org|2276-4&date=ge${since}&_sort=-date`,
      token,
    );
    found = bundle.json['total'] as number;
  });

  // Import: 20 Observations in two samples, against two native events.
  /** Ten of the florid panel's measured values (no temperature). */
  const values = () => {
    const panel = panelOf(floridMas) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(panel)
        .filter(([, value]) => typeof value === 'object')
        .slice(0, 10)
        .map(([key, value]) => [key, value]),
    ) as Record<string, { value: number; unit: string }>;
  };
  const loinc: Record<string, string> = {
    ferritin: '2276-4',
    platelets: '777-3',
    neutrophils: '751-8',
    leukocytes: '6690-2',
    hemoglobin: '718-7',
    fibrinogen: '3255-7',
    ast: '1920-8',
    alt: '1742-6',
    ldh: '2532-0',
    triglycerides: '2571-8',
    creatinine: '14682-9',
    bilirubin: '14631-6',
    esr: '4537-7',
  };
  const native = await openEpisode();
  let nativeVersion = native.version;
  const nativeImport = await time(ROUNDS, async () => {
    clock.advance(HOUR);
    for (const offset of [2, 1]) {
      const at = new Date(
        clock.now().getTime() - offset * 60_000,
      ).toISOString();
      nativeVersion = await send(native.id, nativeVersion, 'labs.recorded', {
        panel: values(),
        collectedAt: at,
      });
    }
  });
  const imported = await openEpisode();
  let sequence = 0;
  const fhirImport = await time(ROUNDS, async () => {
    clock.advance(HOUR);
    const entry = [2, 1].flatMap((offset) => {
      const at = new Date(
        clock.now().getTime() - offset * 60_000,
      ).toISOString();
      return Object.entries(values())
        .filter(([analyte]) => loinc[analyte] !== undefined)
        .map(([analyte, quantity]) => {
          sequence += 1;
          return {
            resource: {
              resourceType: 'Observation',
              identifier: [{ system: 'urn:bench', value: String(sequence) }],
              status: 'final',
              code: {
                coding: [{ system: 'http://loinc.org', code: loinc[analyte] }],
              },
              effectiveDateTime: at,
              valueQuantity: {
                value: quantity.value,
                unit: quantity.unit,
                system: 'http://unitsofmeasure.org',
                code: quantity.unit,
              },
            },
          };
        });
    });
    const answer = await call(
      'POST',
      `/api/episodes/${imported.id}/fhir`,
      token,
      {
        resourceType: 'Bundle',
        type: 'collection',
        entry,
      },
    );
    if (answer.status !== 201) {
      throw new Error(
        `import: ${String(answer.status)} ${JSON.stringify(answer.json)}`,
      );
    }
  });

  const sizeOf = async (path: string) =>
    (
      await (
        await fetch(`${service.url}${path}`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).arrayBuffer()
    ).byteLength;
  const kB = (bytes: number) => `${(bytes / 1024).toFixed(0)} kB`;
  console.log(
    `FHIR beside the native routes, SQLite, ${String(ROUNDS)} rounds each, medians (Node ${process.version}):`,
  );
  console.log(
    `  sizes: a copy's $everything ${kB(await sizeOf(`/api/fhir/R4/EpisodeOfCare/${copies(0)}/$everything?_count=1000`))}, its GET /api/episodes/:id ${kB(await sizeOf(`/api/episodes/${copies(0)}`))}`,
  );
  line(
    `export: 30-event episode ($everything, ${String(copyResources)} resources; ${String(EXPORT_COPIES)} copies, each exported once)`,
    nativeRead,
    fhirFirstRead,
  );
  line(
    `export: its first page of the default size (${String(pageEntries)} resources; ${String(EXPORT_COPIES)} other copies, each once)`,
    nativeRead,
    fhirFirstPage,
  );
  line(
    `export: the whole of it by next links (${String(pagesWalked)} pages, ${String(walkedEntries)} resources; ${String(EXPORT_COPIES)} other copies, each once)`,
    nativeRead,
    fhirWalk,
  );
  line(
    `export: one such episode exported ${String(ROUNDS + 10)} times (${String(resources)} resources at the end: an AuditEvent per read)`,
    nativeRead,
    fhirRead,
  );
  line(
    `search: ferritin since 12 h (${String(found)} of the episode's results)`,
    nativeRead,
    fhirSearch,
  );
  line('import: 20 Observations, 2 samples', nativeImport, fhirImport);
} finally {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
}
