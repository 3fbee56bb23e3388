import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { DataSource } from 'typeorm';

import { loadConfiguration } from '../config/configuration.js';
import { BoundStatements } from './bound-statements.js';
import { createDataSource } from './data-source.js';
import { buildEntities, type UserRow } from './entities.js';
import { WriteGate } from './write-gate.js';

/** On a real SQLite file: the write path's own transaction and statements. */
describe('BoundStatements on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mas-bound-'));
  const entities = buildEntities('sqlite');
  let dataSource: DataSource;
  let statements: BoundStatements;
  let gate: WriteGate;

  const user = (name: string): UserRow => ({
    id: `00000000-0000-4000-8000-${name.padStart(12, '0')}`,
    username: name,
    passwordHash: 'not a real hash',
    role: 'clinician',
    disabledAt: null,
    tokenVersion: 0,
    failedLogins: 0,
    lockedUntil: null,
    createdAt: new Date('2026-03-01T08:00:00Z'),
  });
  const count = () => dataSource.getRepository(entities.user).count();

  beforeAll(async () => {
    ({ dataSource } = createDataSource(
      loadConfiguration({ SQLITE_PATH: join(dir, 'bound.sqlite') }),
    ));
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    statements = new BoundStatements(dataSource);
    gate = WriteGate.for(dataSource);
  });

  afterAll(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits what the work wrote, and rolls all of it back when the work fails', async () => {
    await gate.transaction(async (manager) => {
      await statements.insert(manager, entities.user, { ...user('1') });
    });
    expect(await count()).toBe(1);

    await expect(
      gate.transaction(async (manager) => {
        await statements.insert(manager, entities.user, { ...user('2') });
        await manager.getRepository(entities.user).insert(user('3'));
        throw new Error('refused after writing');
      }),
    ).rejects.toThrow('refused after writing');
    expect(await count()).toBe(1);

    // A statement that fails inside (a duplicate key) rolls back too, and
    // leaves the connection usable.
    await expect(
      gate.transaction(async (manager) => {
        await statements.insert(manager, entities.user, { ...user('4') });
        await statements.insert(manager, entities.user, { ...user('1') });
      }),
    ).rejects.toMatchObject({
      // (Matched by its message: the driver's error class may come from
      // another test file's module realm when Jest reuses a worker.)
      message: expect.stringMatching(/UNIQUE/),
    });
    expect(await count()).toBe(1);
    await gate.transaction(async (manager) => {
      await statements.insert(manager, entities.user, { ...user('5') });
    });
    expect(await count()).toBe(2);
  });

  it('reads a row back with its values decoded per column, as the repository does', async () => {
    const found = await gate.transaction((manager) =>
      statements.findById(manager, entities.user, user('5').id),
    );
    expect(found).toEqual(
      await dataSource
        .getRepository(entities.user)
        .findOneBy({ id: user('5').id }),
    );
    expect(found?.createdAt).toBeInstanceOf(Date);
    expect(
      await gate.transaction((manager) =>
        statements.findById(manager, entities.user, user('9').id),
      ),
    ).toBeNull();
  });

  it('a read outside any transaction: its SQL made once from the entity names, its values bound', async () => {
    const build = jest.fn(
      ({
        table,
        column,
        param,
      }: Parameters<Parameters<BoundStatements['select']>[1]>[0]) =>
        `SELECT ${column(entities.user, 'username')} AS "name" FROM ${table(entities.user)} WHERE ${column(entities.user, 'tokenVersion')} = ${param(0)} AND ${column(entities.user, 'id')} = ${param(1)}`,
    );
    const named = (id: string) =>
      statements.select<{ name: string }>('user by id', build, [0, id]);
    expect(await named(user('1').id)).toEqual([{ name: '1' }]);
    expect(await named(user('5').id)).toEqual([{ name: '5' }]);
    expect(await named("' OR 1=1 --")).toEqual([]);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('refuses to run a bound statement outside a transaction, and writes nothing', async () => {
    const before = await count();
    await expect(
      statements.insert(dataSource.createQueryRunner().manager, entities.user, {
        ...user('7'),
      }),
    ).rejects.toThrow('bound statements run inside a transaction');
    expect(await count()).toBe(before);
  });
});
