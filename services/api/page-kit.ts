import { randomUUID } from 'node:crypto';
import { asc, inArray } from 'drizzle-orm';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  type FastifyPluginAsyncZod,
  hasZodFastifySchemaValidationErrors,
  type ZodFastifySchemaValidationError,
} from 'fastify-type-provider-zod';
import { ZodError, z } from 'zod';
import { schools } from '../../db/schema/schools.js';
import { principalSchoolIds } from '../auth/load-principal.js';
import { decryptSecret, encryptSecret } from '../core/secret-box.js';
import { fieldIssuesOf, ServiceError, type ServiceErrorCode } from '../core/service-error.js';
import { type FormState, withFormState } from '../web/components/form-errors.js';
import { type FormValues, formValuesOf } from '../web/components/form-values.js';
import type { FieldError, FlashMessage } from '../web/components/page-bits.js';
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
 *
 * A refused form goes back to its page with its errors (the GOV.UK summary and messages) and with
 * what the person typed put back in it: the values wait, encrypted, in Redis for two minutes under a
 * random key the flash carries, and are read once (`keepFormValues` / `takeFlash`).
 */

export const FLASH_COOKIE = 'hm_flash';

declare module 'fastify' {
  interface FastifyReply {
    /** Sends rendered markup as an HTML page that is never cached. */
    html(markup: string | Promise<string>, status?: number): Promise<FastifyReply>;
  }
  interface FastifyRequest {
    /** A refused form's errors and typed values the flash brought to this page; `reply.html` shows them. */
    formState?: FormState | undefined;
    /** A form post's fields as sent, before its body schema parsed them (to put back on a refusal). */
    sentForm?: FormValues | null | undefined;
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
      const state = this.request.formState;
      const body = state ? await withFormState(markup, state) : await markup;
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
      if (route.schema.body) {
        // A form whose fields fail the body schema goes back to its page with the GOV.UK error
        // summary and messages (answerInvalidForm), not to a 400 page.
        route.attachValidation = true;
        const own = route.preHandler ? [route.preHandler].flat() : [];
        route.preHandler = [answerInvalidForm, ...own];
        const ownPre = route.preValidation ? [route.preValidation].flat() : [];
        route.preValidation = [keepSentForm, ...ownPre];
      }
    });
    await plugin(app.withTypeProvider(), options);
  };
}

/** Remembers the form's fields as the browser sent them, before the schema turns them into values. */
async function keepSentForm(request: FastifyRequest) {
  request.sentForm = formValuesOf(request.body);
}

/**
 * A form post whose body failed its schema: back to the page it was posted from (the Referer,
 * same origin only) with each field's error. A bad address (params) or a post with no page to go
 * back to is answered by the error handler as before (the 400 page).
 */
async function answerInvalidForm(request: FastifyRequest, reply: FastifyReply) {
  const error = request.validationError;
  if (!error) return;
  const back = error.validationContext === 'body' ? sameOriginPage(request) : null;
  if (!back || !hasZodFastifySchemaValidationErrors(error)) throw error;
  const errors = error.validation.map((v: ZodFastifySchemaValidationError) => {
    const field = v.instancePath.split('/')[1] || undefined;
    // fastify-type-provider-zod keeps the issue's own fields in `params`, its code as `keyword`.
    const issue = {
      ...v.params,
      code: v.keyword,
      message: v.message,
      path: [],
    } as unknown as z.core.$ZodIssue;
    return { field: field ?? null, text: fieldMessage(field, issue) };
  });
  setFlash(reply, await formErrorFlash(request, errors));
  return reply.redirect(back, 303);
}

/** The page a form was on, from the Referer, when it is one of ours. */
function sameOriginPage(request: FastifyRequest): string | null {
  const referer = request.headers.referer;
  if (!referer) return null;
  try {
    const url = new URL(referer);
    if (!request.headers.host || url.host !== new URL(`http://${request.headers.host}`).host) return null;
    return `${url.pathname}${url.search}`;
  } catch {
    return null;
  }
}

