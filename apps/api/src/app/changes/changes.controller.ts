import {
  Controller,
  Get,
  Inject,
  type OnModuleDestroy,
  Req,
  Res,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { changesQuerySchema, parseOrThrow } from '@mas/contracts';

import { type RequestSession, Roles } from '../auth/auth.guard.js';
import type { UsersService } from '../auth/users.service.js';
import type { Clock } from '../clock/clock.js';
import type { AuthenticatedUser } from '../episodes/episodes.service.js';
import { EPISODE_CHANGES, STREAM_SESSIONS } from '../tokens.js';
import type {
  EpisodeChange,
  EpisodeChangesService,
} from './episode-changes.service.js';

/** A comment line now and then keeps proxies from closing a quiet stream. */
const KEEP_ALIVE_MS = 25_000;

interface StreamRequest extends FastifyRequest {
  user: AuthenticatedUser;
  session: RequestSession;
}

/**
 * What a stream checks its session against, again and again: a stream
 * outlives the request that opened it, and must not outlive its session.
 */
export interface StreamSessions {
  readonly users: Pick<UsersService, 'activeUser'>;
  readonly clock: Clock;
  /** How often (ms). */
  readonly recheckMs: number;
}

/** Whether `user` may hear of a change (a trainee: their own training episodes). */
function mayHear(user: AuthenticatedUser, change: EpisodeChange): boolean {
  return (
    user.role !== 'trainee' ||
    (change.kind === 'training' && change.openedBy === user.username)
  );
}

@Controller('api/changes')
export class ChangesController implements OnModuleDestroy {
  /** The open streams, ended when the service stops (else it waits for them). */
  private readonly open = new Set<() => void>();

  constructor(
    @Inject(EPISODE_CHANGES) private readonly changes: EpisodeChangesService,
    @Inject(STREAM_SESSIONS) private readonly sessions: StreamSessions,
  ) {}

  /**
   * Server-sent events: `episode` with `{ id, version, kind }` whenever an
   * episode this user may read changes (on any instance). No patient data:
   * the page asks for what it shows.
   */
  @Roles('clinician', 'senior', 'trainee', 'auditor')
  @Get()
  stream(@Req() request: StreamRequest, @Res() reply: FastifyReply): void {
    const { user, session } = request;
    // (Refused with a 400 naming the parameter before the stream begins.)
    const shown = parseOrThrow(changesQuerySchema, request.query, 'query');
    void reply.hijack();
    const raw = reply.raw;
    let answered = false;
    /** The stream's head, once (before anything else is written). */
    const answer = () => {
      if (answered) return;
      answered = true;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      raw.write('retry: 2000\n\n');
    };
    let ended = false;
    const tell = (change: EpisodeChange) => {
      if (ended || !mayHear(user, change)) return;
      answer();
      raw.write(
        `event: episode\ndata: ${JSON.stringify({
          id: change.id,
          version: change.version,
          kind: change.kind,
        })}\n\n`,
      );
    };
    const unsubscribe = this.changes.subscribe((changes) => {
      for (const change of changes) tell(change);
    });
    // Answered once the versions already there are known: a change made
    // after the answer is then always told, never taken for one already
    // there. The page's own episode (`episode`, `version`), changed since
    // the version the page read (between its read and this answer): told
    // at once.
    void this.changes.ready().then(() => {
      if (ended) return;
      answer();
      if (shown.episode === undefined || shown.version === undefined) return;
      const now = this.changes.current(shown.episode);
      if (now !== undefined && now.version > shown.version) tell(now);
    });
    const keepAlive = setInterval(() => {
      answer();
      raw.write(': keep-alive\n\n');
    }, KEEP_ALIVE_MS);
    // The session is checked again while the stream lasts: signed out
    // (here or everywhere), disabled, role or password changed, token
    // expired: the stream ends (the page reconnects with its new session,
    // or not at all).
    const recheck = setInterval(() => {
      void (async () => {
        if (this.sessions.clock.now().getTime() >= session.expiresAtMs) {
          end();
          return;
        }
        const still = await this.sessions.users.activeUser(session.claims);
        if (!still || still.role !== user.role) end();
      })().catch(() => {
        end();
      });
    }, this.sessions.recheckMs);
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(keepAlive);
      clearInterval(recheck);
      unsubscribe();
      this.open.delete(end);
      answer();
      raw.end();
    };
    this.open.add(end);
    request.raw.on('close', end);
    // Gone already while the guard looked the user up: nothing to keep.
    if (request.raw.destroyed) end();
  }

  onModuleDestroy(): void {
    for (const end of [...this.open]) end();
    this.changes.stop();
  }
}
