import { randomUUID } from 'node:crypto';

import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { Clock } from '../clock/clock.js';
import { BoundStatements } from '../database/bound-statements.js';
import type { Entities, UserRow } from '../database/entities.js';
import { WriteGate } from '../database/write-gate.js';
import {
  type AuthenticatedUser,
  ServiceError,
  type UserRole,
} from '../episodes/episodes.service.js';
import {
  DEFAULT_SCRYPT_COST,
  hashPassword,
  hashWorkFactor,
  needsRehash,
  verifyPassword,
} from './password.util.js';
import { passwordProblem } from './password-policy.js';

/** How wrong passwords slow a login down (configuration). */
export interface LoginPolicy {
  readonly maxFailures: number;
  readonly lockoutSeconds: number;
  readonly lockoutMaxSeconds: number;
}

/** A device that has signed in to an account before (its cookie, verified). */
export interface KnownDevice {
  readonly id: string;
  readonly username: string;
}

export type LoginOutcome =
  | { readonly ok: true; readonly user: UserRow }
  | { readonly ok: false; readonly status: 401 }
  | {
      readonly ok: false;
      readonly status: 429;
      readonly retryAfterSeconds: number;
    };

/** Who the identity provider says signed in, and the role its claims give. */
export interface FederatedIdentity {
  readonly issuer: string;
  readonly subject: string;
  readonly username: string;
  readonly role: UserRole;
}

/** Why a federated sign-in is refused (a code the sign-in page explains). */
export type FederatedProblem = 'disabled' | 'username-taken';

export type FederatedSignIn =
  | {
      readonly ok: true;
      readonly user: UserRow;
      /** The role before this sign-in (null: the account is new). */
      readonly previousRole: UserRole | null;
      /** The name the provider now gives, when it is not the account's. */
      readonly claimedUsername?: string;
    }
  | { readonly ok: false; readonly problem: FederatedProblem };

/** The claims of a login token that name its session. */
export interface SessionClaims {
  readonly sub: string;
  readonly jti?: string;
  readonly tv?: number;
}

interface Counter {
  failures: number;
  lockedUntilMs: number;
}

/** What a user listing shows an admin (never the password hash). */
export interface UserSummary {
  readonly id: string;
  readonly username: string;
  readonly role: string;
  readonly disabled: boolean;
  readonly failedLogins: number;
  readonly lockedUntil: string | null;
  /** Signs in through the identity provider (no local password). */
  readonly federated: boolean;
}

