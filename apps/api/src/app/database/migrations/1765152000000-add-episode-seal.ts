import {
  type MigrationInterface,
  type QueryRunner,
  TableColumn,
} from 'typeorm';

/**
 * Each episode's seal under the audit key (its snapshots, version and chain
 * head). Rows written before stay unsealed: verification names them, since
 * sealing them now would vouch for whatever they hold.
 */
export class AddEpisodeSeal1765152000000 implements MigrationInterface {
  name = 'AddEpisodeSeal1765152000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'episodes',
      new TableColumn({
        name: 'seal',
        type: 'varchar',
        length: '80',
        isNullable: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('episodes', 'seal');
  }
}
