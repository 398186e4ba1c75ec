import type { Transaction } from '../../db/client.js';
import type { User } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { ServiceContext } from '../core/service-context.js';
import { createSession, destroySession, type NewSession } from './session-store.js';

export interface SignedInUser {
  id: string;
  email: string;
  displayName: string;
  trustId: string;
}

export interface SignInResult {
  user: SignedInUser;
  session: NewSession;
}

export interface SessionRequest {
  address: string;
  userAgent?: string | undefined;
  /** The session the browser already had: it ends, and a new id is issued (fixation). */
  previousSessionId?: string | undefined;
}

/** The last step of every sign-in: a fresh session id and the user.signed_in entry, in one commit. */
export async function openSession(
  tx: Transaction,
  ctx: ServiceContext,
  user: User,
  method: 'password' | 'sso',
  request: SessionRequest,
  details: Record<string, unknown> = {},
): Promise<SignInResult> {
  if (request.previousSessionId) await destroySession(tx, request.previousSessionId);
  const session = await createSession(tx, {
    userId: user.id,
    method,
    ipAddress: request.address,
    ...(request.userAgent ? { userAgent: request.userAgent } : {}),
  });
  await emitAudit(
    tx,
    { ...ctx, actor: { type: 'user', id: user.id, label: user.displayName } },
    {
      action: 'user.signed_in',
      schoolId: null,
      subject: { type: 'user', id: user.id, label: user.displayName },
      details: { method, ...details },
      personal: { address: request.address },
    },
  );
  return {
    user: { id: user.id, email: user.email, displayName: user.displayName, trustId: user.trustId },
    session,
  };
}
