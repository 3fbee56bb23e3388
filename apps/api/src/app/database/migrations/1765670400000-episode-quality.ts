import {
  type MigrationInterface,
  type QueryRunner,
  TableColumn,
} from 'typeorm';

/**
 * The quality indicators' facts kept with each real episode, folded on each
 * write, so a report reads them instead of replaying every audit. Rows
 * written before stay without (null): a report replays those.
 */
export class EpisodeQuality1765670400000 implements MigrationInterface {
  name = 'EpisodeQuality1765670400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'episodes',
      new TableColumn({ name: 'quality', type: 'text', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('episodes', 'quality');
  }
}
