import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

import { faultForLog } from '../fault-log.js';

const gates = new WeakMap<DataSource, WriteGate>();

/** What `SQLITE_GROUP_COMMIT_MAX` sets when no one configured the gate. */
export const DEFAULT_GROUP_COMMIT_MAX = 64;
/** The most writes one commit may hold (a group waits for its slowest). */
export const MAX_GROUP_COMMIT = 1000;

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** A write that runs alone (its own statements, its own transaction if any). */
interface Alone extends Pending {
  readonly grouped: false;
  readonly work: () => Promise<unknown>;
}

/** A write in a transaction of its own that may share its commit. */
interface Grouped extends Pending {
  readonly grouped: true;
  readonly work: (manager: EntityManager) => Promise<unknown>;
}

type Job = Alone | Grouped;

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface SqliteConnection {
  readonly inTransaction: boolean;
}

/**
 * One writer at a time on embedded SQLite, and group commit.
 *
 * TypeORM gives SQLite a single connection. Two transactions started at once
 * on it do not wait for each other: the second becomes a savepoint inside the
 * first, so one request's rollback undoes another's acknowledged write, and a
 * plain insert issued meanwhile joins whichever transaction is open. Every
 * write on SQLite therefore goes through this queue, in arrival order.
 *
 * Writes queued together through `transaction` share one commit (group
 * commit): one `BEGIN … COMMIT` holds them, each in a savepoint of its own,
 * so a write that fails (a 409, a 422's audit, an error) undoes only itself;
 * every write of the group is answered only once the group's COMMIT has
 * returned, and if that COMMIT fails, none is acknowledged. With
 * `synchronous=FULL` one disk sync then serves the whole group. A group
 * starts on the event loop's next turn, so the requests read in one turn
 * join it; at most `groupMax` writes share a commit (1: each its own).
 *
 * PostgreSQL gives each transaction its own pooled connection and its own
 * isolation: there the gate lets everything through at once and each
 * transaction commits on its own.
 */
export class WriteGate {
  private readonly queue: Job[] = [];
  private draining = false;
  /** Transactions committed through `transaction`, and the writes they held. */
  readonly committed = { transactions: 0, writes: 0 };

  private constructor(
    private readonly dataSource: DataSource,
    private readonly serial: boolean,
    private groupMax: number,
  ) {}

  static for(dataSource: DataSource): WriteGate {
    let gate = gates.get(dataSource);
    if (!gate) {
      gate = new WriteGate(
        dataSource,
        dataSource.options.type !== 'postgres',
        DEFAULT_GROUP_COMMIT_MAX,
      );
      gates.set(dataSource, gate);
    }
    return gate;
  }

  /** Sets how many writes may share one commit (`SQLITE_GROUP_COMMIT_MAX`). */
  static configure(dataSource: DataSource, settings: { groupMax: number }) {
    const { groupMax } = settings;
    if (
      !Number.isInteger(groupMax) ||
      groupMax < 1 ||
      groupMax > MAX_GROUP_COMMIT
    ) {
      throw new RangeError(
        `groupMax: a whole number from 1 to ${String(MAX_GROUP_COMMIT)}`,
      );
    }
    WriteGate.for(dataSource).groupMax = groupMax;
  }

  /** A write that runs alone, after every write queued before it. */
  run<T>(work: () => Promise<T>): Promise<T> {
    if (!this.serial) return work();
    return this.enqueue<T>({ grouped: false, work });
  }

