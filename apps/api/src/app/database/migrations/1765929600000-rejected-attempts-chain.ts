import {
  type MigrationInterface,
  type QueryRunner,
  TableColumn,
  TableIndex,
} from 'typeorm';

/**
 * The machine's refusals, authenticated: each episode's refused attempts
 * form a chain of their own (a sequence number, the previous attempt's code
 * and an HMAC under the audit key), so an attempt edited or deleted from
 * the middle is named by the audit's verification, and one deleted from the
 * end by a signed checkpoint. Null on rows an older version wrote (reported
 * as not authenticated).
 */
export class RejectedAttemptsChain1765929600000 implements MigrationInterface {
  name = 'RejectedAttemptsChain1765929600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('rejected_attempts', [
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
      'rejected_attempts',
      new TableIndex({
        name: 'IDX_rejected_attempts_episode_seq',
        columnNames: ['episode_id', 'seq'],
        isUnique: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex(
      'rejected_attempts',
      'IDX_rejected_attempts_episode_seq',
    );
    await queryRunner.dropColumns('rejected_attempts', [
      'seq',
      'prev_mac',
      'mac',
    ]);
  }
}
