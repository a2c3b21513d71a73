import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { notFound } from '../errors.js';

/** Where the dashboard's files are served from; `/` serves its index.html. Never under /api. */
export const DASHBOARD_PREFIX = '/dashboard/';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

// Everything the page loads comes from this origin; the page's own script builds every element through the DOM (no inline
// script or style), so a queue or user name can never run as code.
const HEADERS = {
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
} as const;

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

/** The web/ folder: two levels above src/http/routes in a checkout, three above dist/src/http/routes when built. */
export function defaultDashboardDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, '..', '..', '..', 'web'), join(here, '..', '..', '..', '..', 'web')].find((d) => existsSync(join(d, 'index.html')));
}

function readAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const type = TYPES[extname(entry.name)];
        if (type !== undefined) assets.set(relative(dir, path).split(sep).join('/'), { type, body: readFileSync(path) });
      }
    }
  };
  walk(dir);
  return assets;
}

/**
 * The web dashboard (web/): plain ES modules that call this same API with the user's basic-auth credentials. The files are
 * read once, when the app is built; they need no login (the data they show does).
 */
export function dashboardRoutes(app: FastifyInstance, dir: string | undefined): void {
  if (dir === undefined) return;
  const assets = readAssets(dir);
  const send = (reply: FastifyReply, asset: Asset | undefined): FastifyReply => {
    if (asset === undefined) {
      const e = notFound();
      return reply.code(404).send({ error: e.error, reason: e.reason });
    }
    return reply.headers(HEADERS).type(asset.type).send(asset.body);
  };
  app.get('/', async (_request, reply) => send(reply, assets.get('index.html')));
  app.get(`${DASHBOARD_PREFIX}*`, async (request, reply) => send(reply, assets.get((request.params as Record<string, string>)['*'] ?? '')));
}
