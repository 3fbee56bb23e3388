import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';

import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { type Express, type Request, type Response } from 'express';

import { type InstitutionProfile, masProtocol } from '@mas/protocol';

import { AppModule } from './app.module.js';
import type { UsersService } from './auth/users.service.js';
import type { Clock } from './clock/clock.js';
import type { Configuration } from './config/configuration.js';
import { createDataSource } from './database/data-source.js';
import { buildEntities } from './database/entities.js';
import type { EpisodesService } from './episodes/episodes.service.js';
import { EPISODES, USERS } from './tokens.js';

export interface RunningService {
  readonly app: INestApplication;
  readonly url: string;
  readonly users: UsersService;
  readonly episodes: EpisodesService;
  close(): Promise<void>;
}

/**
 * Serves the built web app (if there is one) at `/`: its files, and its
 * index page for every other path outside /api, so the app's own routes work
 * on reload. Hashed assets are cached for good; the index page never.
 */
function serveWebApp(app: INestApplication, webDir: string): void {
  const root = resolve(webDir);
  const index = join(root, 'index.html');
  if (!existsSync(index)) return;
  const http = app.getHttpAdapter().getInstance() as Express;
  http.use(
    '/assets',
    express.static(join(root, 'assets'), { immutable: true, maxAge: '1y' }),
  );
  http.use(express.static(root, { index: false, maxAge: 0 }));
  http.get(/^(?!\/api(\/|$)).*/, (_request: Request, response: Response) => {
    response.setHeader('cache-control', 'no-store');
    response.sendFile(index);
  });
}

/**
 * Opens the database, runs the migrations (the explicit step: never
 * `synchronize`), and serves the API on `config.PORT` (0: any free port).
 */
export async function startService(options: {
  config: Configuration;
  clock: Clock;
  profile: InstitutionProfile;
  jwtSecret: string;
  host?: string;
}): Promise<RunningService> {
  const { dataSource, engine } = createDataSource(options.config);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({
      config: options.config,
      dataSource,
      entities: buildEntities(engine),
      clock: options.clock,
      profile: options.profile,
      jwtSecret: options.jwtSecret,
    }),
    // JSON bodies only: no endpoint takes a form, so no urlencoded parser
    // runs on every request (a form body is a 400 like any non-object body).
    { logger: ['error', 'warn'], bodyParser: false },
  );
  app.useBodyParser('json');
  app.getHttpAdapter().getInstance().disable('x-powered-by');
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('MAS care-episode service')
      .setDescription(
        'Decision support for the MAS treatment protocol, not a medical device. Every route but health and login needs a bearer token.',
      )
      .setVersion(masProtocol.version)
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs-json',
  });
  serveWebApp(app, options.config.WEB_DIR);
  await app.listen(options.config.PORT, options.host ?? '127.0.0.1');
  const episodes = app.get<EpisodesService>(EPISODES);
  // Due times live in the database: whatever fell due while the service was
  // down fires now, with its lateness recorded by the machine.
  await episodes.tickDue();
  const timer =
    options.config.SCHEDULER_INTERVAL_MS > 0
      ? setInterval(() => {
          episodes.tickDue().catch((error: unknown) => {
            console.error('scheduler:', error);
          });
        }, options.config.SCHEDULER_INTERVAL_MS)
      : undefined;
  const server = app.getHttpServer();
  const address = server.address() as AddressInfo;
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    users: app.get<UsersService>(USERS),
    episodes,
    async close() {
      if (timer) clearInterval(timer);
      await app.close();
      await dataSource.destroy();
    },
  };
}
