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
        const outcomes = await this.commitGroup(group).catch((error: unknown) =>
          group.map(() => ({ ok: false, error }) as const),
        );
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
   * The group in one transaction, each write in a savepoint when there are
   * several; the outcome of each, settled by the caller after the COMMIT.
   * Writes that could not run because the database gave up the transaction
   * are put back at the head of the queue (no outcome).
   */
  private async commitGroup(
    group: Grouped[],
  ): Promise<(Outcome | undefined)[]> {
    const runner = this.dataSource.createQueryRunner();
    const outcomes: (Outcome | undefined)[] = group.map(() => undefined);
    if (runner.isTransactionActive) {
      // Only a write outside the gate could get here; nesting would let one
      // request's rollback undo another's acknowledged write.
      const error = new Error(
        'a transaction is already open on the SQLite connection: every write goes through the write gate',
      );
      return group.map(() => ({ ok: false, error }));
    }
    try {
      await runner.startTransaction();
    } catch (error) {
      return group.map(() => ({ ok: false, error }));
    }
    const savepoints = group.length > 1;
    let lost: unknown = undefined;
    for (const [index, job] of group.entries()) {
      try {
        if (savepoints) await runner.startTransaction();
        const value = await job.work(runner.manager);
        if (savepoints) await runner.commitTransaction();
        outcomes[index] = { ok: true, value };
      } catch (error) {
        outcomes[index] = { ok: false, error };
        if (!this.connection().inTransaction) {
          // The database rolled the whole transaction back (a full disk, an
          // I/O error): the writes before this one are gone with it.
          lost = error;
          this.put(group.slice(index + 1));
          break;
        }
        if (savepoints) {
          try {
            await runner.rollbackTransaction();
          } catch (rollback) {
            lost = rollback;
            this.put(group.slice(index + 1));
            break;
          }
        } else {
          await this.abandon(runner);
          return outcomes;
        }
      }
    }
    if (lost === undefined) {
      try {
        await runner.commitTransaction();
        this.committed.transactions += 1;
        this.committed.writes += outcomes.filter((o) => o?.ok === true).length;
        return outcomes;
      } catch (error) {
        // Nothing of the group is saved: none of it is acknowledged.
        lost = error;
      }
    }
    await this.abandon(runner);
    return outcomes.map((outcome) =>
      outcome?.ok === true ? { ok: false, error: lost } : outcome,
    );
  }

  /** Writes that never ran, back at the head of the queue in their order. */
  private put(jobs: Grouped[]): void {
    this.queue.unshift(...jobs);
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
    // TypeORM's own bookkeeping of the (now ended) transaction and its
    // savepoints, which its rollback would not reset after a failure.
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
