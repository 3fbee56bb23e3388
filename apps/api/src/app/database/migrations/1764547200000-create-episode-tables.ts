import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  TableIndex,
} from 'typeorm';

import { engineOf, timeType } from '../entities.js';

/** Users, episodes, the append-only audit, rejected attempts, idempotency keys. */
export class CreateEpisodeTables1764547200000 implements MigrationInterface {
  name = 'CreateEpisodeTables1764547200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const engine = engineOf(queryRunner);
    const time = timeType(engine);
    const id = { name: 'id', type: 'varchar', length: '36', isPrimary: true };
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          id,
          { name: 'username', type: 'varchar', length: '100', isUnique: true },
          { name: 'password_hash', type: 'varchar', length: '300' },
          { name: 'role', type: 'varchar', length: '20' },
          { name: 'created_at', type: time },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'episodes',
        columns: [
          id,
          { name: 'kind', type: 'varchar', length: '10' },
          { name: 'patient_identifier', type: 'varchar', length: '100' },
          { name: 'snapshot', type: 'text' },
          { name: 'stage', type: 'varchar', length: '300' },
          { name: 'tags', type: 'text' },
          { name: 'alert_ids', type: 'text' },
          { name: 'overdue', type: 'boolean' },
          { name: 'urgency', type: 'integer' },
          { name: 'next_due_at', type: time, isNullable: true },
          { name: 'protocol_version', type: 'varchar', length: '20' },
          { name: 'protocol_hash', type: 'varchar', length: '80' },
          { name: 'profile_hash', type: 'varchar', length: '80' },
          { name: 'machine_version', type: 'varchar', length: '20' },
          { name: 'version', type: 'integer' },
          { name: 'created_at', type: time },
          { name: 'updated_at', type: time },
        ],
      }),
    );
    await queryRunner.createIndex(
      'episodes',
      new TableIndex({
        name: 'idx_episodes_urgency',
        columnNames: ['urgency'],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'audit_entries',
        columns: [
          id,
          { name: 'episode_id', type: 'varchar', length: '36' },
          { name: 'seq', type: 'integer' },
          { name: 'type', type: 'varchar', length: '60' },
          { name: 'payload', type: 'text' },
          { name: 'actor_id', type: 'varchar', length: '100' },
          { name: 'actor_role', type: 'varchar', length: '30' },
          { name: 'occurred_at', type: time },
          { name: 'recorded_at', type: time },
          { name: 'rationale', type: 'text', isNullable: true },
          { name: 'evidence', type: 'text' },
          { name: 'guard', type: 'text' },
          { name: 'state_before', type: 'text' },
          { name: 'state_after', type: 'text' },
          { name: 'protocol_hash', type: 'varchar', length: '80' },
          { name: 'profile_hash', type: 'varchar', length: '80' },
          { name: 'prev_hash', type: 'varchar', length: '80' },
          { name: 'hash', type: 'varchar', length: '80' },
        ],
        uniques: [
          { name: 'uq_audit_episode_seq', columnNames: ['episode_id', 'seq'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'rejected_attempts',
        columns: [
          id,
          { name: 'episode_id', type: 'varchar', length: '36' },
          { name: 'type', type: 'varchar', length: '60' },
          { name: 'payload', type: 'text' },
          { name: 'actor_id', type: 'varchar', length: '100' },
          { name: 'actor_role', type: 'varchar', length: '30' },
          { name: 'recorded_at', type: time },
          { name: 'reason', type: 'text' },
          { name: 'evidence', type: 'text' },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { name: 'key', type: 'varchar', length: '200', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'status', type: 'integer' },
          { name: 'body', type: 'text' },
          { name: 'created_at', type: time },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'idempotency_keys',
      'rejected_attempts',
      'audit_entries',
      'episodes',
      'users',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
