/**
 * Work items: what the care-episode machine asks people to do, made visible.
 * The machine's effects become items: `requestSecondSenior` a
 * second-senior approval, `requestCountersignature` a countersignature,
 * `notifyClinician` one alert item per alert raised. An item closes when the
 * event it waits for is accepted (approval or rejection, countersignature,
 * the alert clearing) or when the episode ends.
 */
import { z } from 'zod';

import { instantSchema } from './episode-event.schema.js';
import {
  MAX_PAGE,
  MAX_PAGE_SIZE,
  pageOf,
  wholeNumber,
} from './list-query.schema.js';

export const workItemKinds = [
  'second-senior-approval',
  'countersignature',
  'alert',
] as const;
export type WorkItemKind = (typeof workItemKinds)[number];

export const workItemStatuses = ['open', 'done'] as const;
export type WorkItemStatus = (typeof workItemStatuses)[number];

/** How an item was closed. */
export const workItemResolutions = [
  'approved',
  'rejected',
  'countersigned',
  'cleared',
  // An alert that still stands but now says something else (its severity
  // or its text): its item is closed, and one with the new words opens.
  'superseded',
  'episode-ended',
] as const;
export type WorkItemResolution = (typeof workItemResolutions)[number];

/** The service's user roles that may record the event closing an item. */
export const workItemActorRoles = ['clinician', 'senior', 'trainee'] as const;

const nonEmpty = z.string().min(1);

export const secondSeniorApprovalDetailsSchema = z
  .object({
    requestId: nonEmpty,
    drug: nonEmpty,
    requestedBy: nonEmpty,
    rationale: z.string().nullable(),
  })
  .strict();

export const countersignatureDetailsSchema = z
  .object({
    /** The machine's id of the emergency start (`<drug>-<n>`). */
    emergencyStartId: nonEmpty,
    drug: nonEmpty,
    startedBy: nonEmpty,
    rationale: z.string().nullable(),
  })
  .strict();

export const alertDetailsSchema = z
  .object({
    alertId: nonEmpty,
    severity: z.enum(['critical', 'warning', 'info']),
    message: nonEmpty,
    evidence: z.array(z.string()),
    /** When the machine raised it. */
    since: instantSchema,
  })
  .strict();

const workItemBase = {
  id: z.uuid(),
  episodeId: nonEmpty,
  episodeKind: z.enum(['real', 'training']),
  patientIdentifier: nonEmpty,
  status: z.enum(workItemStatuses),
  /** The time of the event that opened it (the episode's clock). */
  createdAt: instantSchema,
  /** When the service recorded it. */
  recordedAt: instantSchema,
  /** A countersignature's deadline; null for the other kinds. */
  dueAt: instantSchema.nullable(),
  /** The audit entry (sequence number) of the event that opened it. */
  openedBySeq: z.number().int().min(1),
  doneAt: instantSchema.nullable(),
  /** The actor whose event closed it. */
  doneBy: z.string().nullable(),
  resolution: z.enum(workItemResolutions).nullable(),
  /** The audit entry of the event that closed it. */
  closedBySeq: z.number().int().min(1).nullable(),
  /**
   * Who may record the event that closes it: these roles, except the
   * requester or starter (four eyes). Open items only carry it; done: null.
   */
  mayAct: z
    .object({
      roles: z.array(z.enum(workItemActorRoles)),
      except: z.string().nullable(),
    })
    .strict()
    .nullable(),
  /** Whether the caller may record the closing event. */
  actionable: z.boolean(),
};

export const workItemSchema = z.discriminatedUnion('kind', [
  z
    .object({
      ...workItemBase,
      kind: z.literal('second-senior-approval'),
      details: secondSeniorApprovalDetailsSchema,
    })
    .strict(),
  z
    .object({
      ...workItemBase,
      kind: z.literal('countersignature'),
      details: countersignatureDetailsSchema,
    })
    .strict(),
  z
    .object({
      ...workItemBase,
      kind: z.literal('alert'),
      details: alertDetailsSchema,
    })
    .strict(),
]);
export type WorkItem = z.infer<typeof workItemSchema>;

export const workItemPageSchema = pageOf(workItemSchema);
export type WorkItemPage = z.infer<typeof workItemPageSchema>;

/** The largest page of a list. */
export const WORK_ITEM_MAX_PAGE_SIZE = MAX_PAGE_SIZE;

/** The query of an episode's work items (`GET /api/episodes/:id/work-items`). */
export const episodeWorkItemQuerySchema = z
  .object({
    kind: z.enum(workItemKinds).optional(),
    /** `open` by default; `all` for both. */
    status: z.enum([...workItemStatuses, 'all']).default('open'),
    /** `true`: only what the caller may close; `false`: the rest. */
    actionable: z.enum(['true', 'false']).optional(),
    page: wholeNumber(MAX_PAGE).default(1),
    pageSize: wholeNumber(WORK_ITEM_MAX_PAGE_SIZE).default(25),
  })
  .strict();

/** The query of the work list (`GET /api/work-items`). */
export const workItemQuerySchema = episodeWorkItemQuerySchema
  .extend({
    episodeId: z
      .string()
      .regex(/^[0-9a-f-]{36}$/, 'must be an episode id (a UUID)')
      .optional(),
    /** Real episodes by default (trainees: always training). */
    episodeKind: z.enum(['real', 'training']).default('real'),
  })
  .strict();
export type WorkItemQuery = z.output<typeof workItemQuerySchema>;
