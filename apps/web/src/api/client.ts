import { clinicalUnits } from '@mas/protocol';

import { readableTimes } from '../episode/clinical-time.model.js';
import type { Session } from './types.js';

/** An answer the service refused, with its status and its words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(ApiError.describe(status, body));
  }

  /** The problem in words a clinician can act on. */
  static describe(status: number, body: Record<string, unknown>): string {
    // Units as clinicians write them (°C, ×10⁹/L), not the UCUM codes the
    // service's reasons carry.
    const message = readableTimes(
      clinicalUnits(
        typeof body['message'] === 'string'
          ? body['message']
          : Array.isArray(body['message'])
            ? body['message'].join('; ')
            : `the service answered ${status}`,
      ),
    );
    switch (status) {
      case 401:
        return `Please sign in again: ${message}`;
      case 403:
        return `Not allowed for your role: ${message}`;
      case 404:
        return `Not found: ${message}`;
      case 409:
        return `Someone else changed this episode meanwhile: ${message}`;
      case 422:
        return `The protocol does not allow this now: ${message}`;
      default:
        return message;
    }
  }
}

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** The field a 400 answer names (e.g. `body.payload.givenAt`), and its rule. */
export function fieldIssue(error: unknown): FieldIssue | null {
  if (!(error instanceof ApiError) || error.status !== 400) return null;
  const field = error.body['field'];
  const rule = error.body['rule'];
  return typeof field === 'string'
    ? {
        path: field,
        message:
          typeof rule === 'string'
            ? readableTimes(clinicalUnits(rule))
            : error.message,
      }
    : null;
}

/** A failed request in words: the field and its rule, or the service's message. */
export function errorWords(caught: unknown): string {
  const issue = fieldIssue(caught);
  if (issue) return `${issue.path}: ${issue.message}`;
  return caught instanceof ApiError ? caught.message : String(caught);
}

type Fetch = typeof fetch;

/**
 * The service's REST API, same origin. The session is the service's httpOnly
 * cookie, which the browser sends and page script never reads; a change
 * carries the session's CSRF token. A 401 (the session ended: idle,
 * signed out elsewhere, disabled) is reported to `onSignedOut`.
 */
export class ApiClient {
  constructor(
    private readonly session: Session | null,
    private readonly fetcher: Fetch = (...args) => fetch(...args),
    private readonly base = '',
    private readonly onSignedOut: () => void = () => undefined,
  ) {}

  async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.fetcher(`${this.base}${path}`, {
      method,
      credentials: 'same-origin',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.session && method !== 'GET'
          ? { 'x-mas-csrf': this.session.csrf }
          : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed: unknown = text === '' ? {} : safeJson(text);
    if (response.status === 401 && this.session) this.onSignedOut();
    if (!response.ok) {
      throw new ApiError(
        response.status,
        typeof parsed === 'object' && parsed !== null
          ? (parsed as Record<string, unknown>)
          : { message: text },
      );
    }
    return parsed as T;
  }

  /** A text download (CSV), in the session. */
  async text(path: string): Promise<string> {
    const response = await this.fetcher(`${this.base}${path}`, {
      credentials: 'same-origin',
    });
    const text = await response.text();
    if (!response.ok) {
      throw new ApiError(response.status, { message: text });
    }
    return text;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}
