import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { describePrincipal } from '../../auth/describe-principal.js';
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE_MS, deviceCookieKey } from '../../auth/device-cookie.js';
import type { SignInResult } from '../../auth/open-session.js';
import { SESSION_COOKIE } from '../../auth/session-store.js';
import { type PasswordSignInResult, signInWithPassword } from '../../auth/sign-in-with-password.js';
import { signOut } from '../../auth/sign-out.js';
import {
  completeSsoSignIn,
  listSsoProviders,
  openPendingSso,
  SSO_PENDING_MAX_AGE_MS,
  sealPendingSso,
  startSsoSignIn,
} from '../../auth/sso.js';
import { systemContext } from '../../core/service-context.js';
import { ServiceError } from '../../core/service-error.js';
import { LoginPage, type LoginPageProps } from '../../web/pages/login-page.js';

const SSO_COOKIE = 'hm_sso';
const SSO_COOKIE_PATH = '/auth/sso';

const isFormPost = (request: FastifyRequest) =>
  (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');

/**
 * A sign-in form has no session and so no CSRF token yet; what stops another site signing a
 * browser into someone else's account is that the post must come from our own origin. A JSON post
 * cannot be sent cross-site without CORS, so it may come without an Origin.
 */
function fromOwnOrigin(request: FastifyRequest, publicUrl: string): boolean {
  const expected = new URL(publicUrl).origin;
  const { origin, referer } = request.headers;
  if (typeof origin === 'string') return origin === expected;
  if (typeof referer === 'string') {
    try {
      return new URL(referer).origin === expected;
    } catch {
      return false;
    }
  }
  return !isFormPost(request);
}

const signedInUser = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  trustId: z.string(),
});

