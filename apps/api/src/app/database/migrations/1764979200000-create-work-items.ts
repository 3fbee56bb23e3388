import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  TableIndex,
} from 'typeorm';

import { engineOf, timeType } from '../entities.js';

/**
 * Work items: the machine's effects made visible (second-senior approvals,
 * countersignatures, alerts), opened and closed in the transaction of the
 * event that caused them.
 */
export class CreateWorkItems1764979200000 implements MigrationInterface {
  name = 'CreateWorkItems1764979200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = engineOf(queryRunner);
    const time = timeType(engine);
    await queryRunner.createTable(
      new Table({
        name: 'work_items',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'episode_id', type: 'varchar', length: '36' },
          { name: 'episode_kind', type: 'varchar', length: '10' },
          { name: 'patient_identifier', type: 'varchar', length: '100' },
          { name: 'kind', type: 'varchar', length: '30' },
          { name: 'subject', type: 'text' },
          { name: 'details', type: 'text' },
          {
            name: 'requested_by',
            type: 'varchar',
            length: '100',
            isNullable: true,
          },
          { name: 'due_at', type: time, isNullable: true },
          { name: 'created_at', type: time },
          { name: 'recorded_at', type: time },
          { name: 'opened_seq', type: 'integer' },
          { name: 'status', type: 'varchar', length: '10' },
          { name: 'done_at', type: time, isNullable: true },
          { name: 'done_by', type: 'varchar', length: '100', isNullable: true },
          {
            name: 'resolution',
            type: 'varchar',
            length: '20',
            isNullable: true,
          },
          { name: 'closed_seq', type: 'integer', isNullable: true },
        ],
      }),
    );
    // The work list: open (or done) items of one kind of episode, oldest first.
    await queryRunner.createIndex(
      'work_items',
      new TableIndex({
        name: 'idx_work_items_status_kind_created',
        columnNames: ['status', 'episode_kind', 'created_at'],
      }),
    );
    // An episode's items, and the closing event's lookup of its item.
    await queryRunner.createIndex(
      'work_items',
      new TableIndex({
        name: 'idx_work_items_episode_status',
        columnNames: ['episode_id', 'status'],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('work_items', 'idx_work_items_episode_status');
    await queryRunner.dropIndex(
      'work_items',
      'idx_work_items_status_kind_created',
    );
    await queryRunner.dropTable('work_items');
  }
}
