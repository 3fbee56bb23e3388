import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * The board lists one kind of episode (real or training) in urgency order
 * and counts them: both from one index. Without it the count read every
 * episode row, whose kilobyte snapshots come before the kind on disk (10 ms
 * for 10,000 episodes on every page of the board). Every list filters on the
 * kind, so the (urgency, updated_at) index goes: one index fewer to keep on
 * every write.
 */
export class IndexEpisodeKind1764892800000 implements MigrationInterface {
  name = 'IndexEpisodeKind1764892800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex(
      'episodes',
      new TableIndex({
        name: 'idx_episodes_kind_urgency_updated',
        columnNames: ['kind', 'urgency', 'updated_at'],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex(
      'episodes',
      'idx_episodes_kind_urgency_updated',
    );
  }
}
