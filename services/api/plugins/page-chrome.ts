import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { principalSchoolIds } from '../../auth/load-principal.js';
import { ServiceError } from '../../core/service-error.js';
import { countUnread } from '../../notifications/list-notifications.js';
import { type NavUser, navUserOf } from '../../web/components/site-nav.js';

/** What every signed-in page's Layout needs: the person (with their unread count) and the CSRF token. */
export interface PageChrome {
  /** Carries `unread`, so the navigation bar shows the notifications bell with its count. */
  user: NavUser;
  csrfToken: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The layout props of a signed-in page, built once per request (the unread count is one
     * query). Spread it into a page's props: `{ ...(await app.pageChrome(request)), ... }`.
     * Throws UNAUTHENTICATED without a session.
     */
    pageChrome: (request: FastifyRequest) => Promise<PageChrome>;
  }
}

/** Gives every page route one place to get the navigation, the bell and the CSRF token. */
export const pageChromePlugin = fp(
  async (app) => {
    const built = new WeakMap<FastifyRequest, Promise<PageChrome>>();
    app.decorate('pageChrome', (request: FastifyRequest) => {
      const principal = request.principal;
      if (!principal) return Promise.reject(new ServiceError('UNAUTHENTICATED', 'Sign in to continue'));
      let chrome = built.get(request);
      if (!chrome) {
        chrome = countUnread(
          request.ctx ?? {
            actor: { type: 'user', id: principal.userId, label: principal.displayName },
            schoolIds: principalSchoolIds(principal),
            requestId: request.id,
            principal,
            db: app.db,
          },
        ).then(({ unread }) => ({
          user: { ...navUserOf(principal), unread },
          csrfToken: request.sessionCsrfToken ?? '',
        }));
        built.set(request, chrome);
      }
      return chrome;
    });
  },
  { name: 'page-chrome', dependencies: ['authentication'] },
);
