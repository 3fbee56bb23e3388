import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  TableIndex,
} from 'typeorm';

import { engineOf, timeType } from '../entities.js';

/** Who read which episode, and who administered which user, when. */
export class CreateAccessLog1765238400000 implements MigrationInterface {
  name = 'CreateAccessLog1765238400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = engineOf(queryRunner);
    const time = timeType(engine);
    await queryRunner.createTable(
      new Table({
        name: 'access_log',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'at', type: time },
          { name: 'actor_id', type: 'varchar', length: '100' },
          { name: 'actor_role', type: 'varchar', length: '30' },
          { name: 'action', type: 'varchar', length: '40' },
          {
            name: 'episode_id',
            type: 'varchar',
            length: '36',
            isNullable: true,
          },
          { name: 'subject', type: 'varchar', length: '100', isNullable: true },
          { name: 'detail', type: 'text', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      'access_log',
      new TableIndex({
        name: 'idx_access_log_episode',
        columnNames: ['episode_id', 'at'],
      }),
    );
    await queryRunner.createIndex(
      'access_log',
      new TableIndex({
        name: 'idx_access_log_actor',
        columnNames: ['actor_id', 'at'],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('access_log');
  }
}
