import { type QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * The columns of a keyed chain of its own (refused attempts per episode,
 * the access log per user): the row's place (`seq`), the previous row's
 * code and its own HMAC, null on rows written before; unique per owner.
 */
export async function addChainColumns(
  queryRunner: QueryRunner,
  table: string,
  ownerColumn: string,
  indexName: string,
): Promise<void> {
  await queryRunner.addColumns(table, [
    new TableColumn({ name: 'seq', type: 'integer', isNullable: true }),
    new TableColumn({
      name: 'prev_mac',
      type: 'varchar',
      length: '100',
      isNullable: true,
    }),
    new TableColumn({
      name: 'mac',
      type: 'varchar',
      length: '100',
      isNullable: true,
    }),
  ]);
  await queryRunner.createIndex(
    table,
    new TableIndex({
      name: indexName,
      columnNames: [ownerColumn, 'seq'],
      isUnique: true,
    }),
  );
}

export async function dropChainColumns(
  queryRunner: QueryRunner,
  table: string,
  indexName: string,
): Promise<void> {
  await queryRunner.dropIndex(table, indexName);
  await queryRunner.dropColumns(table, ['seq', 'prev_mac', 'mac']);
}
