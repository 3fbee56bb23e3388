/**
 * The first start on an empty database: the admin account always, and the
 * demo users and episodes only when `DEMO_DATA=true` (as `npm start` sets).
 * Passwords are generated and printed once; none is committed.
 */
import {
  amira,
  ben,
  febrileSjia,
  floridMas,
  hana,
  panelOf,
  unchanged,
} from '@mas/testing';

import { generatePassword } from './auth/password-policy.js';
import type { UsersService } from './auth/users.service.js';
import type { Clock } from './clock/clock.js';
import type { Configuration } from './config/configuration.js';
import type { EpisodesService } from './episodes/episodes.service.js';

export interface SeededCredential {
  readonly username: string;
  readonly role: string;
  readonly password: string;
}

export async function seedDemoData(
  config: Configuration,
  users: UsersService,
  episodes: EpisodesService,
  clock: Clock,
): Promise<SeededCredential[]> {
  if ((await users.count()) > 0) return [];
  const credentials: SeededCredential[] = [];
  const admin = config.ADMIN_USERNAME ?? 'admin';
  const adminPassword = config.ADMIN_PASSWORD ?? generatePassword(admin);
  await users.create(admin, adminPassword, 'admin', 'ADMIN_PASSWORD');
  credentials.push({
    username: admin,
    role: 'admin',
    password: config.ADMIN_PASSWORD ? '(from ADMIN_PASSWORD)' : adminPassword,
  });
  if (!config.DEMO_DATA) return credentials;
  const demo = [
    ['demo-clinician', 'clinician'],
    ['demo-senior-a', 'senior'],
    ['demo-senior-b', 'senior'],
    ['demo-trainee', 'trainee'],
    ['demo-auditor', 'auditor'],
  ] as const;
  const accounts = [];
  for (const [username, role] of demo) {
    const password = generatePassword(username);
    const row = await users.create(username, password, role);
    accounts.push({ id: row.id, username, role });
    credentials.push({ username, role, password });
  }
  const clinician = accounts[0];
  if (!clinician) return credentials;
  const florid = panelOf(floridMas, febrileSjia);
  const at = () => clock.now().toISOString();
  const pulseDay1 = { kind: 'pulse', day: 1, of: 3 } as const;

  const first = await episodes.create(
    { patient: amira, initialStage: 'suspected' },
    clinician,
  );
  let version = first.version;
  for (const [type, payload] of [
    ['labs.recorded', { panel: florid, collectedAt: at() }],
    [
      'therapy.started',
      {
        drug: 'methylprednisolone',
        dose: { value: 720, unit: 'mg' },
        route: 'iv',
        schedule: pulseDay1,
        givenAt: at(),
      },
    ],
  ] as const) {
    const result = await episodes.send(
      first.id,
      { type, payload, expectedVersion: version, occurredAt: at() },
      clinician,
      undefined,
    );
    version = (result.body as { version: number }).version;
  }
  const second = await episodes.create(
    { patient: hana, initialStage: 'at-risk' },
    clinician,
  );
  await episodes.send(
    second.id,
    {
      type: 'labs.recorded',
      payload: { panel: florid, collectedAt: at() },
      expectedVersion: second.version,
    },
    clinician,
    undefined,
  );
  const third = await episodes.create(
    { patient: ben, initialStage: 'suspected' },
    clinician,
  );
  version = third.version;
  for (const [type, payload] of [
    ['labs.recorded', { panel: florid, collectedAt: at() }],
    [
      'therapy.started',
      {
        drug: 'methylprednisolone',
        dose: { value: 1000, unit: 'mg' },
        route: 'iv',
        schedule: pulseDay1,
        givenAt: at(),
      },
    ],
    [
      'reassessment.recorded',
      {
        panel: panelOf(unchanged(floridMas), febrileSjia),
        collectedAt: at(),
      },
    ],
  ] as const) {
    const result = await episodes.send(
      third.id,
      { type, payload, expectedVersion: version },
      clinician,
      undefined,
    );
    version = (result.body as { version: number }).version;
  }
  return credentials;
}