export const authRoutes: FastifyPluginAsyncZod = async (app) => {
  const sso = {
    encryptionKey: app.config.encryptionKey,
    redirectUri: `${app.config.publicUrl}/auth/sso/callback`,
  };
  const anonymous = (request: FastifyRequest) => systemContext(app.db, 'sign-in', request.id);
  const deviceKey = deviceCookieKey(app.config.encryptionKey);

  const setSessionCookie = (reply: FastifyReply, { session }: SignInResult) =>
    reply.setCookie(SESSION_COOKIE, session.cookieValue, {
      httpOnly: true,
      secure: app.config.cookieSecure,
      sameSite: 'lax',
      path: '/',
      expires: session.expiresAt,
    });

  const renderLogin = async (reply: FastifyReply, status: number, props: LoginPageProps) =>
    reply
      .status(status)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(await LoginPage(props));

  app.get(
    '/login',
    {
      config: { signIn: false },
      schema: {
        tags: ['auth'],
        summary: 'The sign-in page',
        querystring: z.object({ trust: z.string().max(100).optional() }),
      },
    },
    async (request, reply) => {
      if (request.principal) return reply.redirect('/', 303);
      const providers = request.query.trust
        ? await listSsoProviders(anonymous(request), request.query.trust)
        : [];
      return renderLogin(reply, 200, { sso: providers });
    },
  );

  app.post(
    '/auth/sign-in',
    {
      config: { signIn: false },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password (JSON, or the sign-in form)',
        body: z.object({ email: z.string().max(320), password: z.string().max(1024) }),
        response: { 200: z.object({ user: signedInUser, csrfToken: z.string() }) },
      },
    },
    async (request, reply) => {
      const form = isFormPost(request);
      if (!fromOwnOrigin(request, app.config.publicUrl)) {
        const message = 'This sign-in did not come from the Hallmonitor sign-in page; open it and try again';
        if (form) return renderLogin(reply, 403, { message });
        throw new ServiceError('FORBIDDEN', message);
      }
      reply.header('cache-control', 'no-store');
      let result: PasswordSignInResult;
      try {
        result = await signInWithPassword(
          anonymous(request),
          {
            email: request.body.email,
            password: request.body.password,
            address: request.ip,
            deviceCookie: request.cookies[DEVICE_COOKIE],
            userAgent: request.headers['user-agent'],
            previousSessionId: request.cookies[SESSION_COOKIE],
          },
          { deviceKey },
        );
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        const retryAfter = error.details?.retryAfterSeconds;
        if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
        if (!form || !['UNAUTHENTICATED', 'RATE_LIMITED', 'INVALID_INPUT'].includes(error.code)) throw error;
        const status = error.code === 'RATE_LIMITED' ? 429 : error.code === 'INVALID_INPUT' ? 400 : 401;
        return renderLogin(reply, status, { message: error.message, email: request.body.email });
      }
      setSessionCookie(reply, result);
      // Outlives sessions and sign-out: it is what lets this browser in while strangers guess.
      reply.setCookie(DEVICE_COOKIE, result.deviceCookie, {
        httpOnly: true,
        secure: app.config.cookieSecure,
        sameSite: 'strict',
        path: '/auth/sign-in',
        maxAge: DEVICE_COOKIE_MAX_AGE_MS / 1000,
      });
      if (form) return reply.redirect('/', 303);
      return { user: result.user, csrfToken: result.session.csrfToken };
    },
  );

  app.post(
    '/auth/sign-out',
    {
      schema: {
        tags: ['auth'],
        summary: 'End the current session',
        body: z.object({ _csrf: z.string().optional() }).nullish(),
        response: { 200: z.object({ signedOut: z.boolean() }) },
      },
    },
    async (request, reply) => {
      const value = request.cookies[SESSION_COOKIE];
      if (value) await signOut(request.ctx, { sessionId: value });
      reply.clearCookie(SESSION_COOKIE, {
        path: '/',
        httpOnly: true,
        secure: app.config.cookieSecure,
        sameSite: 'lax',
      });
      if (isFormPost(request)) return reply.redirect('/login', 303);
      return { signedOut: true };
    },
  );

  app.get(
    '/auth/csrf',
    {
      schema: {
        tags: ['auth'],
        summary: "The current session's CSRF token, for the x-csrf-token header or the _csrf form field",
        response: { 200: z.object({ csrfToken: z.string() }) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { csrfToken: request.sessionCsrfToken ?? '' };
    },
  );

  app.get(
    '/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The signed-in person: roles per school and the accounts they administer',
        response: {
          200: z.object({
            user: signedInUser,
            schools: z.array(z.object({ schoolId: z.string(), roles: z.array(z.string()) })),
            adminOfAccounts: z.array(z.object({ accountId: z.string(), schoolId: z.string() })),
          }),
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return describePrincipal(request.ctx.principal!);
    },
  );

  app.get(
    '/auth/sso/:trustId/start',
    {
      config: { signIn: false },
      schema: {
        tags: ['auth'],
        summary: "Start single sign-on with the trust's OpenID Connect provider (302 to the provider)",
        params: z.object({ trustId: z.string().max(100) }),
        querystring: z.object({ issuer: z.string().max(500).optional() }),
      },
    },
    async (request, reply) => {
      const { authorizationUrl, pending } = await startSsoSignIn(
        anonymous(request),
        { trustId: request.params.trustId, issuer: request.query.issuer },
        sso,
      );
      reply.setCookie(SSO_COOKIE, sealPendingSso(app.config.encryptionKey, pending), {
        httpOnly: true,
        secure: app.config.cookieSecure,
        sameSite: 'lax',
        path: SSO_COOKIE_PATH,
        maxAge: SSO_PENDING_MAX_AGE_MS / 1000,
      });
      return reply.header('cache-control', 'no-store').redirect(authorizationUrl, 302);
    },
  );

  app.get(
    '/auth/sso/callback',
    {
      config: { signIn: false },
      schema: {
        tags: ['auth'],
        summary: 'Where the OpenID Connect provider sends the browser back (register this redirect URI)',
      },
    },
    async (request, reply) => {
      const pending = openPendingSso(app.config.encryptionKey, request.cookies[SSO_COOKIE]);
      reply.clearCookie(SSO_COOKIE, { path: SSO_COOKIE_PATH });
      const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      let result: SignInResult;
      try {
        result = await completeSsoSignIn(
          anonymous(request),
          {
            pending,
            callbackUrl: `${sso.redirectUri}${search}`,
            address: request.ip,
            userAgent: request.headers['user-agent'],
            previousSessionId: request.cookies[SESSION_COOKIE],
          },
          sso,
        );
      } catch (error) {
        if (error instanceof ServiceError && error.code === 'UNAUTHENTICATED') {
          return renderLogin(reply, 401, { message: error.message });
        }
        throw error;
      }
      setSessionCookie(reply, result);
      return reply.header('cache-control', 'no-store').redirect('/', 303);
    },
  );
};
