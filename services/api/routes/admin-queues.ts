import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { trusts } from '../../../db/schema/index.js';
import { QUEUE_NAMES } from '../../../workers/job-registry.js';
import { hasRoleAnywhere } from '../../core/principal.js';
import { SAFE_METHODS } from '../plugins/authentication.js';
import { answerError } from '../plugins/error-handler.js';

export const ADMIN_QUEUES_PATH = '/admin/queues';

/**
 * Bull Board's UI is a React bundle served from its own static folder: its scripts are 'self',
 * but its markup carries inline `style` attributes and a <style> element. Its page asks for the
 * IBM Plex fonts from Google, which an installation that works offline must not: the board is
 * rendered from a copy of its page without that link (boardViewsWithoutWebFonts), and the system
 * fonts stand in. This policy applies to /admin/queues only; the rest of the app keeps helmet's
 * strict policy (no inline styles).
 */
const BOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "base-uri 'self'",
].join('; ');

/**
 * Bull Board's own page template, less its Google Fonts link, written once to a folder of ours.
 * Read from the installed package at start-up, so it always matches the bundle's hashed files.
 */
function boardViewsWithoutWebFonts(): string {
  const shipped = join(
    dirname(createRequire(import.meta.url).resolve('@bull-board/ui/package.json')),
    'dist',
  );
  const page = readFileSync(join(shipped, 'index.ejs'), 'utf8')
    .replace(/<link[^>]*fonts\.(googleapis|gstatic)\.com[^>]*>\s*/g, '')
    // Our accessibility fixes for its markup (static/bull-board.js and .css): axe passes here too.
    .replace(
      '</head>',
      '<link rel="stylesheet" href="/static/bull-board.css" /><script src="/static/bull-board.js" defer></script></head>',
    );
  if (/fonts\.(googleapis|gstatic)\.com/.test(page)) throw new Error('Bull Board page still links web fonts');
  if (!page.includes('/static/bull-board.js'))
    throw new Error('Bull Board page has no </head> for its fixes');
  const dir = join(tmpdir(), `hallmonitor-bull-board-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.ejs'), page);
  return dir;
}

function isTrustAdmin(request: FastifyRequest): boolean {
  return !!request.principal && hasRoleAnywhere(request.principal, ['trust_admin']);
}

/**
 * The queues are the installation's, not a trust's: their jobs name every trust's comments and
 * accounts. So a trust admin may see them only where no other trust's work is there to see: in
 * an installation of one trust, or as an admin of the trust QUEUE_DASHBOARD_TRUST_ID names (the
 * operator's own). Counted per request: a second trust added later closes the board at once.
 */
async function mayOpenDashboard(app: FastifyInstance, trustId: string): Promise<boolean> {
  if (app.config.queueDashboardTrustId) return app.config.queueDashboardTrustId === trustId;
  const rows = await app.db.select({ id: trusts.id }).from(trusts).limit(2);
  return rows.length === 1 && rows[0]!.id === trustId;
}

/**
 * A state-changing call (retry, clean, pause) must come from a page of ours: Bull Board's UI does
 * not send our CSRF token, so a cross-site request is refused by its Origin (or Sec-Fetch-Site).
 */
function isSameOrigin(request: FastifyRequest, publicUrl: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin';
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return true; // not a browser's cross-site request
  const host = request.headers.host;
  if (origin === new URL(publicUrl).origin) return true;
  // `null` (a sandboxed or no-referrer page) or no URL at all: not a page of ours.
  return URL.canParse(origin) && !!host && new URL(origin).host === host;
}

/**
 * The queue dashboard at /admin/queues: every queue of the job registry, for trust admins of the
 * installation's only trust, or of the trust QUEUE_DASHBOARD_TRUST_ID names. Not signed in: the page redirects to /login, its API answers 401; signed in without the
 * trust admin role: 403.
 */
export const adminQueuesRoutes: FastifyPluginAsync = async (app) => {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(app.queues[name])),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Hallmonitor queues' } },
  });
  serverAdapter.setViewsPath(boardViewsWithoutWebFonts());

  await app.register(async (scope) => {
    // The guard below is this board's sign-in check: the shared one would want our CSRF token,
    // which Bull Board's UI does not send.
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, signIn: false };
    });
    scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const isApi = request.url.startsWith(`${ADMIN_QUEUES_PATH}/api/`);
      if (!request.principal) {
        if (!isApi && request.method === 'GET') return reply.redirect('/login', 303);
        return reply.status(401).send({ error: 'UNAUTHENTICATED', message: 'Sign in to continue' });
      }
      // A refusal is the styled 403 page for the board itself, JSON for its API (by the route's
      // declaration, as everywhere).
      const refuse = (message: string) =>
        answerError(request, reply, { status: 403, error: 'FORBIDDEN', message });
      if (!isTrustAdmin(request)) return refuse('Only trust admin staff may see the job queues');
      if (!(await mayOpenDashboard(app, request.principal.trustId))) {
        return refuse(
          "The job queues hold every trust's work in this installation: only admins of the operating trust (QUEUE_DASHBOARD_TRUST_ID) may see them",
        );
      }
      if (!SAFE_METHODS.has(request.method) && !isSameOrigin(request, app.config.publicUrl)) {
        return refuse(
          'Queue changes must come from the queue dashboard itself (the Origin header names another site)',
        );
      }
    });
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', BOARD_CSP);
      return payload;
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: ADMIN_QUEUES_PATH });
  });
};
