import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, mergeMap, type Observable } from 'rxjs';

import type { AuthenticatedUser } from '../episodes/episodes.service.js';
import { ACCESS_LOG } from '../tokens.js';
import type { AccessLogService } from './access-log.service.js';

const LOGGED_READ = 'mas:logged-read';

/**
 * Marks a route that reads patient data: each successful answer is logged
 * (who, the episode in the route's `:id`, when) before it is sent. If the
 * log cannot be written, the data is not sent.
 */
export const LogsRead = (action: string) => SetMetadata(LOGGED_READ, action);

interface LoggedRequest {
  readonly user?: AuthenticatedUser;
  readonly params?: Record<string, string>;
  readonly query?: Record<string, unknown>;
}

@Injectable()
export class AccessLogInterceptor implements NestInterceptor {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ACCESS_LOG) private readonly log: AccessLogService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const action = this.reflector.get<string | undefined>(
      LOGGED_READ,
      context.getHandler(),
    );
    if (action === undefined) return next.handle();
    const request = context.switchToHttp().getRequest<LoggedRequest>();
    const user = request.user;
    return next.handle().pipe(
      mergeMap((answer: unknown) => {
        if (!user) return from([answer]);
        const episodeId = request.params?.['id'] ?? null;
        const query = request.query ?? {};
        return from(
          this.log
            .record({
              user,
              action,
              episodeId,
              ...(Object.keys(query).length > 0 ? { detail: query } : {}),
            })
            .then(() => answer),
        );
      }),
    );
  }
}
