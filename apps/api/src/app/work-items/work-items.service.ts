import { randomUUID } from 'node:crypto';

import type { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';

import {
  episodeWorkItemQuerySchema,
  parseOrThrow,
  type WorkItem,
  type WorkItemKind,
  workItemKinds,
  type WorkItemPage,
  workItemQuerySchema,
  workItemSchema,
} from '@mas/contracts';

import { BoundStatements } from '../database/bound-statements.js';
import type { Entities } from '../database/entities.js';
import {
  type AuthenticatedUser,
  refuseOthersEpisode,
  ServiceError,
  type UserRole,
} from '../episodes/episodes.service.js';
import type { WorkItemRow } from './work-item.entity.js';
import type {
  ImpliedWorkItem,
  WorkItemChanges,
  WorkItemClosure,
} from './work-item-changes.util.js';

type EpisodeKind = WorkItemRow['episodeKind'];
type ActorRole = 'clinician' | 'senior' | 'trainee';

/**
 * The kinds the work list (`GET /api/work-items`) shows each role: seniors
 * the approvals and countersignatures they are asked for, and the alerts;
 * clinicians and trainees the alerts; auditors everything, read only.
 */
const listedKinds: Readonly<Record<UserRole, readonly WorkItemKind[]>> = {
  senior: workItemKinds,
  clinician: ['alert'],
  trainee: ['alert'],
  auditor: workItemKinds,
  admin: [],
};

/**
 * The kinds each role may ask for by name (`?kind=`): the treating team sees
 * which of its patients wait for an approval or a countersignature (the
 * board flags them; each episode's own list shows them to all already), but
 * its default list stays what it has to act on. Admins see no episodes.
 */
const readableKinds: Readonly<Record<UserRole, readonly WorkItemKind[]>> = {
  senior: workItemKinds,
  clinician: workItemKinds,
  trainee: workItemKinds,
  auditor: workItemKinds,
  admin: [],
};

/**
 * The roles that may record the event closing an item: a senior decides a
 * request and countersigns (never their own: four eyes, `except`); the
 * treating team acts on an alert (trainees on training episodes only).
 */
function actorRoles(kind: WorkItemKind, episodeKind: EpisodeKind): ActorRole[] {
  switch (kind) {
    case 'second-senior-approval':
    case 'countersignature':
      return ['senior'];
    case 'alert':
      return episodeKind === 'training'
        ? ['clinician', 'senior', 'trainee']
        : ['clinician', 'senior'];
  }
}

function mayActAs(roles: readonly ActorRole[], role: UserRole): boolean {
  return (roles as readonly string[]).includes(role);
}

/**
 * The work items: written by the episode service's write path (in the
 * event's transaction), listed here.
 */
export class WorkItemsService {
  private readonly statements: BoundStatements;

  constructor(
    private readonly dataSource: DataSource,
    private readonly entities: Entities,
  ) {
    this.statements = new BoundStatements(dataSource);
  }

  /**
   * Writes `changes` inside the caller's open transaction (`manager`): the
   * superseded alert items closed, new items, then the closures (an
   * episode that ends closes what was just opened too). Statements
   * prepared once; one per item or closure.
   */
  async record(
    manager: EntityManager,
    episodeId: string,
    changes: WorkItemChanges,
  ): Promise<void> {
    for (const closure of changes.superseded) {
      await this.close(manager, episodeId, closure);
    }
    for (const item of changes.opened) {
      await this.statements.insert(manager, this.entities.workItem, {
        ...item,
      });
    }
    for (const closure of changes.closed) {
      await this.close(manager, episodeId, closure);
    }
  }

  /**
   * Makes the episode's items the ones its history implies, once the
   * history changed (an entry entered in error): an item it still implies
   * (its kind, subject and opening entry) keeps its id and is set as
   * implied, one it no longer implies is deleted, one it now implies is
   * added. In the caller's transaction.
   */
  async reconcile(
    manager: EntityManager,
    episodeId: string,
    implied: readonly ImpliedWorkItem[],
  ): Promise<void> {
    const repository = manager.getRepository(this.entities.workItem);
    const unused = await repository.find({ where: { episodeId } });
    for (const item of implied) {
      const at = unused.findIndex(
        (row) =>
          row.kind === item.kind &&
          row.subject === item.subject &&
          row.openedSeq === item.openedSeq,
      );
      const [kept] = at >= 0 ? unused.splice(at, 1) : [];
      if (kept) await repository.update({ id: kept.id }, { ...item });
      else await repository.insert({ ...item, id: randomUUID(), episodeId });
    }
    for (const row of unused) await repository.delete({ id: row.id });
  }

  /** Closes every open item of the closure's kind and subject. */
  private async close(
    manager: EntityManager,
    episodeId: string,
    closure: WorkItemClosure,
  ): Promise<void> {
    const where: Record<string, unknown> = { episodeId, status: 'open' };
    if (closure.kind !== null) where['kind'] = closure.kind;
    if (closure.subject !== null) where['subject'] = closure.subject;
    await this.statements.updateWhere(manager, this.entities.workItem, where, {
      status: 'done',
      doneAt: closure.doneAt,
      doneBy: closure.doneBy,
      resolution: closure.resolution,
      closedSeq: closure.closedSeq,
    });
  }

  /** The caller's work list: open items by default, of real episodes. */
  async list(query: unknown, user: AuthenticatedUser): Promise<WorkItemPage> {
    const request = parseOrThrow(workItemQuerySchema, query, '');
    const kinds = listedKinds[user.role];
    if (
      request.kind !== undefined &&
      !readableKinds[user.role].includes(request.kind)
    ) {
      throw new ServiceError(403, {
        message: `the ${user.role} role reads no ${request.kind} items`,
      });
    }
    // One kind of episode per list, as the board: trainees see training.
    const episodeKind =
      user.role === 'trainee' ? 'training' : request.episodeKind;
    const builder = this.builder()
      .where('item.episodeKind = :episodeKind', { episodeKind })
      .andWhere('item.kind IN (:...kinds)', {
        kinds: request.kind === undefined ? kinds : [request.kind],
      });
    if (request.episodeId !== undefined) {
      builder.andWhere('item.episodeId = :episodeId', {
        episodeId: request.episodeId,
      });
    }
    // A trainee's list holds the items of the episodes they opened.
    if (user.role === 'trainee') {
      builder.andWhere(
        `item.episodeId IN (SELECT e.id FROM episodes e WHERE e.opened_by = :me)`,
        { me: user.username },
      );
    }
    return this.page(builder, request, user);
  }

  /** Every item of one episode, for whoever may read the episode. */
  async listForEpisode(
    id: string,
    query: unknown,
    user: AuthenticatedUser,
  ): Promise<WorkItemPage> {
    const request = parseOrThrow(episodeWorkItemQuerySchema, query, '');
    if (!/^[0-9a-f-]{36}$/.test(id)) {
      throw new ServiceError(404, { message: `no episode ${id}` });
    }
    const episode = await this.dataSource
      .getRepository(this.entities.episode)
      .findOne({
        select: { id: true, kind: true, openedBy: true },
        where: { id },
      });
    if (!episode) throw new ServiceError(404, { message: `no episode ${id}` });
    refuseOthersEpisode(episode, user);
    const builder = this.builder().where('item.episodeId = :id', { id });
    if (request.kind !== undefined) {
      builder.andWhere('item.kind = :kind', { kind: request.kind });
    }
    return this.page(builder, request, user);
  }

  /**
   * Every work item of these kinds on one episode, open or done, oldest
   * first, in one query and without a page limit: for a view of the whole
   * episode (FHIR) whose reader the episode service has already let read it.
   */
  async allOfEpisode(
    episodeId: string,
    kinds: readonly WorkItemKind[],
    user: AuthenticatedUser,
  ): Promise<WorkItem[]> {
    const rows = await this.builder()
      .where('item.episodeId = :episodeId', { episodeId })
      .andWhere('item.kind IN (:...kinds)', { kinds: [...kinds] })
      .orderBy('item.createdAt', 'ASC')
      .addOrderBy('item.openedSeq', 'ASC')
      .addOrderBy('item.id', 'ASC')
      .getMany();
    return rows.map((row) => this.toWorkItem(row, user));
  }

  private builder(): SelectQueryBuilder<WorkItemRow> {
    return this.dataSource
      .getRepository(this.entities.workItem)
      .createQueryBuilder('item');
  }

  /** Status, actionable and paging filters, the order, the count. */
  private async page(
    builder: SelectQueryBuilder<WorkItemRow>,
    request: {
      readonly status: 'open' | 'done' | 'all';
      readonly actionable?: 'true' | 'false' | undefined;
      readonly page: number;
      readonly pageSize: number;
    },
    user: AuthenticatedUser,
  ): Promise<WorkItemPage> {
    if (request.status !== 'all') {
      builder.andWhere('item.status = :status', { status: request.status });
    }
    if (request.actionable !== undefined) {
      const condition = this.actionableCondition(user);
      builder.andWhere(
        request.actionable === 'true' ? condition : `NOT (${condition})`,
        { me: user.username },
      );
    }
    builder
      .orderBy('item.createdAt', 'ASC')
      .addOrderBy('item.openedSeq', 'ASC')
      .addOrderBy('item.id', 'ASC')
      .offset((request.page - 1) * request.pageSize)
      .limit(request.pageSize);
    const [rows, counted] = await Promise.all([
      builder.getMany(),
      builder
        .clone()
        .select('COUNT(*)', 'total')
        .offset(undefined)
        .limit(undefined)
        .orderBy()
        .getRawOne<{ total: number | string }>(),
    ]);
    return {
      page: request.page,
      pageSize: request.pageSize,
      total: Number(counted?.total ?? 0),
      items: rows.map((row) => this.toWorkItem(row, user)),
    };
  }

  /**
   * SQL true exactly when `toWorkItem` says `actionable` for `user`: open,
   * of a kind (and episode kind) the role may close, not the user's own
   * request or start. Kind names are constants, never input.
   */
  private actionableCondition(user: AuthenticatedUser): string {
    const pairs: string[] = [];
    for (const kind of workItemKinds) {
      const episodeKinds = (['real', 'training'] as const).filter((e) =>
        mayActAs(actorRoles(kind, e), user.role),
      );
      if (episodeKinds.length === 0) continue;
      const listed = episodeKinds.map((e) => `'${e}'`).join(', ');
      pairs.push(`(item.kind = '${kind}' AND item.episodeKind IN (${listed}))`);
    }
    if (pairs.length === 0) return '1 = 0';
    return `item.status = 'open' AND (${pairs.join(' OR ')}) AND COALESCE(item.requestedBy, '') <> :me`;
  }

  private toWorkItem(row: WorkItemRow, user: AuthenticatedUser): WorkItem {
    const instant = (value: Date | null) =>
      value === null ? null : new Date(value).toISOString();
    const open = row.status === 'open';
    const roles = actorRoles(row.kind, row.episodeKind);
    return workItemSchema.parse({
      id: row.id,
      episodeId: row.episodeId,
      episodeKind: row.episodeKind,
      patientIdentifier: row.patientIdentifier,
      kind: row.kind,
      status: row.status,
      details: JSON.parse(row.details) as unknown,
      createdAt: instant(row.createdAt),
      recordedAt: instant(row.recordedAt),
      dueAt: instant(row.dueAt),
      openedBySeq: row.openedSeq,
      doneAt: instant(row.doneAt),
      doneBy: row.doneBy,
      resolution: row.resolution,
      closedBySeq: row.closedSeq,
      mayAct: open ? { roles, except: row.requestedBy } : null,
      actionable:
        open && mayActAs(roles, user.role) && row.requestedBy !== user.username,
    });
  }
}
