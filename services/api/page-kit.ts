import { asc, inArray } from 'drizzle-orm';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ZodError, z } from 'zod';
import { schools } from '../../db/schema/schools.js';
import { principalSchoolIds } from '../auth/load-principal.js';
import { ServiceError, type ServiceErrorCode } from '../core/service-error.js';
import type { FlashMessage } from '../web/components/page-bits.js';
import type { NavUser } from '../web/components/site-nav.js';
import { DEFAULT_TIME_ZONE, runInTimeZone } from '../web/components/time-zone.js';

/**
 * The page/form kit: what every staff screen's route file uses.
 *
 * - `pageRoutes(plugin)`: registers a screen's routes as HTML routes (`config.answers: 'html'`,
 *   hidden from the API docs), so the one error handler answers them with the styled error page.
 * - `formBody({...})` with the `formField` parsers: every form post's zod body schema (the CSRF
 *   field is in it; the authentication plugin checks it before the schema runs).
 * - `renderPage(request, reply, render)`: a signed-in page, with the layout props and the flash.
 * - `runForm(reply, back, act)`: a form post's verb, then 303 back with a flash message.
 * - `reply.html(markup, status)`: the one way an HTML answer goes out (no-store, utf-8).
 * - `setFlash` / `takeFlash`: the one flash mechanism, a signed cookie that lives two minutes.
 */

export const FLASH_COOKIE = 'hm_flash';

declare module 'fastify' {
  interface FastifyReply {
    /** Sends rendered markup as an HTML page that is never cached. */
    html(markup: string | Promise<string>, status?: number): Promise<FastifyReply>;
  }
  interface FastifyContextConfig {
    /**
     * How the route's errors are answered: `html` (the styled error page; a staff screen) or
     * `json` (`{ error, message }`; the API). Set for every route at registration (page routes
     * by `pageRoutes`, the rest from their path), read by the one error handler.
     */
    answers?: 'html' | 'json';
  }
}

/** Paths answered with JSON whoever asks; everything else is a staff page or a form behind one. */
export const JSON_PREFIXES = [
  '/api/',
  '/auth/',
  '/admin/queues/api/',
  '/docs',
  '/metrics',
  '/healthz',
  '/readyz',
  '/static/',
];

export function isJsonPath(url: string): boolean {
  return JSON_PREFIXES.some((prefix) => url.startsWith(prefix));
}

/** Adds `reply.html` to the app (once, at the root, before any route). */
export function registerHtmlReply(app: FastifyInstance): void {
  app.decorateReply(
    'html',
    async function html(this: FastifyReply, markup: string | Promise<string>, status = 200) {
      const body = await markup;
      return this.status(status)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(body);
    },
  );
}

/** A screen's route plugin: each of its routes answers HTML (errors too) and is kept out of /docs. */
export function pageRoutes<Options extends Record<string, unknown> = Record<never, never>>(
  plugin: FastifyPluginAsyncZod<Options>,
): FastifyPluginAsync<Options> {
  return async (app, options) => {
    app.addHook('onRoute', (route) => {
      route.config = { ...route.config, answers: 'html' };
      route.schema = { hide: true, ...(route.schema ?? {}) };
    });
    await plugin(app.withTypeProvider(), options);
  };
}

// ---- Form bodies -----------------------------------------------------------------------------

/** @fastify/formbody gives a string, or an array when a name repeats: the first value counts. */
const firstOf = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const blankIsMissing = (v: unknown) => {
  const value = firstOf(v);
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
};

/** Parsers for form-encoded fields: what a browser sends for each kind of control. */
export const formField = {
  /** A text box; missing is ''. Verbs decide what is required (their message names the field). */
  text: (max: number) => z.preprocess((v) => firstOf(v) ?? '', z.string().max(max)),
  /** A text box whose blank means "not given"; trimmed. */
  optionalText: (max: number) => z.preprocess(blankIsMissing, z.string().trim().max(max).optional()),
  /** A whole number box; blank is "not given". */
  optionalInt: (min: number, max: number) =>
    z.preprocess(blankIsMissing, z.coerce.number().int().min(min).max(max).optional()),
  /** A checkbox: ticked sends "on" (or "true"), unticked sends nothing. */
  checkbox: () => z.preprocess((v) => ['on', 'true'].includes(String(firstOf(v))), z.boolean()),
  /** One of fixed values (a select or radio group); missing is the first. */
  choice: <const T extends readonly [string, ...string[]]>(values: T) =>
    z.preprocess((v) => blankIsMissing(v) ?? values[0], z.enum(values)),
  /** Checkboxes or a multi-select sharing one name: none ticked is []. */
  list: (maxItems: number, maxLength: number) =>
    z.preprocess(
      (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
      z.array(z.string().max(maxLength)).max(maxItems),
    ),
};

/**
 * A form post's body schema: the fields, plus the CSRF token every form carries (a JSON client
 * sends it as a header instead). A post with no body at all is a form with every field missing.
 */
export function formBody<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.preprocess((v) => v ?? {}, z.object({ _csrf: z.string().max(200).optional(), ...shape }));
}

