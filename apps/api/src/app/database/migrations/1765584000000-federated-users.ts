import {
  type MigrationInterface,
  type QueryRunner,
  TableColumn,
  TableIndex,
} from 'typeorm';

/**
 * Users who sign in through the hospital's identity provider (OpenID
 * Connect): the provider and its subject identify them, not the username.
 * They have no local password (an empty hash that no password matches).
 */
export class FederatedUsers1765584000000 implements MigrationInterface {
  name = 'FederatedUsers1765584000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('users', [
      new TableColumn({
        name: 'oidc_issuer',
        type: 'varchar',
        length: '300',
        isNullable: true,
      }),
      new TableColumn({
        name: 'oidc_subject',
        type: 'varchar',
        length: '255',
        isNullable: true,
      }),
    ]);
    await queryRunner.createIndex(
      'users',
      new TableIndex({
        name: 'users_oidc_identity',
        columnNames: ['oidc_issuer', 'oidc_subject'],
        isUnique: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('users', 'users_oidc_identity');
    await queryRunner.dropColumn('users', 'oidc_subject');
    await queryRunner.dropColumn('users', 'oidc_issuer');
  }
}
