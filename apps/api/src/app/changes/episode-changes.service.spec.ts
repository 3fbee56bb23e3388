import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DataSource, EntitySchema } from 'typeorm';

import { loadConfiguration } from '../config/configuration.js';
import { createDataSource } from '../database/data-source.js';
import type { EpisodeRow } from '../database/entities.js';
import {
  type EpisodeChange,
  EpisodeChangesService,
} from './episode-changes.service.js';

/**
 * The changes a stream tells, on a real SQLite file written from a second
 * connection (another instance of the service, or a write that lands
 * while the stream opens).
 */
describe('EpisodeChangesService on SQLite: what is already there, and what is a change', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mas-changes-'));
  const file = join(dir, 'changes.sqlite');
  let dataSource: DataSource;
  let writer: DataSource;
  let episodes: EntitySchema<EpisodeRow>;
  let stamp = Date.parse('2026-12-07T10:00:00.000Z');

  /** A write from the other connection, done before this call returns. */
  const writeNow = (sql: string, parameters: unknown[]) =>
    (
      writer.driver as unknown as {
        databaseConnection: {
          prepare(sql: string): { run(...parameters: unknown[]): unknown };
        };
      }
    ).databaseConnection
      .prepare(sql)
      .run(...parameters);
  const episodeAt = (id: string, version: number) => {
    stamp += 1000;
    const at = new Date(stamp).toISOString();
    writeNow(
      `INSERT INTO episodes (id, kind, patient_identifier, snapshot, stage, tags, alert_ids, overdue, urgency,
         protocol_version, protocol_hash, profile_hash, machine_version, version, created_at, updated_at)
       VALUES (?, 'real', ?, '{}', 'suspected', '[]', '[]', 0, 0, '1.0.0', 'sha256:p', 'sha256:q', '2.3.0', ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at`,
      [id, `patient-${id}`, version, at, at],
    );
  };
  const until = async (test: () => boolean) => {
    for (let waited = 0; waited < 10_000; waited += 20) {
      if (test()) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('not heard within 10 s');
  };

  beforeAll(async () => {
    ({ dataSource } = createDataSource(
      loadConfiguration({ SQLITE_PATH: file }),
    ));
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    ({ dataSource: writer } = createDataSource(
      loadConfiguration({ SQLITE_PATH: file }),
    ));
    await writer.initialize();
    const schema = (
      Object.values(dataSource.options.entities ?? {}) as unknown[]
    ).find(
      (entity): entity is EntitySchema<EpisodeRow> =>
        entity instanceof EntitySchema && entity.options.name === 'Episode',
    );
    if (schema === undefined) throw new Error('no Episode entity');
    episodes = schema;
  });

  afterAll(async () => {
    await writer.destroy();
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a first look that cannot read (the database away) is tried again, and ready() waits for it: what was already there is never told as a change', async () => {
    episodeAt('c', 4);
    // A connection not open yet: every read fails until it is.
    const { dataSource: late } = createDataSource(
      loadConfiguration({ SQLITE_PATH: file }),
    );
    const service = new EpisodeChangesService(late, episodes, 50);
    const heard: EpisodeChange[] = [];
    const stop = service.subscribe((changes) => heard.push(...changes));
    try {
      let ready = false;
      void service.ready().then(() => {
        ready = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(ready).toBe(false);
      await late.initialize();
      await service.ready();
      episodeAt('d', 1);
      await until(() => heard.some((h) => h.id === 'd'));
      expect(heard.map((h) => h.id)).not.toContain('c');
    } finally {
      stop();
      await late.destroy();
    }
  });

  it('ready() waits for the first look: a change written as the first listener subscribes is already there; one written after ready() is told', async () => {
    episodeAt('a', 1);
    const service = new EpisodeChangesService(dataSource, episodes, 100);
    const heard: EpisodeChange[] = [];
    const stop = service.subscribe((changes) => heard.push(...changes));
    try {
      // In the same turn, before the first look has read anything: part
      // of what is there when the stream answers.
      episodeAt('a', 2);
      await service.ready();
      // After the answer: a change, told (a ready() that answered before
      // the first look was done would have it read as already there).
      episodeAt('a', 3);
      episodeAt('b', 1);
      await until(() => heard.some((h) => h.id === 'a' && h.version === 3));
      await until(() => heard.some((h) => h.id === 'b'));
      expect(
        heard.map(({ id, version }) => `${id}@${String(version)}`).sort(),
      ).toEqual(['a@3', 'b@1']);
    } finally {
      stop();
    }
    // Nobody listening: nothing to wait for.
    await expect(service.ready()).resolves.toBeUndefined();
  });
});
