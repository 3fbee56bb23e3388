import {
  type MigrationInterface,
  type QueryRunner,
  TableColumn,
} from 'typeorm';

/**
 * The seal of an episode's kept quality facts (`qualitySeal` in
 * audit-chain.util.ts): facts without one (rows written before) or whose
 * seal does not match are never read by a report, which replays the
 * episode's audit instead.
 */
export class EpisodeQualitySeal1765756800000 implements MigrationInterface {
  name = 'EpisodeQualitySeal1765756800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'episodes',
      new TableColumn({
        name: 'quality_seal',
        type: 'varchar',
        length: '80',
        isNullable: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('episodes', 'quality_seal');
  }
}