/** A field's name as words: `assigneeId` → "assignee", `retention.quarantinedDays` → "quarantined days". */
function fieldWords(field: string | undefined): string {
  if (!field) return 'this form';
  return (field.split('.').at(-1) ?? field)
    .replace(/Ids?$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replaceAll('_', ' ')
    .toLowerCase();
}

/** A zod issue as a person is told it, naming the field (GOV.UK error message wording). */
function fieldMessage(field: string | undefined, issue: z.core.$ZodIssue): string {
  // A schema's own message ("Write a reason") is already in words; zod's defaults are not.
  const zodDefault = /^(Too (big|small)|Invalid|Expected|Required|Unrecognized)/.test(issue.message ?? '');
  if (issue.message && (!zodDefault || !field)) return issue.message;
  const name = fieldWords(field);
  const Name = name.charAt(0).toUpperCase() + name.slice(1);
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'string'
        ? `${Name} must be ${issue.maximum} characters or fewer`
        : issue.origin === 'array'
          ? `Choose ${issue.maximum} or fewer`
          : `${Name} must be ${issue.maximum} or less`;
    case 'too_small':
      return issue.origin === 'string'
        ? Number(issue.minimum) <= 1
          ? `Enter ${name}`
          : `${Name} must be ${issue.minimum} characters or more`
        : issue.origin === 'array'
          ? `Choose at least ${issue.minimum}`
          : `${Name} must be ${issue.minimum} or more`;
    case 'invalid_value':
      return `Choose one of the options for ${name}`;
    case 'invalid_type':
      return issue.input === undefined || issue.input === ''
        ? `Enter ${name}`
        : issue.expected === 'number'
          ? `${Name} must be a number`
          : `${Name} is not valid`;
    case 'invalid_format':
      return `${Name} is not valid`;
    default:
      return issue.message ? `${Name}: ${issue.message}` : `${Name} is not valid`;
  }
}

/**
 * An INVALID_INPUT refusal's problems field by field, each as a sentence (a schema's issue, or a
 * verb's `invalidField`); undefined when the refusal names no field.
 */
export function fieldErrorsOf(error: ServiceError): FieldError[] | undefined {
  const issues = error.code === 'INVALID_INPUT' ? fieldIssuesOf(error) : undefined;
  if (!issues?.length) return undefined;
  const sentence = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
  return issues.map(({ field, issue }) => ({
    field,
    text: sentence(fieldMessage(field ?? undefined, issue)),
  }));
}

/** A form post refused by a page that answers with itself (not a redirect): its errors and values go on it. */
export function showRefusedForm(request: FastifyRequest, errors: FieldError[]): void {
  request.formState = {
    errors,
    form: request.url.split('?')[0],
    values: request.sentForm ?? undefined,
  };
}

/** The flash that carries a form's errors, and what was typed, back to its page. */
async function formErrorFlash(request: FastifyRequest, errors: FieldError[]): Promise<FlashMessage> {
  const sentence = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
  const limited = errors.slice(0, 20).map((e) => ({ field: e.field, text: sentence(e.text).slice(0, 300) }));
  return refusedFormFlash(request, {
    kind: 'error',
    text: limited.map((e) => e.text).join('; '),
    errors: limited,
  });
}

/** A refusal's flash with the form it refused and the key of what was typed in it. */
async function refusedFormFlash(request: FastifyRequest, flash: FlashMessage): Promise<FlashMessage> {
  const values = await keepFormValues(request);
  return { ...flash, form: request.url.split('?')[0], ...(values ? { values } : {}) };
}

// ---- What a refused form's person typed -------------------------------------------------------

const FORM_VALUES_TTL_SECONDS = 120;
const MAX_FORM_VALUES_BYTES = 200_000;
const formValuesKey = (request: FastifyRequest, id: string) =>
  `${request.server.config.redisPrefix}:form-values:${id}`;

/**
 * Keeps the refused form's fields for its page to put back: encrypted (a reply may name a pupil),
 * for two minutes, read once. Losing them (Redis away) only loses the convenience, never the refusal.
 */