// ---- Flash -------------------------------------------------------------------------------------

const flashSchema = z.object({
  kind: z.enum(['ok', 'error']),
  text: z.string().max(1_000),
  link: z.url().optional(),
});

/** Carries a message across a form's 303 redirect: a signed cookie that lives two minutes. */
export function setFlash(reply: FastifyReply, flash: FlashMessage): void {
  const value = JSON.stringify({ ...flash, text: flash.text.slice(0, 1_000) });
  reply.setCookie(FLASH_COOKIE, value, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: reply.server.config.cookieSecure,
    signed: true,
    maxAge: 120,
  });
}

/** The message a form left for this page, once; a forged or stale cookie is no message. */
export function takeFlash(request: FastifyRequest, reply: FastifyReply): FlashMessage | null {
  const raw = request.cookies[FLASH_COOKIE];
  if (!raw) return null;
  reply.clearCookie(FLASH_COOKIE, { path: '/' });
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return null;
  try {
    const parsed = flashSchema.safeParse(JSON.parse(unsigned.value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

// ---- Pages and form posts ----------------------------------------------------------------------

/** The layout props and the message a signed-in page starts from. */
export interface PageBase {
  user: NavUser;
  csrfToken: string;
  flash: FlashMessage | null;
}

/** A signed-in page: the layout props and flash, then the render (whose verbs authorise). */
export async function renderPage(
  request: FastifyRequest,
  reply: FastifyReply,
  render: (base: PageBase) => Promise<string> | string,
  status = 200,
) {
  const base: PageBase = { ...(await request.server.pageChrome(request)), flash: takeFlash(request, reply) };
  return reply.html(await inViewerTimeZone(request, () => render(base)), status);
}

/** Runs a page's render with its `<Time>`s in the viewer's school's zone (renderPage does this). */
export async function inViewerTimeZone<T>(request: FastifyRequest, render: () => T): Promise<Awaited<T>> {
  const zones = await viewerTimeZones(request);
  return await runInTimeZone(zones.zone, async () => await render(), zones.bySchool);
}

/**
 * Which zone a signed-in page shows times in (`<Time>` reads it; services/web/components/time-zone.ts):
 * the zone of the school the person works in. Someone with several schools (a trust admin) sees
 * the zone of the page's subject's school when the page says which (`showTimesForSchool`, e.g. the
 * comment page); otherwise the zone their schools share, or, when their schools differ, the first
 * of them by name (stable from page to page); with no school at all, Europe/London.
 */
async function viewerTimeZones(
  request: FastifyRequest,
): Promise<{ zone: string; bySchool: ReadonlyMap<string, string> }> {
  const principal = request.principal;
  const ids = principal ? principalSchoolIds(principal) : [];
  if (ids.length === 0) return { zone: DEFAULT_TIME_ZONE, bySchool: new Map() };
  const rows = await request.server.db
    .select({ id: schools.id, timeZone: schools.timeZone })
    .from(schools)
    .where(inArray(schools.id, ids))
    .orderBy(asc(schools.name), asc(schools.id));
  return {
    zone: rows[0]?.timeZone ?? DEFAULT_TIME_ZONE,
    bySchool: new Map(rows.map((r) => [r.id, r.timeZone])),
  };
}

/** Refusals a person can fix on the same page: shown there after the redirect, not as an error page. */
const SHOWN_ON_PAGE = new Set<ServiceErrorCode>([
  'INVALID_INPUT',
  'CONFLICT',
  'PRECONDITION_FAILED',
  'RATE_LIMITED',
  'UPSTREAM_UNAVAILABLE',
]);

function zodMessage(error: ZodError): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** What a form's verb step answers: a message for the page it came from, or somewhere else to go. */
export type FormOutcome = string | { redirect: string; flash?: FlashMessage };

/**
 * A form post (signed in, CSRF-checked and schema-parsed before it gets here): the verb. Success
 * and fixable refusals go back with a message; a role refusal or another school's id goes to the
 * error handler (the 403 / 404 page).
 */
export async function runForm(reply: FastifyReply, back: string, act: () => Promise<FormOutcome>) {
  try {
    const outcome = await act();
    if (typeof outcome === 'string') {
      setFlash(reply, { kind: 'ok', text: outcome });
      return reply.redirect(back, 303);
    }
    if (outcome.flash) setFlash(reply, outcome.flash);
    return reply.redirect(outcome.redirect, 303);
  } catch (error) {
    if (error instanceof ZodError) {
      setFlash(reply, { kind: 'error', text: zodMessage(error) });
      return reply.redirect(back, 303);
    }
    if (error instanceof ServiceError && SHOWN_ON_PAGE.has(error.code)) {
      setFlash(reply, { kind: 'error', text: error.message });
      return reply.redirect(back, 303);
    }
    throw error;
  }
}
