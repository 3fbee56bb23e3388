import {
  type MigrationInterface,
  type QueryRunner,
  TableColumn,
} from 'typeorm';

/**
 * The seal of an episode's kept quality facts (`qualitySeal` in
 * audit-chain.util.ts): facts whose seal does not match are never read by a
 * report, which replays the episode's audit instead. Facts kept before
 * seals cannot be vouched for: they are cleared (derived data: the next
 * report replays those episodes once and keeps their facts anew, sealed),
 * so that from here on facts without a seal are facts written outside the
 * service, named by verification.
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
    await queryRunner.query('UPDATE episodes SET quality = NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('episodes', 'quality_seal');
  }
}
