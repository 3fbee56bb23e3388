import {
  type MigrationInterface,
  type QueryRunner,
  TableColumn,
} from 'typeorm';

/**
 * Where an episode's replay starts once a newer statechart took it over:
 * the stored snapshot and audit entry at the first write under the new
 * machine version (audit-replay.util.ts). Null on episodes written under
 * one machine version only (they replay from their first snapshot).
 */
export class EpisodeReplayBase1766102400000 implements MigrationInterface {
  name = 'EpisodeReplayBase1766102400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'episodes',
      new TableColumn({ name: 'replay_base', type: 'text', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('episodes', 'replay_base');
  }
}
