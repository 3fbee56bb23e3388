import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseInstitutionProfile } from '@mas/protocol';

import { DEFAULT_SCRYPT_COST } from './app/auth/password.util.js';
import { startService } from './app/bootstrap.js';
import { SystemClock } from './app/clock/clock.js';
import {
  ConfigurationError,
  loadConfiguration,
} from './app/config/configuration.js';
import { seedDemoData } from './app/demo-data.js';
import {
  type EpisodesService,
  ServiceError,
} from './app/episodes/episodes.service.js';
import { loadServiceKeys } from './app/keys/service-keys.js';
import { EPISODES } from './app/tokens.js';

import 'reflect-metadata';

const EXAMPLE_PROFILE = fileURLToPath(
  new URL(
    '../../../libs/protocol/profiles/example.profile.json',
    import.meta.url,
  ),
);

async function main(): Promise<void> {
  // Every file the service creates (the database, its WAL and journal, the
  // keys) is readable by its own user alone.
  process.umask(0o077);
  let config;
  try {
    config = loadConfiguration(process.env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const profile = parseInstitutionProfile(
    JSON.parse(readFileSync(config.PROFILE_PATH ?? EXAMPLE_PROFILE, 'utf8')),
  );
  const clock = new SystemClock();
  let service;
  try {
    service = await startService({
      config,
      clock,
      profile,
      keys: loadServiceKeys({
        keysDir: config.KEYS_DIR,
        dataDir: config.DATA_DIR,
        jwtSecret: config.JWT_SECRET,
        auditKey: config.AUDIT_KEY,
      }),
    });
  } catch (error) {
    if (error instanceof ConfigurationError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  let credentials;
  try {
    credentials = await seedDemoData(
      config,
      service.users,
      service.app.get<EpisodesService>(EPISODES),
      clock,
    );
  } catch (error) {
    // A weak ADMIN_PASSWORD is named, as every bad configuration.
    if (error instanceof ServiceError) {
      console.error(`configuration: ${String(error.body['message'])}`);
      await service.close();
      process.exit(2);
    }
    throw error;
  }
  console.log(
    `MAS care-episode service — decision support, not a medical device`,
  );
  console.log(
    `Listening on ${service.url} (${config.DATABASE_URL ? 'PostgreSQL' : `SQLite ${config.SQLITE_PATH}`})`,
  );
  console.log(
    existsSync(join(config.WEB_DIR, 'index.html'))
      ? `Web app: ${service.url}/ (API docs: ${service.url}/api/docs)`
      : `No web app built in ${config.WEB_DIR}: run \`npm run build:web\` (API docs: ${service.url}/api/docs)`,
  );
  console.log(
    `Institution profile: ${profile.data.profileId} ${profile.data.version}${profile.data.example ? ' — EXAMPLE, not clinical guidance' : ''}`,
  );
  if (config.PASSWORD_SCRYPT_COST < DEFAULT_SCRYPT_COST) {
    console.warn(
      `PASSWORD_SCRYPT_COST=${String(config.PASSWORD_SCRYPT_COST)} is below the default ${String(DEFAULT_SCRYPT_COST)}: password hashes are cheaper to guess (for tests only)`,
    );
  }
  if (credentials.length > 0 && !config.DEMO_DATA) {
    console.log(
      'An empty database: the admin account alone (no demo data unless DEMO_DATA=true, as `npm start` sets):',
    );
  }
  if (credentials.length > 0) {
    console.log(
      config.DEMO_DATA
        ? 'Demo users (passwords generated now, shown once):'
        : 'Admin (password generated now, shown once):',
    );
    for (const c of credentials)
      console.log(
        `  ${c.username.padEnd(16)} ${c.role.padEnd(10)} ${c.password}`,
      );
  }
  console.log(
    `Log in: curl -s -X POST ${service.url}/api/auth/login -H 'content-type: application/json' -d '{"username":"${config.DEMO_DATA ? 'demo-clinician' : (config.ADMIN_USERNAME ?? 'admin')}","password":"<password>"}'`,
  );
  const stop = () => {
    void service.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
