import {
  type MigrationInterface,
  type QueryRunner,
  TableColumn,
} from 'typeorm';

/**
 * Who opened each episode: a trainee reaches only the training episodes
 * they opened. Training episodes started from a scenario take the trainee
 * who started the session; other rows written before stay without one.
 */
export class AddEpisodeOpener1765411200000 implements MigrationInterface {
  name = 'AddEpisodeOpener1765411200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'episodes',
      new TableColumn({
        name: 'opened_by',
        type: 'varchar',
        length: '100',
        isNullable: true,
      }),
    );
    await queryRunner.query(
      "UPDATE episodes SET opened_by = (SELECT started_by FROM training_sessions WHERE training_sessions.episode_id = episodes.id) WHERE kind = 'training'",
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('episodes', 'opened_by');
  }
}
