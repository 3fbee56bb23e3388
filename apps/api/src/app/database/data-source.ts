import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import { DataSource } from 'typeorm';

import type { Configuration } from '../config/configuration.js';
import { buildEntities, type Engine } from './entities.js';
import { CreateEpisodeTables1764547200000 } from './migrations/1764547200000-create-episode-tables.js';
import { AddInitialSnapshot1764633600000 } from './migrations/1764633600000-add-initial-snapshot.js';
import { IndexEpisodeUrgency1764720000000 } from './migrations/1764720000000-index-episode-urgency.js';
import { CreateTrainingSessions1764806400000 } from './migrations/1764806400000-create-training-sessions.js';
import { IndexEpisodeKind1764892800000 } from './migrations/1764892800000-index-episode-kind.js';
import { CreateWorkItems1764979200000 } from './migrations/1764979200000-create-work-items.js';
import { AddEpisodeSeal1765152000000 } from './migrations/1765152000000-add-episode-seal.js';
import { CreateAccessLog1765238400000 } from './migrations/1765238400000-create-access-log.js';
import { Accounts1765324800000 } from './migrations/1765324800000-accounts.js';
import { AddEpisodeOpener1765411200000 } from './migrations/1765411200000-add-episode-opener.js';
import { IdempotencyScope1765497600000 } from './migrations/1765497600000-idempotency-scope.js';
import { FederatedUsers1765584000000 } from './migrations/1765584000000-federated-users.js';
import { EpisodeQuality1765670400000 } from './migrations/1765670400000-episode-quality.js';
import { EpisodeQualitySeal1765756800000 } from './migrations/1765756800000-episode-quality-seal.js';
import { EpisodeWard1765843200000 } from './migrations/1765843200000-episode-ward.js';
import { RejectedAttemptsChain1765929600000 } from './migrations/1765929600000-rejected-attempts-chain.js';
import { AccessLogChain1766016000000 } from './migrations/1766016000000-access-log-chain.js';
import { EpisodeReplayBase1766102400000 } from './migrations/1766102400000-episode-replay-base.js';
import { WriteGate } from './write-gate.js';

export const migrations = [
  CreateEpisodeTables1764547200000,
  AddInitialSnapshot1764633600000,
  IndexEpisodeUrgency1764720000000,
  CreateTrainingSessions1764806400000,
  IndexEpisodeKind1764892800000,
  CreateWorkItems1764979200000,
  AddEpisodeSeal1765152000000,
  CreateAccessLog1765238400000,
  Accounts1765324800000,
  AddEpisodeOpener1765411200000,
  IdempotencyScope1765497600000,
  FederatedUsers1765584000000,
  EpisodeQuality1765670400000,
  EpisodeQualitySeal1765756800000,
  EpisodeWard1765843200000,
  RejectedAttemptsChain1765929600000,
  AccessLogChain1766016000000,
  EpisodeReplayBase1766102400000,
];

/** The data source for the configured engine; migrations run explicitly. */
export function createDataSource(config: Configuration): {
  dataSource: DataSource;
  engine: Engine;
} {
  if (config.DATABASE_URL) {
    const entities = buildEntities('postgres');
    return {
      engine: 'postgres',
      dataSource: new DataSource({
        type: 'postgres',
        url: config.DATABASE_URL,
        entities: Object.values(entities),
        migrations,
        synchronize: false,
        migrationsRun: false,
      }),
    };
  }
  mkdirSync(dirname(config.SQLITE_PATH), { recursive: true });
  const entities = buildEntities('sqlite');
  const dataSource = new DataSource({
    type: 'better-sqlite3',
    database: config.SQLITE_PATH,
    enableWAL: true,
    prepareDatabase: (db: { pragma: (sql: string) => unknown }) => {
      db.pragma(`synchronous = ${config.SQLITE_SYNCHRONOUS}`);
      db.pragma('busy_timeout = 5000');
    },
    entities: Object.values(entities),
    migrations,
    synchronize: false,
    migrationsRun: false,
  });
  WriteGate.configure(dataSource, {
    groupMax: config.SQLITE_GROUP_COMMIT_MAX,
  });
  return { engine: 'sqlite', dataSource };
}
