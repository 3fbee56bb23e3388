/**
 * The HTTP layer around the routes (Fastify under Nest): request bodies it
 * refuses before any route runs are 4xx answers naming the field and the
 * rule, and write nothing; the built web app is served beside the API, its
 * hashed files cached for good and its index page never.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { BODY_LIMIT_BYTES, IDEMPOTENCY_KEY_MAX_LENGTH } from '@mas/api';
import { amira, febrileSjia, floridMas, panelOf } from '@mas/testing';

import { Api, type Harness, startHarness } from './api-harness.js';
import { labs } from './clinical-records.js';

const PASSWORD = 'correct horse battery staple';
const INDEX = '<!doctype html><title>MAS test build</title>';
const ASSET = 'export const built = true;\n';

describe('HTTP layer (SQLite)', () => {
  let harness: Harness;
  let api: Api;
  let token: string;
  let episodeId: string;
  let webDir: string;

  beforeAll(async () => {
    webDir = mkdtempSync(join(tmpdir(), 'mas-web-'));
    mkdirSync(join(webDir, 'assets'));
    writeFileSync(join(webDir, 'index.html'), INDEX);
    writeFileSync(join(webDir, 'assets', 'app-0a1b2c.js'), ASSET);
    writeFileSync(join(webDir, 'robots.txt'), 'User-agent: *\n');
    harness = await startHarness('sqlite', { webDir });
    await harness.service.users.create('dr-http', PASSWORD, 'clinician');
    api = new Api(harness.service.url);
    token = (
      await api.request('POST', '/api/auth/login', {
        username: 'dr-http',
        password: PASSWORD,
      })
    ).body.token as string;
    const created = await api.as(token).request('POST', '/api/episodes', {
      patient: amira,
    });
    expect(created.status).toBe(201);
    episodeId = created.body.id as string;
  });

  afterAll(async () => {
    await harness.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  /** A raw POST of the events route: body and content type as given. */
  const post = async (body: string, contentType?: string) => {
    const response = await fetch(
      `${harness.service.url}/api/episodes/${episodeId}/events`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          ...(contentType === undefined ? {} : { 'content-type': contentType }),
        },
        body,
      },
    );
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
    };
  };

  it('refuses bodies before any route runs: status, field and rule; nothing written', async () => {
    const valid = JSON.stringify({
      type: 'labs.recorded',
      payload: labs({}, harness.clock.now().toISOString()),
      expectedVersion: 0,
    });
    const cases = [
      {
        answer: await post(
          'type=labs.recorded',
          'application/x-www-form-urlencoded',
        ),
        status: 415,
        field: 'content-type',
      },
      {
        answer: await post(valid, 'application/json; charset=utf-16'),
        status: 415,
        field: 'content-type',
      },
      {
        answer: await post(valid, 'text/plain'),
        status: 415,
        field: 'content-type',
      },
      {
        answer: await post('{ not json', 'application/json'),
        status: 400,
        field: 'body',
      },
      {
        answer: await post('', 'application/json'),
        status: 400,
        field: 'body',
      },
      {
        answer: await post(
          JSON.stringify({ padding: 'x'.repeat(BODY_LIMIT_BYTES) }),
          'application/json',
        ),
        status: 413,
        field: 'body',
      },
    ];
    for (const { answer, status, field } of cases) {
      expect(answer.status).toBe(status);
      expect(answer.body['field']).toBe(field);
      expect(typeof answer.body['rule']).toBe('string');
      expect(answer.body['message']).toBe(
        `${field}: ${String(answer.body['rule'])}`,
      );
    }
    const audit = await api
      .as(token)
      .request('GET', `/api/episodes/${episodeId}/audit`);
    expect(audit.body).toEqual([]);
    const episode = await api
      .as(token)
      .request('GET', `/api/episodes/${episodeId}`);
    expect(episode.body.version).toBe(0);
  });

  it('a body cut short is a 400 and writes nothing', async () => {
    const { port } = new URL(harness.service.url);
    // The headers promise 100 bytes; 9 arrive, then the client stops sending.
    const answer = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          [
            `POST /api/episodes/${episodeId}/events HTTP/1.1`,
            'host: 127.0.0.1',
            `authorization: Bearer ${token}`,
            'content-type: application/json',
            'content-length: 100',
            '',
            '{"type":1',
          ].join('\r\n'),
        );
        socket.end();
      });
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => {
        resolve(text);
      });
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    const episode = await api
      .as(token)
      .request('GET', `/api/episodes/${episodeId}`);
    expect(episode.body.version).toBe(0);
  });

  it('an Idempotency-Key the service cannot keep is a 400 naming it, before anything is written', async () => {
    for (const key of ['k'.repeat(IDEMPOTENCY_KEY_MAX_LENGTH + 1), '']) {
      const answer = await api.as(token).request(
        'POST',
        `/api/episodes/${episodeId}/events`,
        {
          type: 'labs.recorded',
          payload: labs(
            panelOf(floridMas, febrileSjia),
            harness.clock.now().toISOString(),
          ),
          expectedVersion: 0,
        },
        { 'idempotency-key': key },
      );
      expect(answer.status).toBe(400);
      expect(answer.body.field).toBe('idempotency-key');
    }
    const episode = await api
      .as(token)
      .request('GET', `/api/episodes/${episodeId}`);
    expect(episode.body.version).toBe(0);
  });

  it('routes as before: a bad URL is a 400 naming it, a long unknown id a 404, a trailing slash the same route', async () => {
    const badUrl = await api.request('GET', '/api/episodes/%zz');
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.field).toBe('url');
    const longId = await api
      .as(token)
      .request('GET', `/api/episodes/${'a'.repeat(150)}`);
    expect(longId.status).toBe(404);
    // A charset in the content-type of a request without a body is no
    // business of the JSON parser's.
    const odd = await api.request('GET', '/api/health', undefined, {
      'content-type': 'application/json; charset=iso-8859-1',
    });
    expect(odd.status).toBe(200);
    const slash = await api.request('GET', '/api/health/');
    expect(slash.status).toBe(200);
    expect(slash.body.status).toBe('ok');
  });

  it('answers an accepted event as JSON with 201', async () => {
    const answer = await post(
      JSON.stringify({
        type: 'labs.recorded',
        payload: labs(
          panelOf(floridMas, febrileSjia),
          harness.clock.now().toISOString(),
        ),
        expectedVersion: 0,
      }),
      // UTF8 is a name of UTF-8 too.
      'application/json; charset=UTF8',
    );
    expect(answer.status).toBe(201);
    expect(answer.body['version']).toBe(1);
  });

  it('serves the web app: hashed files cached for good, the index page never, app routes get the index page', async () => {
    const get = (path: string) => fetch(`${harness.service.url}${path}`);
    const asset = await get('/assets/app-0a1b2c.js');
    expect(asset.status).toBe(200);
    expect(await asset.text()).toBe(ASSET);
    expect(asset.headers.get('cache-control')).toBe(
      'public, max-age=31536000, immutable',
    );
    for (const path of ['/', '/index.html', `/episodes/${episodeId}`]) {
      const page = await get(path);
      expect(page.status).toBe(200);
      expect(await page.text()).toBe(INDEX);
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
    }
    const other = await get('/robots.txt');
    expect(other.status).toBe(200);
    expect(await other.text()).toBe('User-agent: *\n');
    expect(other.headers.get('cache-control')).toBe('no-cache');
    const unknown = await get('/api/no-such-route');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/application\/json/);
    const missingAsset = await get('/assets/gone-123.js');
    expect(missingAsset.status).toBe(404);
    // A build made while the service runs: its new assets are served too.
    writeFileSync(join(webDir, 'assets', 'app-later.js'), ASSET);
    const later = await get('/assets/app-later.js');
    expect(later.status).toBe(200);
    expect(later.headers.get('cache-control')).toBe(
      'public, max-age=31536000, immutable',
    );
  });
  it('sends security headers on every answer, and no-store on every API answer', async () => {
    const page = await fetch(`${harness.service.url}/`);
    const episode = await fetch(
      `${harness.service.url}/api/episodes/${episodeId}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    const refused = await fetch(`${harness.service.url}/api/episodes`);
    for (const response of [page, episode, refused]) {
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      // Plain HTTP on a workstation or behind a TLS proxy keeps working.
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    }
    expect(episode.status).toBe(200);
    expect(refused.status).toBe(401);
    // Patient data, and every other API answer, is never cached.
    expect(episode.headers.get('cache-control')).toBe('no-store');
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });
});