async function keepFormValues(request: FastifyRequest): Promise<string | undefined> {
  const values = request.sentForm;
  if (!values) return undefined;
  const json = JSON.stringify(values);
  if (json.length > MAX_FORM_VALUES_BYTES) return undefined;
  const id = randomUUID();
  try {
    const sealed = encryptSecret(request.server.config.encryptionKey, json);
    await request.server.redis.set(formValuesKey(request, id), sealed, 'EX', FORM_VALUES_TTL_SECONDS);
    return id;
  } catch (error) {
    request.log.warn({ err: error }, 'could not keep a refused form’s values');
    return undefined;
  }
}

async function takeFormValues(request: FastifyRequest, id: string): Promise<FormValues | undefined> {
  try {
    const sealed = await request.server.redis.getdel(formValuesKey(request, id));
    if (!sealed) return undefined;
    const parsed = formValuesSchema.safeParse(
      JSON.parse(decryptSecret(request.server.config.encryptionKey, sealed)),
    );
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    request.log.warn({ err: error }, 'could not read a refused form’s values');
    return undefined;
  }
}

const formValuesSchema = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

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
  errors: z
    .array(z.object({ field: z.string().max(100).nullable(), text: z.string().max(300) }))
    .max(20)
    .optional(),
  form: z.string().startsWith('/').max(500).optional(),
  values: z.uuid().optional(),
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

/**
 * The message a form left for this page, once; a forged or stale cookie is no message. A refused
 * form's errors and typed values go to `request.formState`, which `reply.html` puts on the page.
 */
export async function takeFlash(request: FastifyRequest, reply: FastifyReply): Promise<FlashMessage | null> {
  const raw = request.cookies[FLASH_COOKIE];
  if (!raw) return null;
  reply.clearCookie(FLASH_COOKIE, { path: '/' });
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return null;
  let flash: z.infer<typeof flashSchema>;
  try {
    const parsed = flashSchema.safeParse(JSON.parse(unsigned.value));
    if (!parsed.success) return null;
    flash = parsed.data;
  } catch {
    return null;
  }
  const values = flash.values ? await takeFormValues(request, flash.values) : undefined;
  if (flash.errors?.length || values)
    request.formState = { errors: flash.errors ?? [], form: flash.form, values };
  return flash;
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
  const base: PageBase = {
    ...(await request.server.pageChrome(request)),
    flash: await takeFlash(request, reply),
  };
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

/**
 * A refusal that is not about what was typed (someone got there first, a step is missing), in
 * plain words: first that nothing was done, then why, as a sentence. A message that already says
 * it was refused or that nothing was done is left as it is.
 */
export function refusalText(message: string): string {
  const trimmed = message.trim();
  const sentence = /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
  if (/\brefused\b|^nothing was|^not done/i.test(sentence)) return sentence;
  return `Not done. ${sentence}`;
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
      const errors = error.issues.map((i) => {
        const field = typeof i.path[0] === 'string' ? i.path[0] : undefined;
        return { field: field ?? null, text: fieldMessage(field, i) };
      });
      setFlash(reply, await formErrorFlash(reply.request, errors));
      return reply.redirect(back, 303);
    }
    if (error instanceof ServiceError && error.code === 'INVALID_INPUT') {
      // The verb's own check: each issue on its field; a refusal of the whole form on the form.
      const errors = fieldErrorsOf(error) ?? [{ field: null, text: error.message }];
      setFlash(reply, await formErrorFlash(reply.request, errors));
      return reply.redirect(back, 303);
    }
    if (error instanceof ServiceError && SHOWN_ON_PAGE.has(error.code)) {
      const text =
        error.code === 'CONFLICT' || error.code === 'PRECONDITION_FAILED'
          ? refusalText(error.message)
          : error.message;
      setFlash(reply, await refusedFormFlash(reply.request, { kind: 'error', text }));
      return reply.redirect(back, 303);
    }
    throw error;
  }
}
