import type {
  EntityManager,
  EntitySchema,
  FindOptionsWhere,
  ObjectLiteral,
} from 'typeorm';
import { IsNull, Not } from 'typeorm';

/** The columns every row of a keyed chain of its own carries. */
interface ChainColumns {
  seq: number | null;
  prevMac: string | null;
  mac: string | null;
}

/** A chain's row before its place and code are given. */
export type Unchained<Row> = Omit<Row, keyof ChainColumns>;

/**
 * Appends one row to its owner's keyed chain (an episode's refused attempts,
 * a user's access log): its place after the owner's last row (`seq`), that
 * row's code (`prevMac`) and its own code (`macOf`, an HMAC under the audit
 * key over both). Inside the caller's transaction. On PostgreSQL an advisory
 * lock per owner (`lockKey`) orders two appends of one owner, since nothing
 * else they write does: the last row is read after the lock, by a statement
 * of its own, so under READ COMMITTED (the data source's, PostgreSQL's
 * default) it sees the row committed by whoever held the lock before; the
 * unique index (owner, seq) stops a stricter isolation from writing two of
 * one seq. SQLite's writes are serialised by the write gate already.
 */
export async function appendChained<Row extends ObjectLiteral & ChainColumns>(
  manager: EntityManager,
  entity: EntitySchema<Row>,
  owner: {
    readonly column: keyof Row & string;
    readonly lockKey: string;
  },
  row: Unchained<Row>,
  macOf: (chained: Omit<Row, 'mac'>) => string,
): Promise<void> {
  if (manager.dataSource.options.type === 'postgres') {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      owner.lockKey,
    ]);
  }
  const repository = manager.getRepository(entity);
  const last = await repository.findOne({
    select: { seq: true, mac: true } as never,
    where: {
      [owner.column]: row[owner.column as keyof Unchained<Row>],
      seq: Not(IsNull()),
    } as FindOptionsWhere<Row>,
    order: { seq: 'DESC' } as never,
  });
  const chained = {
    ...row,
    seq: (last?.seq ?? 0) + 1,
    prevMac: last?.mac ?? null,
  } as unknown as Omit<Row, 'mac'>;
  await repository.insert({ ...chained, mac: macOf(chained) } as never);
}
