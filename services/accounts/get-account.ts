import { z } from 'zod';
import type { ServiceContext } from '../core/service-context.js';
import { loadAccount } from './account-access.js';
import { type AccountView, describeAccount } from './account-view.js';

export const getAccountInput = z.object({ accountId: z.uuid() });

/** One account with its admins and governance status; another school's answers NOT_FOUND. */
export async function getAccount(
  ctx: ServiceContext,
  raw: z.input<typeof getAccountInput>,
): Promise<AccountView> {
  const input = getAccountInput.parse(raw);
  const db = ctx.tx ?? ctx.db;
  return describeAccount(db, await loadAccount(ctx, db, input.accountId));
}
