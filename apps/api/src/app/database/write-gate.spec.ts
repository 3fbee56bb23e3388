import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
} from '@jest/globals';
import type { DataSource, EntityManager } from 'typeorm';

import { loadConfiguration } from '../config/configuration.js';
import { createDataSource } from './data-source.js';
import { WriteGate } from './write-gate.js';

/**
 * Group commit on a real SQLite file, watched from a second connection of
 * its own (what another process would see on the disk).
 */
describe('WriteGate on SQLite: group commit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mas-gate-'));
  const file = join(dir, 'gate.sqlite');
  let dataSource: DataSource;
  let gate: WriteGate;
  let observer: DataSource;

  /** Rows as another connection sees them: what is committed. */
  const committed = () =>
    (
      observer.driver as unknown as {
        databaseConnection: {
          prepare(sql: string): { all(): { name: string }[] };
        };
      }
    ).databaseConnection
      .prepare('SELECT name FROM items ORDER BY name')
      .all()
      .map((row) => row.name);
  const insert = (manager: EntityManager, name: string) =>
    manager.query('INSERT INTO items (name) VALUES (?)', [name]);
  /** Writes queued in one turn of the event loop, as concurrent requests are. */
  const together = <T>(works: ((manager: EntityManager) => Promise<T>)[]) =>
    works.map((work) => gate.transaction(work));

  beforeAll(async () => {
    ({ dataSource } = createDataSource(
      loadConfiguration({
        SQLITE_PATH: file,
        SQLITE_GROUP_COMMIT_MAX: '4',
      }),
    ));
    await dataSource.initialize();
    await dataSource.query(
      'CREATE TABLE items (name TEXT PRIMARY KEY, parent TEXT REFERENCES items (name) DEFERRABLE INITIALLY DEFERRED)',
    );
    gate = WriteGate.for(dataSource);
    // A connection of its own (TypeORM's driver, so that its errors come
    // from the same module as the service's).
    ({ dataSource: observer } = createDataSource(
      loadConfiguration({ SQLITE_PATH: file }),
    ));
    await observer.initialize();
  });

  afterAll(async () => {
    await observer.destroy();
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await gate.run(() => dataSource.query('DELETE FROM items'));
  });

  it('writes queued together share one transaction, and each is answered only after its COMMIT', async () => {
    const seen: string[][] = [];
    const answered: string[][] = [];
    const before = { ...gate.committed };
    const writes = together(
      ['a', 'b', 'c'].map((name) => async (manager: EntityManager) => {
        await insert(manager, name);
        // Inside the group: nothing of it is on the disk yet.
        seen.push(committed());
        return name;
      }),
    );
    for (const write of writes) {
      void write.then(() => answered.push(committed()));
    }
    expect(await Promise.all(writes)).toEqual(['a', 'b', 'c']);
    expect(seen).toEqual([[], [], []]);
    // Every answer came after all three were committed.
    expect(answered).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
    // One commit for the three.
    expect(gate.committed).toEqual({
      transactions: before.transactions + 1,
      writes: before.writes + 3,
    });
  });

  it('a write that fails undoes only itself; the others of its group are committed', async () => {
    const [first, failing, last] = together([
      (manager) => insert(manager, 'a'),
      async (manager) => {
        await insert(manager, 'b');
        throw new Error('refused after writing');
      },
      (manager) => insert(manager, 'c'),
    ]);
    await expect(failing).rejects.toThrow('refused after writing');
    await first;
    await last;
    expect(committed()).toEqual(['a', 'c']);
    // A failing statement (a duplicate key) likewise.
    const again = together([
      (manager) => insert(manager, 'd'),
      (manager) => insert(manager, 'a'),
    ]);
    await expect(again[1]).rejects.toMatchObject({
      // (Matched by its message: the driver's error class may come from
      // another test file's module realm when Jest reuses a worker.)
      message: expect.stringMatching(/UNIQUE/),
    });
    await again[0];
    expect(committed()).toEqual(['a', 'c', 'd']);
  });

  it('when the COMMIT fails, no write of the group is acknowledged and none is kept', async () => {
    // A deferred foreign key is checked at COMMIT: the whole group fails.
    const writes = together([
      (manager) => insert(manager, 'a'),
      (manager) =>
        manager.query('INSERT INTO items (name, parent) VALUES (?, ?)', [
          'orphan',
          'nobody',
        ]),
    ]);
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'rejected',
      'rejected',
    ]);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(
      /FOREIGN KEY/,
    );
    expect(committed()).toEqual([]);
    // The connection is usable afterwards.
    await gate.transaction((manager) => insert(manager, 'e'));
    expect(committed()).toEqual(['e']);
  });

  it('when the database gives up the transaction, the writes before are not acknowledged and the ones after run again', async () => {
    const writes = together([
      (manager) => insert(manager, 'a'),
      async (manager) => {
        // What a full disk or an I/O error does: SQLite ends the
        // transaction itself.
        await manager.query('ROLLBACK');
        throw new Error('disk I/O error');
      },
      (manager) => insert(manager, 'c'),
    ]);
    const outcomes = await Promise.allSettled(writes);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(
      /disk I\/O error/,
    );
    expect(committed()).toEqual(['c']);
    await gate.transaction((manager) => insert(manager, 'd'));
    expect(committed()).toEqual(['c', 'd']);
  });

  it('a read through the gate sees only what is committed; a read beside an open group sees its uncommitted writes', async () => {
    const read = async () =>
      (
        await dataSource.query<{ name: string }[]>(
          'SELECT name FROM items ORDER BY name',
        )
      ).map((row) => row.name);
    let through: Promise<string[]> | undefined;
    let beside: string[] = [];
    const writes = together([
      async (manager) => {
        await insert(manager, 'a');
        through = gate.run(read);
        beside = await read();
      },
      // Fails the group's COMMIT: 'a' is never saved.
      (manager) =>
        manager.query('INSERT INTO items (name, parent) VALUES (?, ?)', [
          'orphan',
          'nobody',
        ]),
    ]);
    await Promise.allSettled(writes);
    // One connection: the read beside the group saw what was then lost ...
    expect(beside).toEqual(['a']);
    // ... the one through the gate waited for the group's end.
    expect(await through).toEqual([]);
  });

  it('at most the configured number of writes share a commit, and a write alone keeps its place in the order', async () => {
    const seen: string[][] = [];
    const order: string[] = [];
    const write = (name: string) => (manager: EntityManager) =>
      insert(manager, name).then(() => {
        seen.push(committed());
        order.push(name);
      });
    const grouped = together(['a', 'b', 'c', 'd', 'e'].map(write));
    const alone = gate.run(() => {
      order.push('alone');
      seen.push(committed());
      return Promise.resolve();
    });
    const after = gate.transaction(write('f'));
    await Promise.all([...grouped, alone, after]);
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e', 'alone', 'f']);
    // Four at most in the first group; the fifth starts the next.
    expect(seen).toEqual([
      [],
      [],
      [],
      [],
      ['a', 'b', 'c', 'd'],
      ['a', 'b', 'c', 'd', 'e'],
      ['a', 'b', 'c', 'd', 'e'],
    ]);
  });

  it('refuses a group size it cannot honour, naming the setting', () => {
    expect(() => {
      WriteGate.configure(dataSource, { groupMax: 0 });
    }).toThrow(/groupMax: a whole number from 1 to/);
    expect(() => loadConfiguration({ SQLITE_GROUP_COMMIT_MAX: '0' })).toThrow(
      /SQLITE_GROUP_COMMIT_MAX/,
    );
  });
});