export class UsersService {
  private readonly gate: WriteGate;
  private readonly statements: BoundStatements;
  /** Failures of known devices, and of usernames that do not exist. */
  private readonly deviceCounters = new Map<string, Counter>();
  private readonly unknownCounters = new Map<string, Counter>();
  /** A hash to check wrong usernames against: the same work as a real one. */
  private dummyHash: Promise<string> | null = null;
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly entities: Entities,
    private readonly clock: Clock,
    private readonly policy: LoginPolicy = {
      maxFailures: 5,
      lockoutSeconds: 60,
      lockoutMaxSeconds: 900,
    },
    /** scrypt's work factor for new hashes (PASSWORD_SCRYPT_COST). */
    private readonly passwordCost: number = DEFAULT_SCRYPT_COST,
  ) {
    this.gate = WriteGate.for(dataSource);
    this.statements = new BoundStatements(dataSource);
  }

  private repository() {
    return this.dataSource.getRepository(this.entities.user);
  }

  /** A new user; the password must pass the policy (400 naming `field`). */
  async create(
    username: string,
    password: string,
    role: UserRole,
    field = 'body.password',
  ): Promise<UserRow> {
    this.checkPassword(password, username, field);
    const row: UserRow = {
      id: randomUUID(),
      username,
      passwordHash: await hashPassword(password, this.passwordCost),
      role,
      createdAt: this.clock.now(),
      disabledAt: null,
      tokenVersion: 0,
      failedLogins: 0,
      lockedUntil: null,
    };
    await this.gate.run(() => this.repository().insert(row));
    return row;
  }

  checkPassword(password: string, username: string, field: string): void {
    const problem = passwordProblem(password, username);
    if (problem) {
      throw new ServiceError(400, {
        message: `${field}: ${problem}`,
        field,
        rule: problem,
      });
    }
  }

  async findByUsername(username: string): Promise<UserRow | null> {
    return this.repository().findOneBy({ username });
  }

  async findById(id: string): Promise<UserRow | null> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return null;
    return this.repository().findOneBy({ id });
  }

  async list(): Promise<UserSummary[]> {
    const rows = await this.repository().find({ order: { username: 'ASC' } });
    return rows.map((row) => this.summary(row));
  }

  summary(row: UserRow): UserSummary {
    return {
      id: row.id,
      username: row.username,
      role: row.role,
      disabled: row.disabledAt !== null,
      failedLogins: row.failedLogins,
      federated: (row.oidcIssuer ?? null) !== null,
      lockedUntil:
        row.lockedUntil === null
          ? null
          : new Date(row.lockedUntil).toISOString(),
    };
  }

  async count(): Promise<number> {
    return this.repository().count();
  }

  /** The lock after `failures` wrong passwords in a row (0: none). */
  private lockMs(failures: number): number {
    const { maxFailures, lockoutSeconds, lockoutMaxSeconds } = this.policy;
    if (failures < maxFailures) return 0;
    const doublings = Math.min(failures - maxFailures, 30);
    return Math.min(lockoutSeconds * 2 ** doublings, lockoutMaxSeconds) * 1000;
  }

  /**
   * A login attempt. Wrong passwords in a row lock the login for a while,
   * doubling up to a maximum, never extended by attempts during the lock:
   * per device for a client holding a device cookie of this account (so
   * that nobody else's attempts can lock the user out at their own
   * workstation), per account for every other client. An unknown username
   * or a disabled account costs the same password check and gets the same
   * answer as a wrong password.
   */
  async login(
    username: string,
    password: string,
    device: KnownDevice | null,
  ): Promise<LoginOutcome> {
    const nowMs = this.clock.now().getTime();
    const user = await this.findByUsername(username);
    const trusted = device !== null && device.username === username;
    const counter = trusted
      ? this.counter(this.deviceCounters, device.id)
      : user
        ? {
            failures: user.failedLogins,
            lockedUntilMs:
              user.lockedUntil === null
                ? 0
                : new Date(user.lockedUntil).getTime(),
          }
        : this.counter(this.unknownCounters, username);
    if (counter.lockedUntilMs > nowMs) {
      return {
        ok: false,
        status: 429,
        retryAfterSeconds: Math.ceil((counter.lockedUntilMs - nowMs) / 1000),
      };
    }
    // A user of the identity provider has no local password (an empty hash):
    // the same work and the same answer as an unknown user; so does a hash
    // this service never writes (it would answer at once).
    const usable =
      user !== null &&
      user.disabledAt === null &&
      hashWorkFactor(user.passwordHash) !== null;
    const matches = await verifyPassword(
      password,
      usable ? user.passwordHash : await this.dummy(),
    );
    if (usable && matches) {
      if (trusted) this.deviceCounters.delete(device.id);
      if (user.failedLogins !== 0 || user.lockedUntil !== null) {
        await this.gate.run(() =>
          this.repository().update(
            { id: user.id },
            { failedLogins: 0, lockedUntil: null },
          ),
        );
      }
      return { ok: true, user: await this.rehashed(user, password) };
    }
    if (trusted || user === null) {
      // In this process: read and written with no await between.
      counter.failures += 1;
      const lock = this.lockMs(counter.failures);
      counter.lockedUntilMs = lock === 0 ? 0 : nowMs + lock;
    } else {
      // In the database, counted atomically (parallel wrong passwords each
      // count), then the lock set from the count.
      await this.gate.run(async () => {
        await this.repository().increment({ id: user.id }, 'failedLogins', 1);
        const counted = await this.repository().findOne({
          select: { id: true, failedLogins: true },
          where: { id: user.id },
        });
        const lock = this.lockMs(counted?.failedLogins ?? 0);
        if (lock > 0) {
          await this.repository().update(
            { id: user.id },
            { lockedUntil: new Date(nowMs + lock) },
          );
        }
      });
    }
    return { ok: false, status: 401 };
  }

  /**
   * A hash made at a lower work factor than the one set now is made again
   * while the password is at hand (raising the setting reaches every user at
   * their next login; lowering it weakens nobody's). Only over the hash that
   * was checked: a password changed meanwhile is never overwritten with the
   * old one. Best effort: a failure leaves the old hash, and the login.
   */
  private async rehashed(user: UserRow, password: string): Promise<UserRow> {
    if (!needsRehash(user.passwordHash, this.passwordCost)) return user;
    try {
      const passwordHash = await hashPassword(password, this.passwordCost);
      const result = await this.gate.run(() =>
        this.repository().update(
          { id: user.id, passwordHash: user.passwordHash },
          { passwordHash },
        ),
      );
      return result.affected === 1 ? { ...user, passwordHash } : user;
    } catch (error) {
      this.logger.warn(
        `the password hash of user ${user.id} was not made again at the work factor set: ${error instanceof Error ? error.name : 'error'}`,
      );
      return user;
    }
  }

  private counter(map: Map<string, Counter>, key: string): Counter {
    let counter = map.get(key);
    if (!counter) {
      if (map.size >= 100_000) map.clear();
      counter = { failures: 0, lockedUntilMs: 0 };
      map.set(key, counter);
    }
    return counter;
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword(randomUUID(), this.passwordCost);
    return this.dummyHash;
  }

  /**
   * The user a token speaks for, looked up now: null if the user is gone or
   * disabled, the token was issued before the user's tokens were revoked
   * (a password or role change, "sign out everywhere"), or the token itself
   * was signed out. The role is the stored one.
   */
  async activeUser(claims: SessionClaims): Promise<AuthenticatedUser | null> {
    if (claims.jti === undefined || claims.tv === undefined) return null;
    // Asked on every request: one statement prepared once (TypeORM's query
    // builder took longer to write this query than the database to run it).
    const { user, revokedToken } = this.entities;
    const [row] = await this.statements.select<{
      id: string;
      username: string;
      role: UserRole;
      revoked: string | null;
    }>(
      'active user',
      ({ table, column, param }) =>
        `SELECT u.${column(user, 'id')} AS "id", u.${column(user, 'username')} AS "username", u.${column(user, 'role')} AS "role", r.${column(revokedToken, 'jti')} AS "revoked"
         FROM ${table(user)} u
         LEFT JOIN ${table(revokedToken)} r ON r.${column(revokedToken, 'jti')} = ${param(0)}
         WHERE u.${column(user, 'id')} = ${param(1)}
           AND u.${column(user, 'disabledAt')} IS NULL
           AND u.${column(user, 'tokenVersion')} = ${param(2)}`,
      [claims.jti, claims.sub, claims.tv],
    );
    if (!row || row.revoked !== null) return null;
    return { id: row.id, username: row.username, role: row.role };
  }

  /** Signs one token out (kept until it would have expired). */
  async revokeToken(
    userId: string,
    jti: string,
    expiresAt: Date,
  ): Promise<void> {
    await this.gate.run(() =>
      this.dataSource
        .getRepository(this.entities.revokedToken)
        .createQueryBuilder()
        .insert()
        .values({ jti, userId, expiresAt })
        .orIgnore()
        .execute(),
    );
  }

  /** Every token of the user refused from now on. */
  async revokeAll(userId: string): Promise<void> {
    await this.gate.run(() =>
      this.repository().increment({ id: userId }, 'tokenVersion', 1),
    );
  }

  /** A new password (policy checked), every earlier token refused. */
  async setPassword(
    user: UserRow,
    password: string,
    field: string,
  ): Promise<UserRow> {
    this.checkPassword(password, user.username, field);
    const passwordHash = await hashPassword(password, this.passwordCost);
    await this.gate.run(() =>
      this.repository().update(
        { id: user.id },
        {
          passwordHash,
          tokenVersion: user.tokenVersion + 1,
          failedLogins: 0,
          lockedUntil: null,
        },
      ),
    );
    return { ...user, passwordHash, tokenVersion: user.tokenVersion + 1 };
  }

  /** A role change or a disable/enable; every earlier token refused. */
  async change(
    user: UserRow,
    change: { readonly role?: UserRole; readonly disabled?: boolean },
  ): Promise<UserRow> {
    const next: UserRow = {
      ...user,
      role: change.role ?? user.role,
      disabledAt:
        change.disabled === undefined
          ? user.disabledAt
          : change.disabled
            ? (user.disabledAt ?? this.clock.now())
            : null,
      tokenVersion: user.tokenVersion + 1,
    };
    await this.gate.run(() =>
      this.repository().update(
        { id: user.id },
        {
          role: next.role,
          disabledAt: next.disabledAt,
          tokenVersion: next.tokenVersion,
        },
      ),
    );
    return next;
  }

  /**
   * A user signed in by the identity provider: found by issuer and subject,
   * or created on first sign-in (with no local password). The role is the
   * one the provider's claims give now: a change ends the user's earlier
   * sessions. A disabled account stays disabled; a username held by another
   * account is refused (never linked by name: that would hand a local
   * account to whoever the provider calls by its name).
   */
  async signInFederated(identity: FederatedIdentity): Promise<FederatedSignIn> {
    const existing = await this.repository().findOneBy({
      oidcIssuer: identity.issuer,
      oidcSubject: identity.subject,
    });
    if (existing) {
      if (existing.disabledAt !== null) {
        return { ok: false, problem: 'disabled' };
      }
      // The username is the actor in the audit and the four-eyes checks: it
      // never changes with the provider's claims (a rename there could make
      // a senior a "different" one, or hand a freed name to someone else).
      if (existing.role === identity.role) {
        return {
          ok: true,
          user: existing,
          previousRole: existing.role,
          ...(existing.username === identity.username
            ? {}
            : { claimedUsername: identity.username }),
        };
      }
      const next: UserRow = {
        ...existing,
        role: identity.role,
        tokenVersion: existing.tokenVersion + 1,
      };
      await this.gate.run(() =>
        this.repository().update(
          { id: existing.id },
          { role: next.role, tokenVersion: next.tokenVersion },
        ),
      );
      return {
        ok: true,
        user: next,
        previousRole: existing.role,
        ...(existing.username === identity.username
          ? {}
          : { claimedUsername: identity.username }),
      };
    }
    if (await this.findByUsername(identity.username)) {
      return { ok: false, problem: 'username-taken' };
    }
    const row: UserRow = {
      id: randomUUID(),
      username: identity.username,
      passwordHash: '',
      role: identity.role,
      createdAt: this.clock.now(),
      disabledAt: null,
      tokenVersion: 0,
      failedLogins: 0,
      lockedUntil: null,
      oidcIssuer: identity.issuer,
      oidcSubject: identity.subject,
    };
    try {
      await this.gate.run(() => this.repository().insert(row));
    } catch (error) {
      // The same user signing in twice at once, or the name just taken.
      const winner = await this.repository().findOneBy({
        oidcIssuer: identity.issuer,
        oidcSubject: identity.subject,
      });
      if (winner) return { ok: true, user: winner, previousRole: winner.role };
      if (await this.findByUsername(identity.username)) {
        return { ok: false, problem: 'username-taken' };
      }
      throw error;
    }
    return { ok: true, user: row, previousRole: null };
  }

  /** Correct credentials (no lockout): for checking a current password. */
  async passwordMatches(user: UserRow, password: string): Promise<boolean> {
    return verifyPassword(password, user.passwordHash);
  }
}
