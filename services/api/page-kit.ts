import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError, z } from 'zod';
import { ServiceError, type ServiceErrorCode } from '../core/service-error.js';
import type { FlashMessage } from '../web/components/page-bits.js';
import type { NavUser } from '../web/components/site-nav.js';

/**
 * What the staff pages share: the HTML answer, the flash message carried across a form's 303, and
 * the signed-in page and form-post wrappers. A refusal that is not shown on the page itself renders
 * the error page from the app's one error handler (plugins/error-handler.ts).
 */

export const FLASH_COOKIE = 'hm_flash';

/** Refusals a person can fix on the same page: shown there after the redirect, not as an error page. */
const SHOWN_ON_PAGE = new Set<ServiceErrorCode>([
  'INVALID_INPUT',
  'CONFLICT',
  'PRECONDITION_FAILED',
  'RATE_LIMITED',
  'UPSTREAM_UNAVAILABLE',
]);

const flashSchema = z.object({
  kind: z.enum(['ok', 'error']),
  text: z.string().max(1_000),
  link: z.url().optional(),
});

/** A form-encoded body as @fastify/formbody parses it. */
export type FormBody = Record<string, unknown> | undefined;

export function field(body: FormBody, name: string): string | undefined {
  const v = body?.[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}
export function fields(body: FormBody, name: string): string[] {
  const v = body?.[name];
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
export const checked = (body: FormBody, name: string) =>
  field(body, name) === 'on' || field(body, name) === 'true';
export function optionalInt(body: FormBody, name: string): number | undefined {
  const v = field(body, name)?.trim();
  return v ? Number(v) : undefined;
}
export function optionalText(body: FormBody, name: string): string | undefined {
  const v = field(body, name)?.trim();
  return v ? v : undefined;
}

function zodMessage(error: ZodError): string {
  return error.issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** The layout props and the message a signed-in page starts from. */
export interface PageBase {
  user: NavUser;
  csrfToken: string;
  flash: FlashMessage | null;
}

export function pageKit(app: FastifyInstance) {
  const { config } = app;

  const sendHtml = (reply: FastifyReply, status: number, html: string) =>
    reply
      .status(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(html);

  function setFlash(reply: FastifyReply, flash: FlashMessage): void {
    const value = JSON.stringify({ ...flash, text: flash.text.slice(0, 1_000) });
    reply.setCookie(FLASH_COOKIE, value, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: config.cookieSecure,
      signed: true,
      maxAge: 120,
    });
  }

  function takeFlash(request: FastifyRequest, reply: FastifyReply): FlashMessage | null {
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

  /** A signed-in page: no session goes to /login; the render function calls verbs that authorise. */
  async function page(
    request: FastifyRequest,
    reply: FastifyReply,
    render: (base: PageBase) => Promise<string> | string,
  ) {
    const base: PageBase = { ...(await app.pageChrome(request)), flash: takeFlash(request, reply) };
    return sendHtml(reply, 200, await render(base));
  }

  /**
   * A form post, signed in and CSRF-checked before it gets here: the verb. Success and fixable
   * refusals go back with a message; a role refusal or another school's id answers the 403 / 404
   * page.
   */
  async function form(
    reply: FastifyReply,
    back: string,
    act: () => Promise<string | { redirect: string; flash?: FlashMessage }>,
  ) {
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

  return { sendHtml, setFlash, takeFlash, page, form };
}
