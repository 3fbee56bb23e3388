import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

import { engineOf, timeType } from '../entities.js';

/**
 * Training sessions: a training episode's scenario, seed and virtual time.
 * The virtual patient's state is not stored: it is rebuilt from the seed and
 * the episode's audit, so the same seed and decisions give the same course.
 */
export class CreateTrainingSessions1764806400000 implements MigrationInterface {
  name = 'CreateTrainingSessions1764806400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = engineOf(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'training_sessions',
        columns: [
          {
            name: 'episode_id',
            type: 'varchar',
            length: '36',
            isPrimary: true,
          },
          { name: 'scenario_id', type: 'varchar', length: '60' },
          { name: 'seed', type: 'integer' },
          { name: 'virtual_hours', type: 'integer' },
          { name: 'started_by', type: 'varchar', length: '100' },
          { name: 'created_at', type: timeType(engine) },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('training_sessions');
  }
}
