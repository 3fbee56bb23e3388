import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  TableColumn,
} from 'typeorm';

import { engineOf, timeType } from '../entities.js';

/**
 * Accounts that can be disabled, locked for a while after wrong passwords,
 * and whose tokens can be revoked (one, or all by moving the token version).
 */
export class Accounts1765324800000 implements MigrationInterface {
  name = 'Accounts1765324800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = engineOf(queryRunner);
    const time = timeType(engine);
    await queryRunner.addColumns('users', [
      new TableColumn({ name: 'disabled_at', type: time, isNullable: true }),
      new TableColumn({ name: 'token_version', type: 'integer', default: 0 }),
      new TableColumn({ name: 'failed_logins', type: 'integer', default: 0 }),
      new TableColumn({ name: 'locked_until', type: time, isNullable: true }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'revoked_tokens',
        columns: [
          { name: 'jti', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'expires_at', type: time },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('revoked_tokens');
    for (const column of [
      'locked_until',
      'failed_logins',
      'token_version',
      'disabled_at',
    ]) {
      await queryRunner.dropColumn('users', column);
    }
  }
}
