import {
  type MigrationInterface,
  type QueryRunner,
  TableColumn,
} from 'typeorm';

/**
 * The ward or site an episode is cared for on, given when it opens: the
 * quality indicators group by it. Null on episodes opened without one and
 * on rows an older version wrote (they count under "every ward").
 */
export class EpisodeWard1765843200000 implements MigrationInterface {
  name = 'EpisodeWard1765843200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'episodes',
      new TableColumn({
        name: 'ward',
        type: 'varchar',
        length: '64',
        isNullable: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('episodes', 'ward');
  }
}
