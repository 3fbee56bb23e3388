import { EntitySchema } from 'typeorm';

import type {
  WorkItemKind,
  WorkItemResolution,
  WorkItemStatus,
} from '@mas/contracts';

/**
 * One work item: opened by an effect of an accepted event, closed by the
 * event it waits for, both in that event's transaction.
 */
export interface WorkItemRow {
  id: string;
  episodeId: string;
  /** Copied from the episode (never changes): lists filter on it. */
  episodeKind: 'real' | 'training';
  patientIdentifier: string;
  kind: WorkItemKind;
  /**
   * What the item is about within its episode and kind: the request id, the
   * emergency start id, the alert id. Closing events find their item by it.
   */
  subject: string;
  /** JSON: the kind's details (libs/contracts `workItemSchema`). */
  details: string;
  /** The requester or starter, who may not close it (four eyes); null for alerts. */
  requestedBy: string | null;
  dueAt: Date | null;
  /** The time of the event that opened it. */
  createdAt: Date;
  /** The service's clock when it was written. */
  recordedAt: Date;
  openedSeq: number;
  status: WorkItemStatus;
  doneAt: Date | null;
  doneBy: string | null;
  resolution: WorkItemResolution | null;
  closedSeq: number | null;
}

/** The work items' table; `time` is the engine's instant type. */
export function buildWorkItemEntity(time: 'timestamptz' | 'datetime') {
  return new EntitySchema<WorkItemRow>({
    name: 'WorkItem',
    tableName: 'work_items',
    columns: {
      id: { type: 'varchar', length: 36, primary: true },
      episodeId: { name: 'episode_id', type: 'varchar', length: 36 },
      episodeKind: { name: 'episode_kind', type: 'varchar', length: 10 },
      patientIdentifier: {
        name: 'patient_identifier',
        type: 'varchar',
        length: 100,
      },
      kind: { type: 'varchar', length: 30 },
      // Request ids are free text of any length: no varchar limit.
      subject: { type: 'text' },
      details: { type: 'text' },
      requestedBy: {
        name: 'requested_by',
        type: 'varchar',
        length: 100,
        nullable: true,
      },
      dueAt: { name: 'due_at', type: time, nullable: true },
      createdAt: { name: 'created_at', type: time },
      recordedAt: { name: 'recorded_at', type: time },
      openedSeq: { name: 'opened_seq', type: 'integer' },
      status: { type: 'varchar', length: 10 },
      doneAt: { name: 'done_at', type: time, nullable: true },
      doneBy: { name: 'done_by', type: 'varchar', length: 100, nullable: true },
      resolution: { type: 'varchar', length: 20, nullable: true },
      closedSeq: { name: 'closed_seq', type: 'integer', nullable: true },
    },
  });
}
