import { assign, fromPromise, setup } from 'xstate';

import { type ApiClient, ApiError, fieldIssue } from '../api/client.js';
import type {
  AuditEntry,
  AuditProtocolRelease,
  EpisodeDetail,
} from '../api/types.js';

export interface EpisodeData {
  readonly detail: EpisodeDetail & { readonly initialSnapshot: unknown };
  readonly audit: readonly AuditEntry[];
  readonly chain: {
    readonly ok: boolean;
    readonly entries: number;
    readonly broken: {
      readonly seq: number | null;
      readonly reason: string;
    } | null;
    /** Each protocol content the chain records, pinned or not. */
    readonly protocolReleases: readonly AuditProtocolRelease[];
  };
}

export interface Submission {
  readonly type: string;
  readonly payload: unknown;
  readonly rationale?: string;
  /** A training episode's virtual time. */
  readonly occurredAt?: string;
}

/** What the page tells the user after an answer, in words. */
export interface Feedback {
  readonly kind: 'recorded' | 'conflict' | 'refused' | 'invalid' | 'error';
  readonly message: string;
  /** 400: the field the service named, and its rule. */
  readonly field?: string;
  readonly rule?: string;
  /** 409: the entries someone else recorded since this page loaded. */
  readonly changes?: readonly AuditEntry[];
  /** 422: a dose outside a soft limit, allowed once the prescriber confirms it. */
  readonly confirmationWouldAllow?: boolean;
  /** 422: panel fields whose unusual value the recorder must confirm. */
  readonly unusualFields?: readonly string[];
  /**
   * Said, never blocked (a day's total of a drug above its per-day limit
   * across records): on the acceptance, or with the refusal asking to
   * confirm.
   */
  readonly warnings?: readonly string[];
  /** What was sent, so its form can ask what the answer asks for. */
  readonly submission?: Submission;
}

interface Context {
  readonly api: ApiClient;
  readonly id: string;
  readonly data: EpisodeData | null;
  readonly feedback: Feedback | null;
  readonly loadError: string | null;
  /** The HTTP status of a failed load (404: no such episode here). */
  readonly loadStatus: number | null;
  /** The version the user was looking at when they sent (for 409). */
  readonly seenVersion: number | null;
  /** The submission on its way (its answer's feedback names it). */
  readonly sent: Submission | null;
}

/**
 * The episode, its audit and the chain's check. `background`: a live reload
 * nobody asked for, sent as such (`x-mas-activity: background`), so that an
 * episode page left open does not keep its session from signing out.
 */
async function load(
  api: ApiClient,
  id: string,
  background = false,
): Promise<EpisodeData> {
  const headers: Record<string, string> = background
    ? { 'x-mas-activity': 'background' }
    : {};
  const [detail, audit, chain] = await Promise.all([
    api.request<EpisodeData['detail']>(
      'GET',
      `/api/episodes/${id}`,
      undefined,
      headers,
    ),
    api.request<AuditEntry[]>(
      'GET',
      `/api/episodes/${id}/audit`,
      undefined,
      headers,
    ),
    api.request<EpisodeData['chain']>(
      'GET',
      `/api/episodes/${id}/audit/verify`,
      undefined,
      headers,
    ),
  ]);
  return { detail, audit, chain };
}

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : undefined;

/** A 409 because someone else recorded first (the version moved on). */
function isStaleVersion(error: ApiError): boolean {
  return (
    typeof error.body['version'] === 'number' ||
    /changed meanwhile/.test(String(error.body['message']))
  );
}

function feedbackOf(error: unknown, submission?: Submission | null): Feedback {
  const about = submission ? { submission } : {};
  if (error instanceof ApiError) {
    switch (error.status) {
      case 409:
        // A 409 that is not about the version (the record failed its seal:
        // an auditor must look) is said as the service says it.
        if (!isStaleVersion(error)) {
          return { kind: 'error', message: error.message, ...about };
        }
        // Someone else recorded first: the form is kept (its submission) for
        // the user to check against what changed and send again.
        return {
          kind: 'conflict',
          message:
            'Someone else changed this episode meanwhile: nothing of yours was recorded. Your form is kept below; check it against what changed, then send it again.',
          ...about,
        };
      case 422: {
        const unusualFields = strings(error.body['unusualFields']);
        const warnings = strings(error.body['warnings']);
        return {
          kind: 'refused',
          message: error.message,
          ...(warnings && warnings.length > 0 ? { warnings } : {}),
          ...(error.body['confirmationWouldAllow'] === true
            ? { confirmationWouldAllow: true }
            : {}),
          ...(unusualFields && unusualFields.length > 0
            ? { unusualFields }
            : {}),
          ...about,
        };
      }
      case 400: {
        const issue = fieldIssue(error);
        return {
          kind: 'invalid',
          message: error.message,
          ...(issue ? { field: issue.path, rule: issue.message } : {}),
          ...about,
        };
      }
      default:
        return { kind: 'error', message: error.message, ...about };
    }
  }
  return {
    kind: 'error',
    message: error instanceof Error ? error.message : String(error),
    ...about,
  };
}

