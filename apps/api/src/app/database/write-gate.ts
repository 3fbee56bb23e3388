import type { DataSource } from 'typeorm';

const gates = new WeakMap<DataSource, WriteGate>();

/**
 * One writer at a time on embedded SQLite.
 *
 * TypeORM gives SQLite a single connection. Two transactions started at once
 * on it do not wait for each other: the second becomes a savepoint inside the
 * first, so one request's rollback undoes another's acknowledged write, and a
 * plain insert issued meanwhile joins whichever transaction is open. Every
 * write on SQLite therefore goes through this queue, in arrival order.
 * PostgreSQL gives each transaction its own pooled connection and its own
 * isolation: there the gate lets everything through at once.
 */
export class WriteGate {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(private readonly serial: boolean) {}

  static for(dataSource: DataSource): WriteGate {
    let gate = gates.get(dataSource);
    if (!gate) {
      gate = new WriteGate(dataSource.options.type !== 'postgres');
      gates.set(dataSource, gate);
    }
    return gate;
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    if (!this.serial) return work();
    const result = this.tail.then(work, work);
    // The next writer waits for this one to settle, success or failure.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
