import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { claimEmailDomain } from '../../trust-domains/claim-email-domain.js';
import { listEmailDomains } from '../../trust-domains/list-email-domains.js';
import { verifyEmailDomain } from '../../trust-domains/verify-email-domain.js';

const claimedDomain = z.object({
  domain: z.string(),
  verified: z.boolean(),
  verifiedAt: z.string().nullable(),
  txtRecord: z.object({ name: z.string(), value: z.string() }),
});

/** A trust's email domains (trust admins): claim one, prove it by DNS, and no other trust can use it. */
export const trustDomainRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['users'];

  app.get(
    '/api/trust/domains',
    {
      schema: {
        tags,
        summary: "Your trust's email domains, verified or waiting for their DNS TXT record",
        response: { 200: z.object({ domains: z.array(claimedDomain) }) },
      },
    },
    async (request) => ({ domains: await listEmailDomains(request.ctx) }),
  );

  app.post(
    '/api/trust/domains',
    {
      schema: {
        tags,
        summary: 'Claim an email domain for your trust; publish the TXT record it answers, then verify',
        body: z.object({ domain: z.string().max(253), _csrf: z.string().optional() }),
        response: { 201: claimedDomain },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await claimEmailDomain(request.ctx, { domain: request.body.domain })),
  );

  app.post(
    '/api/trust/domains/:domain/verify',
    {
      schema: {
        tags,
        summary:
          'Check the DNS TXT record of a claimed domain; once verified, no other trust can invite at it',
        params: z.object({ domain: z.string().max(253) }),
        body: z.object({ _csrf: z.string().optional() }).nullish(),
        response: { 200: claimedDomain },
      },
    },
    async (request) =>
      verifyEmailDomain(request.ctx, { domain: request.params.domain }, { resolveTxt: app.resolveTxt }),
  );
};
