import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve, sep } from 'node:path';

import fastifyCookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
// The reply's sendFile (types of the static-file plugin Nest registers).
import type {} from '@fastify/static';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';
import { type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import type { DataSource } from 'typeorm';

import { buildOpenApiDocument } from '@mas/contracts';
import { type InstitutionProfile, masProtocol } from '@mas/protocol';
import { scenarios } from '@mas/simulation';

import { AppModule } from './app.module.js';
import type { UsersService } from './auth/users.service.js';
import type { Clock } from './clock/clock.js';
import {
  type Configuration,
  ConfigurationError,
} from './config/configuration.js';
import { createDataSource } from './database/data-source.js';
import { buildEntities } from './database/entities.js';
import type { EpisodesService } from './episodes/episodes.service.js';
import { faultForLog } from './fault-log.js';
import { fhirOutcomeOf } from './http-errors.filter.js';
import {
  BODY_LIMIT_BYTES,
  MAX_PARAM_LENGTH,
  REQUEST_TIMEOUT_MS,
} from './http-limits.js';
import { badText } from './json-text.js';
import type { ServiceKeys } from './keys/service-keys.js';
import { RequestRefusal } from './request-refusal.error.js';
import { EPISODES, USERS } from './tokens.js';

export interface RunningService {
  readonly app: INestApplication;
  readonly url: string;
  readonly users: UsersService;
  readonly episodes: EpisodesService;
  /** The service's database (its write gate: `WriteGate.for(dataSource)`). */
  readonly dataSource: DataSource;
  close(): Promise<void>;
}

/** Charset names a JSON body may be declared in (US-ASCII is UTF-8's subset). */
const UTF8_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii']);

/** How long a browser keeps a hashed (content-named) file of the build. */
const IMMUTABLE_MAX_AGE_SECONDS = 365 * 86_400;

/** The build's directory of hashed files (Vite's default). */
const ASSETS_DIR = 'assets';

/**
 * Serves the built web app (if there is one) at `/`: its files, and its
 * index page for every other path outside /api, so the app's own routes work
 * on reload. Hashed assets are cached for good; the index page never.
 */
function serveWebApp(app: NestFastifyApplication, webDir: string): void {
  const root = resolve(webDir);
  const index = join(root, 'index.html');
  if (!existsSync(index)) return;
  const assets = join(root, ASSETS_DIR);
  // @fastify/static passes its reply here (Nest's option type still says a
  // Node response, which has no `header`).
  const setHeaders = (response: unknown, path: string) => {
    (response as FastifyReply).header(
      'cache-control',
      path.startsWith(`${assets}${sep}`)
        ? `public, max-age=${String(IMMUTABLE_MAX_AGE_SECONDS)}, immutable`
        : path === index
          ? 'no-store'
          : 'no-cache',
    );
  };
  // A route per file of the build found at start (no wildcard: the app's own
  // routes fall through to its index page below; index.html itself is read
  // per request) ...
  app.useStaticAssets({
    root,
    prefix: '/',
    index: false,
    wildcard: false,
    cacheControl: false,
    // The .br and .gz copies the build made (tools/precompress-web.mjs),
    // to browsers that accept them.
    preCompressed: true,
    setHeaders,
  });
  // ... and the assets directory read per request, so that a build made while
  // the service runs is served whole.
  app.useStaticAssets({
    root: assets,
    prefix: `/${ASSETS_DIR}/`,
    index: false,
    cacheControl: false,
    decorateReply: false,
    preCompressed: true,
    setHeaders,
  });
  const fastify = app.getHttpAdapter().getInstance();
  const notPages = new RegExp(`^/(api|${ASSETS_DIR})(/|$|\\?)`);
  fastify.get('/*', (request, reply) => {
    // The API's unknown paths and missing build files are 404s, not the page.
    if (notPages.test(request.url)) {
      return reply
        .status(404)
        .send({ message: `no route ${request.method} ${request.url}` });
    }
    return reply.sendFile('index.html', root);
  });
}

/** The certificate and key of TLS_CERT and TLS_KEY, or null. */
function readTls(config: Configuration): { cert: Buffer; key: Buffer } | null {
  if (config.TLS_CERT === undefined || config.TLS_KEY === undefined) {
    return null;
  }
  const read = (name: 'TLS_CERT' | 'TLS_KEY', path: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new ConfigurationError(
        `configuration: ${name}: cannot read ${path} (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  };
  return {
    cert: read('TLS_CERT', config.TLS_CERT),
    key: read('TLS_KEY', config.TLS_KEY),
  };
}

/**
 * Opens the database, runs the migrations (the explicit step: never
 * `synchronize`), and serves the API on `config.PORT` (0: any free port).
 */
export async function startService(options: {
  config: Configuration;
  clock: Clock;
  profile: InstitutionProfile;
  /** The signing, audit and checkpoint keys (service-keys.ts). */
  keys: ServiceKeys;
  host?: string;
}): Promise<RunningService> {
  // HTTPS when a certificate is configured (read before anything starts: a
  // missing file stops the start, naming it).
  const tls = readTls(options.config);
  const { dataSource, engine } = createDataSource(options.config);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({
      config: options.config,
      dataSource,
      entities: buildEntities(engine),
      clock: options.clock,
      profile: options.profile,
      keys: options.keys,
    }),
    new FastifyAdapter({
      ...(tls ? { https: tls } : {}),
      // Which proxies' X-Forwarded-* to believe (none unless configured).
      trustProxy: options.config.TRUST_PROXY ?? false,
      bodyLimit: BODY_LIMIT_BYTES,
      requestTimeout: REQUEST_TIMEOUT_MS,
      // As Express routed: `/api/health/` is `/api/health`.
      routerOptions: {
        ignoreTrailingSlash: true,
        maxParamLength: MAX_PARAM_LENGTH,
      },
      // A URL Fastify cannot route (bad percent-encoding) is a 400 naming it.
      frameworkErrors: (
        error: FastifyError,
        _request: FastifyRequest,
        reply: FastifyReply,
      ) => {
        const status = error.statusCode ?? 500;
        if (status >= 500) {
          console.error(faultForLog(error));
          void reply.status(500).send({ message: 'internal error' });
          return;
        }
        const refusal = new RequestRefusal(
          status,
          'url',
          'must be a well-formed, percent-encoded path',
        );
        void reply.status(refusal.status).send(refusal.body);
      },
    }),
    { logger: ['error', 'warn'], bodyParser: false },
  );
  // Security headers (helmet): a content security policy the web app runs
  // under (its scripts and styles from this origin only; React's style
  // properties are set through the DOM, not markup), never framed, no
  // referrer, nosniff. Patient data is never cached: every API answer is
  // no-store. Helmet's middleware is built once (its Fastify plugin built
  // it again on every request: about 8 µs each, measured).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // Served over plain HTTP behind a hospital's TLS proxy, or directly
        // on a workstation: upgrading the app's requests would break it.
        upgradeInsecureRequests: null,
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      // Helmet sets the headers synchronously and throws on failure.
      securityHeaders(request.raw, reply.raw, () => {
        done();
      });
    });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (request, reply, payload, done) => {
      if (request.url.startsWith('/api')) {
        reply.header('cache-control', 'no-store');
      }
      done(null, payload);
    });
  // Limits per address (@fastify/rate-limit): login attempts, and the
  // routes that read the whole database. Set on the routes as Nest adds
  // them (at listen).
  const perMinute = new Map([
    ['POST /api/auth/login', options.config.LOGIN_RATE_PER_MINUTE],
    ['GET /api/auth/oidc/login', options.config.LOGIN_RATE_PER_MINUTE],
    ['GET /api/auth/oidc/callback', options.config.LOGIN_RATE_PER_MINUTE],
    ['GET /api/audit/verify', options.config.EXPENSIVE_RATE_PER_MINUTE],
    ['GET /api/audit/checkpoint', options.config.EXPENSIVE_RATE_PER_MINUTE],
    ['GET /api/analytics/simulated', options.config.EXPENSIVE_RATE_PER_MINUTE],
  ]);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method)
        ? route.method
        : [route.method];
      for (const method of methods) {
        const max = perMinute.get(`${String(method)} ${route.url}`);
        if (max !== undefined) {
          route.config = {
            ...route.config,
            rateLimit: { max, timeWindow: 60_000 },
          };
        }
      }
    });
  await app.register(rateLimit, {
    global: false,
    // Answered like every other refusal (the error filter): 429 naming the
    // limit; the plugin adds Retry-After.
    errorResponseBuilder: (_request, context) =>
      new RequestRefusal(
        429,
        'address',
        `at most ${String(context.max)} a minute from one address (try again in ${String(Math.ceil(context.ttl / 1000))} s)`,
      ),
  });
  // Cookies: the device cookie of the login (see the auth controller).
  await app.register(fastifyCookie);
  // JSON bodies only: any other content type, plain text included, is a 415
  // naming the content-type (no parser for it); so is a JSON body declared
  // in a charset other than UTF-8, which Fastify's own JSON parser, called
  // for the rest, would read as UTF-8.
  const fastify = app.getHttpAdapter().getInstance();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  // FHIR's own JSON media type (a laboratory system's results) is JSON too.
  fastify.addContentTypeParser(
    ['application/json', 'application/fhir+json'],
    { parseAs: 'string' },
    (request, body, done) => {
      const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(
        request.headers['content-type'] ?? '',
      )?.[1];
      if (charset !== undefined && !UTF8_CHARSETS.has(charset.toLowerCase())) {
        done(
          new RequestRefusal(
            415,
            'content-type',
            'a JSON body must be sent in UTF-8',
          ),
          undefined,
        );
        return;
      }
      // (Fastify's parser answers through `done`; it returns nothing.)
      // Text no database or record can hold is a 400 naming it, before
      // any route sees the body.
      void parseJson(request, body as string, (error, parsed: unknown) => {
        if (error) {
          done(error, undefined);
          return;
        }
        const bad = badText(parsed);
        if (bad) {
          done(new RequestRefusal(400, bad.field, bad.rule), undefined);
          return;
        }
        done(null, parsed);
      });
    },
  );
  // The document is generated from the zod contracts the routes validate
  // with (libs/contracts), so it cannot drift from them; the contract suite
  // checks every answer of a tour of the service against it.
  const document = buildOpenApiDocument({
    version: masProtocol.version,
    scenarioIds: scenarios.map((scenario) => scenario.id),
  }) as unknown as OpenAPIObject;
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs-json',
  });
  serveWebApp(app, options.config.WEB_DIR);
  // A FHIR path no route serves (any method): a FHIR client's 404, an
  // OperationOutcome (the routes themselves are more specific, so win).
  app
    .getHttpAdapter()
    .getInstance()
    .all('/api/fhir/*', (request, reply) =>
      reply
        .status(404)
        .type('application/fhir+json; charset=utf-8')
        .send(
          fhirOutcomeOf(404, {
            message: `no FHIR interaction ${request.method} ${request.url.split('?')[0] ?? ''} here (see GET /api/fhir/R4/metadata)`,
          }),
        ),
    );
  await app.listen(options.config.PORT, options.host ?? '127.0.0.1');
  const episodes = app.get<EpisodesService>(EPISODES);
  // The scheduler's step: due ticks, then the expired Idempotency-Keys
  // purged (off the write path; a lookup never honours an expired key).
  const step = async () => {
    await episodes.tickDue();
    await episodes.purgeExpiredKeys();
  };
  // Due times live in the database: whatever fell due while the service was
  // down fires now, with its lateness recorded by the machine.
  await step();
  const timer =
    options.config.SCHEDULER_INTERVAL_MS > 0
      ? setInterval(() => {
          step().catch((error: unknown) => {
            console.error('scheduler:', faultForLog(error));
          });
        }, options.config.SCHEDULER_INTERVAL_MS)
      : undefined;
  const server = app.getHttpServer();
  const address = server.address() as AddressInfo;
  return {
    app,
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${address.port}`,
    users: app.get<UsersService>(USERS),
    episodes,
    dataSource,
    async close() {
      if (timer) clearInterval(timer);
      await app.close();
      await dataSource.destroy();
    },
  };
}
