import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';

import type { Clock } from '../clock/clock.js';
import type { Entities, UserRow } from '../database/entities.js';
import { WriteGate } from '../database/write-gate.js';
import type { UserRole } from '../episodes/episodes.service.js';
import { hashPassword, verifyPassword } from './password.util.js';

export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly entities: Entities,
    private readonly clock: Clock,
  ) {}

  async create(
    username: string,
    password: string,
    role: UserRole,
  ): Promise<UserRow> {
    const row: UserRow = {
      id: randomUUID(),
      username,
      passwordHash: await hashPassword(password),
      role,
      createdAt: this.clock.now(),
    };
    await WriteGate.for(this.dataSource).run(() =>
      this.dataSource.getRepository(this.entities.user).insert(row),
    );
    return row;
  }

  async findByUsername(username: string): Promise<UserRow | null> {
    return this.dataSource
      .getRepository(this.entities.user)
      .findOneBy({ username });
  }

  async list(): Promise<{ id: string; username: string; role: string }[]> {
    const rows = await this.dataSource
      .getRepository(this.entities.user)
      .find({ order: { username: 'ASC' } });
    return rows.map(({ id, username, role }) => ({ id, username, role }));
  }

  async count(): Promise<number> {
    return this.dataSource.getRepository(this.entities.user).count();
  }

  /** The user for these credentials, or null (same answer for both failures). */
  async authenticate(
    username: string,
    password: string,
  ): Promise<UserRow | null> {
    const user = await this.findByUsername(username);
    if (!user) return null;
    return (await verifyPassword(password, user.passwordHash)) ? user : null;
  }
}
