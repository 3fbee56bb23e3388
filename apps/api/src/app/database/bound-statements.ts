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
export class BoundStatements {
  private readonly sql = new Map<string, string>();

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
    await this.runner(manager).query(sql, params);
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
    const rows = (await this.runner(manager).query(sql, [id])) as Record<
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
    const rows = (await this.runner(manager).query(sql, [episodeId])) as {
      seq: number | string;
      hash: string;
    }[];
    const head = rows[0];
    return head === undefined
      ? null
      : { seq: Number(head.seq), hash: head.hash };
  }

  private runner(manager: EntityManager) {
    const runner = manager.queryRunner;
    if (!runner) throw new Error('bound statements run inside a transaction');
    return runner;
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
    const result = await this.runner(manager).query(
      sql,
      [...params, id, version],
      true,
    );
    return result.affected ?? 0;
  }
}
