import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * Indexes. The board's order (urgency, then latest change) served from an index: a
 * sort over episodes read their kilobyte snapshots from disk.
 */
export class IndexEpisodeUrgency1764720000000 implements MigrationInterface {
  name = 'IndexEpisodeUrgency1764720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('episodes', 'idx_episodes_urgency');
    await queryRunner.createIndex(
      'episodes',
      new TableIndex({
        name: 'idx_episodes_urgency_updated',
        columnNames: ['urgency', 'updated_at'],
      }),
    );
    // The scheduler's scan for due times.
    await queryRunner.createIndex(
      'episodes',
      new TableIndex({
        name: 'idx_episodes_next_due_at',
        columnNames: ['next_due_at'],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('episodes', 'idx_episodes_next_due_at');
    await queryRunner.dropIndex('episodes', 'idx_episodes_urgency_updated');
    await queryRunner.createIndex(
      'episodes',
      new TableIndex({
        name: 'idx_episodes_urgency',
        columnNames: ['urgency'],
      }),
    );
  }
}
