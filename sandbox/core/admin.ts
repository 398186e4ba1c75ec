import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FaultSettings, SandboxFaults } from './faults.js';
import { jsonBody } from './http.js';
import type { SandboxRateLimits } from './rate-limits.js';
import type { RequestLog } from './request-log.js';

// The admin helpers every platform shares, under /sandbox/ so nothing mistakes them for a
// platform: switch faults, read the request log, reset the rate-limit windows.

export interface AdminInput {
  /** the body's fields, {} when there is none */
  input: Record<string, unknown>;
  str(key: string): string | undefined;
}

export function adminInput(body: unknown): AdminInput {
  const parsed = jsonBody(body);
  const input = (parsed !== null && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  return { input, str: (key) => (typeof input[key] === 'string' ? (input[key] as string) : undefined) };
}

export function bad(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).send({ error: message });
}

/** a handler whose thrown errors (an unknown user, a bad username) answer 400 with the message */
export function adminHandler<R>(
  handle: (request: R, reply: FastifyReply) => FastifyReply | Promise<FastifyReply>,
): (request: R, reply: FastifyReply) => Promise<FastifyReply> {
  return async (request, reply) => {
    try {
      return await handle(request, reply);
    } catch (error) {
      return bad(reply, error instanceof Error ? error.message : 'bad request');
    }
  };
}

export async function coreAdmin(
  admin: FastifyInstance,
  deps: { faults: SandboxFaults; rateLimits: SandboxRateLimits; log: RequestLog },
): Promise<void> {
  const { faults } = deps;
  admin.get('/faults', async () => faults.snapshot());
  admin.delete('/faults', async () => {
    faults.reset();
    return faults.snapshot();
  });
  admin.post('/faults', async (request) => {
    const { input } = adminInput(request.body);
    if (input.reset === true) faults.reset();
    else faults.set(input as FaultSettings);
    return faults.snapshot();
  });
  admin.get('/log', async (request) => {
    const limit = Number(new URL(request.url, 'http://sandbox.invalid').searchParams.get('limit') ?? '1000');
    return deps.log.entries.slice(-Math.max(1, limit));
  });
  admin.post('/rate-limits/reset', async () => {
    deps.rateLimits.reset();
    return { reset: true };
  });
}