  /**
   * `work` in a transaction of its own (nothing of it stays if it throws),
   * answered once it is committed. On SQLite it may share its commit with
   * the writes queued beside it.
   */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serial) return this.dataSource.transaction(work);
    return this.enqueue<T>({ grouped: true, work });
  }

  private enqueue<T>(
    job: Pick<Alone, 'grouped' | 'work'> | Pick<Grouped, 'grouped' | 'work'>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle: Pending = {
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      this.queue.push({ ...job, ...settle });
      if (!this.draining) {
        this.draining = true;
        // The next turn of the event loop: the requests read in this one
        // are queued by then and share the group.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        const head = this.queue[0];
        if (head === undefined) break;
        if (!head.grouped) {
          this.queue.shift();
          if (this.connection().inTransaction) {
            // A transaction that could not be ended (see abandon): a write
            // made now would join it and never be committed.
            head.reject(
              new Error(
                'a transaction is already open on the SQLite connection: every write goes through the write gate',
              ),
            );
            continue;
          }
          await Promise.resolve()
            .then(head.work)
            .then(head.resolve, head.reject);
          continue;
        }
        let count = 1;
        while (count < this.groupMax && this.queue[count]?.grouped === true) {
          count += 1;
        }
        const group = this.queue.splice(0, count) as Grouped[];
        const { outcomes, again } = await this.commitGroup(group).catch(
          (error: unknown) => ({
            outcomes: group.map((): Outcome => ({ ok: false, error })),
            again: [] as Grouped[],
          }),
        );
        // Writes that never ran (the database gave up the transaction
        // before them): first in the queue again, in their order.
        this.queue.unshift(...again);
        group.forEach((job, index) => {
          const outcome = outcomes[index];
          if (outcome === undefined) return;
          if (outcome.ok) job.resolve(outcome.value);
          else job.reject(outcome.error);
        });
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * The group in one transaction, each write in a savepoint of its own
   * when there are several: the outcome of each write that ran, settled by
   * the caller after the COMMIT, and the writes that never ran. If the
   * transaction is lost (a failed COMMIT, or the database ended it midway),
   * every write that ran fails with that error: none is acknowledged, and
   * a refusal judged on the group's uncommitted writes (a stale version)
   * is not kept either.
   */
  private async commitGroup(
    group: Grouped[],
  ): Promise<{ outcomes: (Outcome | undefined)[]; again: Grouped[] }> {
    const runner = this.dataSource.createQueryRunner();
    const outcomes: (Outcome | undefined)[] = group.map(() => undefined);
    const failAll = (error: unknown) => ({
      outcomes: group.map((): Outcome => ({ ok: false, error })),
      again: [],
    });
    if (runner.isTransactionActive || this.connection().inTransaction) {
      // Only a write outside the gate, or a transaction that could not be
      // ended, could get here: nothing is written into it.
      return failAll(
        new Error(
          'a transaction is already open on the SQLite connection: every write goes through the write gate',
        ),
      );
    }
    try {
      await runner.startTransaction();
    } catch (error) {
      await this.abandon(runner);
      return failAll(error);
    }
    const savepoints = group.length > 1;
    let lost: unknown = undefined;
    let ran = group.length;
    for (const [index, job] of group.entries()) {
      // Savepoints of the gate's own names, so that TypeORM's count of
      // nested transactions never decides between a savepoint and the
      // whole transaction.
      const savepoint = `gate_${String(index)}`;
      try {
        if (savepoints) await runner.query(`SAVEPOINT ${savepoint}`);
        const value = await job.work(runner.manager);
        if (savepoints) await runner.query(`RELEASE SAVEPOINT ${savepoint}`);
        outcomes[index] = { ok: true, value };
      } catch (error) {
        outcomes[index] = { ok: false, error };
        if (savepoints && this.connection().inTransaction) {
          try {
            await runner.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
            await runner.query(`RELEASE SAVEPOINT ${savepoint}`);
          } catch (rollback) {
            lost = rollback;
          }
        } else if (!savepoints) {
          // A group of one: its own transaction ends with it.
          await this.abandon(runner);
          return { outcomes, again: [] };
        }
      }
      if (lost === undefined && !this.connection().inTransaction) {
        // The database rolled the whole transaction back (a full disk, an
        // I/O error): the writes before this one are gone with it.
        const failed = outcomes[index];
        lost = !failed.ok
          ? failed.error
          : new Error(
              'the database ended the transaction of this group of writes: nothing of it was saved',
            );
      }
      if (lost !== undefined) {
        ran = index + 1;
        break;
      }
    }
    if (lost === undefined) {
      try {
        await runner.commitTransaction();
        this.committed.transactions += 1;
        this.committed.writes += outcomes.filter((o) => o?.ok === true).length;
        return { outcomes, again: [] };
      } catch (error) {
        // Nothing of the group is saved: none of it is acknowledged.
        lost = error;
      }
    }
    await this.abandon(runner);
    return {
      outcomes: outcomes.map((outcome) =>
        outcome === undefined ? undefined : { ok: false, error: lost },
      ),
      again: group.slice(ran),
    };
  }

  /** Ends the transaction, whatever state SQLite and TypeORM are in. */
  private async abandon(runner: QueryRunner): Promise<void> {
    if (this.connection().inTransaction) {
      try {
        // Also after a failed COMMIT, which can leave it open.
        await runner.query('ROLLBACK');
      } catch (rollback) {
        console.error('rollback failed:', faultForLog(rollback));
      }
    }
    if (this.connection().inTransaction) {
      // Still open: TypeORM keeps counting it as open, and every later
      // write is refused (see commitGroup) rather than written into a
      // transaction that would never commit.
      console.error(
        'the SQLite transaction could not be ended: writes are refused until the service restarts',
      );
      return;
    }
    // TypeORM's own bookkeeping of the (now ended) transaction, which its
    // rollback would not reset after a failure.
    const state = runner as unknown as {
      isTransactionActive: boolean;
      transactionDepth: number;
    };
    state.isTransactionActive = false;
    state.transactionDepth = 0;
  }

  private connection(): SqliteConnection {
    return (
      this.dataSource.driver as unknown as {
        databaseConnection: SqliteConnection;
      }
    ).databaseConnection;
  }
}