/**
 * The episode page's flow: load, show, send one event, and reload; a 409
 * reloads and shows what changed, a 422 shows the machine's reason (and
 * what a confirmation would allow), a 400 the field the service named.
 */
export const episodePageMachine = setup({
  types: {
    context: {} as Context,
    input: {} as { api: ApiClient; id: string },
    events: {} as
      | { type: 'SEND'; submission: Submission }
      /** `background`: a live reload, not the user's. */
      | { type: 'RELOAD'; background?: boolean }
      | { type: 'DISMISS' },
  },
  actors: {
    load: fromPromise<
      EpisodeData,
      { api: ApiClient; id: string; background: boolean }
    >(({ input }) => load(input.api, input.id, input.background)),
    send: fromPromise<
      unknown,
      { api: ApiClient; id: string; version: number; submission: Submission }
    >(({ input }) =>
      input.api.request('POST', `/api/episodes/${input.id}/events`, {
        type: input.submission.type,
        payload: input.submission.payload,
        ...(input.submission.rationale
          ? { rationale: input.submission.rationale }
          : {}),
        ...(input.submission.occurredAt
          ? { occurredAt: input.submission.occurredAt }
          : {}),
        expectedVersion: input.version,
      }),
    ),
  },
}).createMachine({
  id: 'episodePage',
  context: ({ input }) => ({
    api: input.api,
    id: input.id,
    data: null,
    feedback: null,
    loadError: null,
    loadStatus: null,
    seenVersion: null,
    sent: null,
  }),
  initial: 'loading',
  states: {
    loading: {
      invoke: {
        src: 'load',
        input: ({ context, event }) => ({
          api: context.api,
          id: context.id,
          background: event.type === 'RELOAD' && event.background === true,
        }),
        onDone: {
          target: 'ready',
          actions: assign(({ context, event }) => {
            const seen = context.seenVersion;
            const feedback = context.feedback;
            // After a conflict: the entries recorded since the version the
            // user was looking at.
            const changes =
              feedback?.kind === 'conflict' && seen !== null
                ? event.output.audit.filter((entry) => entry.seq > seen)
                : undefined;
            return {
              data: event.output,
              loadError: null,
              feedback:
                feedback && changes ? { ...feedback, changes } : feedback,
            };
          }),
        },
        onError: {
          target: 'failed',
          actions: assign(({ event }) => ({
            loadError: feedbackOf(event.error).message,
            loadStatus:
              event.error instanceof ApiError ? event.error.status : null,
          })),
        },
      },
    },
    failed: {
      on: { RELOAD: 'loading' },
    },
    ready: {
      on: {
        SEND: {
          target: 'sending',
          actions: assign(({ context, event }) => ({
            feedback: null,
            seenVersion: context.data?.detail.version ?? null,
            sent: event.submission,
          })),
        },
        RELOAD: 'loading',
        DISMISS: { actions: assign({ feedback: null }) },
      },
    },
    sending: {
      invoke: {
        src: 'send',
        input: ({ context, event }) => {
          if (event.type !== 'SEND') throw new Error('nothing to send');
          return {
            api: context.api,
            id: context.id,
            version: context.data?.detail.version ?? 0,
            submission: event.submission,
          };
        },
        onDone: {
          target: 'loading',
          actions: assign(({ event }) => {
            const warnings = strings(
              (event.output as { warnings?: unknown } | null)?.warnings,
            );
            return {
              feedback: {
                kind: 'recorded' as const,
                message: 'Recorded.',
                ...(warnings && warnings.length > 0 ? { warnings } : {}),
              },
              sent: null,
            };
          }),
        },
        onError: [
          {
            // Someone else changed the episode: reload, then show what.
            guard: ({ event }) =>
              event.error instanceof ApiError &&
              event.error.status === 409 &&
              isStaleVersion(event.error),
            target: 'loading',
            actions: assign(({ context, event }) => ({
              feedback: feedbackOf(event.error, context.sent),
              sent: null,
            })),
          },
          {
            target: 'ready',
            actions: assign(({ context, event }) => ({
              feedback: feedbackOf(event.error, context.sent),
              sent: null,
            })),
          },
        ],
      },
    },
  },
});
