import {
  type MigrationInterface,
  type QueryRunner,
  TableColumn,
} from 'typeorm';

/** Keeps each episode's first snapshot, from which its audit is replayed. */
export class AddInitialSnapshot1764633600000 implements MigrationInterface {
  name = 'AddInitialSnapshot1764633600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'episodes',
      new TableColumn({
        name: 'initial_snapshot',
        type: 'text',
        isNullable: true,
      }),
    );
    // Episodes without events: their snapshot is the initial one.
    await queryRunner.query(
      'UPDATE episodes SET initial_snapshot = snapshot WHERE version = 0',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('episodes', 'initial_snapshot');
  }
}
