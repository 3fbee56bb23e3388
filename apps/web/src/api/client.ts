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
    const message =
      typeof body['message'] === 'string'
        ? body['message']
        : Array.isArray(body['message'])
          ? body['message'].join('; ')
          : `the service answered ${status}`;
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
    ? { path: field, message: typeof rule === 'string' ? rule : error.message }
    : null;
}

type Fetch = typeof fetch;

/** The service's REST API, same origin, with the session's bearer token. */
export class ApiClient {
  constructor(
    private readonly session: Session | null,
    private readonly fetcher: Fetch = (...args) => fetch(...args),
    private readonly base = '',
  ) {}

  async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.fetcher(`${this.base}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.session
          ? { authorization: `Bearer ${this.session.token}` }
          : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed: unknown = text === '' ? {} : safeJson(text);
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

  /** A text download (CSV), with the token. */
  async text(path: string): Promise<string> {
    const response = await this.fetcher(`${this.base}${path}`, {
      headers: this.session
        ? { authorization: `Bearer ${this.session.token}` }
        : {},
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
