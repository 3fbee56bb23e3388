import type { DataSource, EntityManager, EntitySchema } from 'typeorm';

/**
 * Insert and versioned update with every value bound as a parameter.
 *
 * TypeORM's query builder writes numbers into the SQL text on SQLite, so an
 * update that sets `version = 7` is a new statement every time: better-sqlite3
 * prepares it again and TypeORM's statement cache (first in, first out)
 * evicts the statements that do repeat. Here the SQL text depends only on the
 * columns, so each statement is prepared once; values are still encoded by
 * TypeORM's driver for their column (dates, booleans), on both engines.
 */
interface SqliteStatement {
  run(...params: unknown[]): { changes: number };
  all(...params: unknown[]): unknown[];
}

interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

/** better-sqlite3 binds no booleans: 0/1, as TypeORM's runner does. */
function sqliteValue(value: unknown): unknown {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

export class BoundStatements {
  private readonly sql = new Map<string, string>();
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(private readonly dataSource: DataSource) {}

  private placeholder(index: number): string {
    return this.dataSource.options.type === 'postgres' ? `$${index + 1}` : '?';
  }

  private encode(
    target: EntitySchema,
    values: Record<string, unknown>,
  ): { columns: string[]; params: unknown[] } {
    const metadata = this.dataSource.getMetadata(target);
    const columns: string[] = [];
    const params: unknown[] = [];
    for (const [property, value] of Object.entries(values)) {
      const column = metadata.findColumnWithPropertyName(property);
      if (!column) throw new Error(`${metadata.name} has no ${property}`);
      columns.push(column.databaseName);
      params.push(this.dataSource.driver.preparePersistentValue(value, column));
    }
    return { columns, params };
  }

  async insert(
    manager: EntityManager,
    target: EntitySchema,
    values: Record<string, unknown>,
  ): Promise<void> {
    const { columns, params } = this.encode(target, values);
    const key = `insert ${target.options.name} ${columns.join(',')}`;
    let sql = this.sql.get(key);
    if (sql === undefined) {
      const table = this.dataSource.getMetadata(target).tableName;
      sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map((_, i) => this.placeholder(i)).join(', ')})`;
      this.sql.set(key, sql);
    }
    await this.run(manager, sql, params);
  }

  /**
   * The row `id` of `target` as an entity object (values decoded by the
   * driver for their column, as the repository does), or null: one
   * statement prepared once instead of a query builder per call.
   */
  async findById<T>(
    manager: EntityManager,
    target: EntitySchema<T>,
    id: string,
  ): Promise<T | null> {
    const metadata = this.dataSource.getMetadata(target);
    const key = `find ${metadata.name}`;
    let sql = this.sql.get(key);
    if (sql === undefined) {
      sql = `SELECT * FROM "${metadata.tableName}" WHERE "id" = ${this.placeholder(0)}`;
      this.sql.set(key, sql);
    }
    const rows = (await this.all(manager, sql, [id])) as Record<
      string,
      unknown
    >[];
    const raw = rows[0];
    if (raw === undefined) return null;
    const entity: Record<string, unknown> = {};
    for (const column of metadata.columns) {
      entity[column.propertyName] = this.dataSource.driver.prepareHydratedValue(
        raw[column.databaseName],
        column,
      );
    }
    return entity as T;
  }

  /**
   * The last audit entry's sequence and hash for an episode (the chain's
   * head), or null when the chain is empty.
   */
  async chainHead(
    manager: EntityManager,
    target: EntitySchema,
    episodeId: string,
  ): Promise<{ seq: number; hash: string } | null> {
    const metadata = this.dataSource.getMetadata(target);
    const key = `head ${metadata.name}`;
    let sql = this.sql.get(key);
    if (sql === undefined) {
      const name = (property: string) => {
        const column = metadata.findColumnWithPropertyName(property);
        if (!column) throw new Error(`${metadata.name} has no ${property}`);
        return `"${column.databaseName}"`;
      };
      sql = `SELECT ${name('seq')} AS "seq", ${name('hash')} AS "hash" FROM "${metadata.tableName}" WHERE ${name('episodeId')} = ${this.placeholder(0)} ORDER BY ${name('seq')} DESC LIMIT 1`;
      this.sql.set(key, sql);
    }
    const rows = (await this.all(manager, sql, [episodeId])) as {
      seq: number | string;
      hash: string;
    }[];
    const head = rows[0];
    return head === undefined
      ? null
      : { seq: Number(head.seq), hash: head.hash };
  }

  /**
   * A read outside any transaction (the caller's SQL, made once from the
   * entities' names by `build`): prepared once on SQLite, a parameterised
   * query through the pool on PostgreSQL. For reads made on every request,
   * where building the query with TypeORM's query builder cost more than
   * running it.
   */
  async select<T>(
    name: string,
    build: (sql: {
      table: (target: EntitySchema) => string;
      column: (target: EntitySchema, property: string) => string;
      param: (index: number) => string;
    }) => string,
    params: unknown[],
  ): Promise<T[]> {
    const key = `select ${name}`;
    let sql = this.sql.get(key);
    if (sql === undefined) {
      sql = build({
        table: (target) => `"${this.dataSource.getMetadata(target).tableName}"`,
        column: (target, property) => {
          const metadata = this.dataSource.getMetadata(target);
          const column = metadata.findColumnWithPropertyName(property);
          if (!column) throw new Error(`${metadata.name} has no ${property}`);
          return `"${column.databaseName}"`;
        },
        param: (index) => this.placeholder(index),
      });
      this.sql.set(key, sql);
    }
    const db = this.sqlite();
    if (db === null) return this.dataSource.query<T[]>(sql, params);
    return this.prepared(db, sql).all(...params.map(sqliteValue)) as T[];
  }

  /**
   * On SQLite the statements run on the driver's connection directly, inside
   * the transaction TypeORM opened on it (SQLite has one connection): the
   * query runner's per-query layers (events, logging, its own statement
   * cache) cost more than these statements. PostgreSQL goes through the
   * transaction's query runner (its pooled connection).
   */
  private sqlite(): SqliteConnection | null {
    if (this.dataSource.options.type !== 'better-sqlite3') return null;
    return (
      this.dataSource.driver as unknown as {
        databaseConnection: SqliteConnection;
      }
    ).databaseConnection;
  }

  private prepared(db: SqliteConnection, sql: string): SqliteStatement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs a write; the rows changed. */
  private async run(
    manager: EntityManager,
    sql: string,
    params: unknown[],
  ): Promise<number> {
    const runner = this.runner(manager);
    const db = this.sqlite();
    if (db === null) {
      const result = await runner.query(sql, params, true);
      return result.affected ?? 0;
    }
    return this.prepared(db, sql).run(...params.map(sqliteValue)).changes;
  }

  private async all(
    manager: EntityManager,
    sql: string,
    params: unknown[],
  ): Promise<unknown[]> {
    const runner = this.runner(manager);
    const db = this.sqlite();
    if (db === null) return (await runner.query(sql, params)) as unknown[];
    return this.prepared(db, sql).all(...params.map(sqliteValue));
  }

  private runner(manager: EntityManager) {
    const runner = manager.queryRunner;
    if (!runner?.isTransactionActive) {
      throw new Error('bound statements run inside a transaction');
    }
    return runner;
  }

  /**
   * Sets `values` on the rows of `target` whose columns equal `where` (every
   * one); the rows changed. The SQL depends only on the column names.
   */
  async updateWhere(
    manager: EntityManager,
    target: EntitySchema,
    where: Record<string, unknown>,
    values: Record<string, unknown>,
  ): Promise<number> {
    const set = this.encode(target, values);
    const match = this.encode(target, where);
    const key = `update ${target.options.name} ${set.columns.join(',')} where ${match.columns.join(',')}`;
    let sql = this.sql.get(key);
    if (sql === undefined) {
      const table = this.dataSource.getMetadata(target).tableName;
      const assignments = set.columns
        .map((c, i) => `"${c}" = ${this.placeholder(i)}`)
        .join(', ');
      const conditions = match.columns
        .map((c, i) => `"${c}" = ${this.placeholder(set.columns.length + i)}`)
        .join(' AND ');
      sql = `UPDATE "${table}" SET ${assignments} WHERE ${conditions}`;
      this.sql.set(key, sql);
    }
    return this.run(manager, sql, [...set.params, ...match.params]);
  }

  /** Updates the row `id` only if it is still at `version`; the rows changed. */
  async updateVersioned(
    manager: EntityManager,
    target: EntitySchema,
    id: string,
    version: number,
    values: Record<string, unknown>,
  ): Promise<number> {
    const { columns, params } = this.encode(target, values);
    const key = `update ${target.options.name} ${columns.join(',')}`;
    let sql = this.sql.get(key);
    if (sql === undefined) {
      const table = this.dataSource.getMetadata(target).tableName;
      const set = columns
        .map((c, i) => `"${c}" = ${this.placeholder(i)}`)
        .join(', ');
      sql = `UPDATE "${table}" SET ${set} WHERE "id" = ${this.placeholder(columns.length)} AND "version" = ${this.placeholder(columns.length + 1)}`;
      this.sql.set(key, sql);
    }
    return this.run(manager, sql, [...params, id, version]);
  }
}
