import {
  type MigrationInterface,
  type QueryRunner,
  TableColumn,
} from 'typeorm';

/**
 * An Idempotency-Key bound to the request it was used for: its route, its
 * episode and the hash of its body.
 */
export class IdempotencyScope1765497600000 implements MigrationInterface {
  name = 'IdempotencyScope1765497600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('idempotency_keys', [
      new TableColumn({
        name: 'route',
        type: 'varchar',
        length: '60',
        isNullable: true,
      }),
      new TableColumn({
        name: 'episode_id',
        type: 'varchar',
        length: '36',
        isNullable: true,
      }),
      new TableColumn({
        name: 'body_hash',
        type: 'varchar',
        length: '80',
        isNullable: true,
      }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ['body_hash', 'episode_id', 'route']) {
      await queryRunner.dropColumn('idempotency_keys', column);
    }
  }
}
