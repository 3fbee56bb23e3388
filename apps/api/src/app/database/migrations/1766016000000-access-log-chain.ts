import type { MigrationInterface, QueryRunner } from 'typeorm';

import { addChainColumns, dropChainColumns } from './chain-columns.js';

/**
 * The access log, authenticated: each user's entries form a chain (a
 * sequence number, the previous entry's code and an HMAC under the audit
 * key), so a read of patient data edited or deleted from the middle of a
 * user's record is named by the audit's verification, and one deleted from
 * the end by a signed checkpoint. Null on rows an older version wrote.
 */
export class AccessLogChain1766016000000 implements MigrationInterface {
  name = 'AccessLogChain1766016000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addChainColumns(
      queryRunner,
      'access_log',
      'actor_id',
      'IDX_access_log_actor_seq',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropChainColumns(
      queryRunner,
      'access_log',
      'IDX_access_log_actor_seq',
    );
  }
}
