import type { MigrationInterface, QueryRunner } from 'typeorm';

import { addChainColumns, dropChainColumns } from './chain-columns.js';

/**
 * The machine's refusals, authenticated: each episode's refused attempts
 * form a chain of their own (a sequence number, the previous attempt's code
 * and an HMAC under the audit key), so an attempt edited or deleted from
 * the middle is named by the audit's verification, and one deleted from the
 * end by a signed checkpoint. Null on rows an older version wrote (counted
 * apart as not authenticated).
 */
export class RejectedAttemptsChain1765929600000 implements MigrationInterface {
  name = 'RejectedAttemptsChain1765929600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await addChainColumns(
      queryRunner,
      'rejected_attempts',
      'episode_id',
      'IDX_rejected_attempts_episode_seq',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropChainColumns(
      queryRunner,
      'rejected_attempts',
      'IDX_rejected_attempts_episode_seq',
    );
  }
}
