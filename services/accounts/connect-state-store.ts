import type { Redis } from 'ioredis';
import { z } from 'zod';

/** An OAuth round trip has ten minutes to come back, and its state works once. */
export const CONNECT_STATE_TTL_SECONDS = 600;

const pendingConnectSchema = z.object({
  accountId: z.uuid(),
  userId: z.uuid(),
  /** which platform's sign-in the round trip belongs to: a state never crosses to the other callback */
  method: z.enum(['oauth2-pkce', 'facebook-login']).default('oauth2-pkce'),
  codeVerifier: z.string().min(1),
  redirectUri: z.string().min(1),
});
export type PendingConnect = z.input<typeof pendingConnectSchema>;
export type TakenConnect = z.output<typeof pendingConnectSchema>;

export interface ConnectStateStore {
  save(state: string, pending: PendingConnect): Promise<void>;
  /** Returns and forgets the round trip, or null if it expired, was used, or never existed. */
  take(state: string): Promise<TakenConnect | null>;
}

/**
 * The PKCE verifier lives in Redis, not the database: it is short-lived and losing it only means
 * the person clicks Connect again. With Redis down, save throws and the API answers 503.
 */
export function redisConnectStateStore(redis: Redis, prefix: string): ConnectStateStore {
  const key = (state: string) => `${prefix}:oauth:${state}`;
  return {
    async save(state, pending) {
      await redis.set(key(state), JSON.stringify(pending), 'EX', CONNECT_STATE_TTL_SECONDS);
    },
    async take(state) {
      if (!/^[\w.~-]{1,200}$/.test(state)) return null;
      const raw = await redis.getdel(key(state));
      if (raw === null) return null;
      const parsed = pendingConnectSchema.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    },
  };
}
