import { eq } from 'drizzle-orm';
import { socialAccounts } from '../../db/schema/index.js';
import { openAccountAdapter } from '../accounts/open-account-adapter.js';
import type { ServiceContext } from '../core/service-context.js';
import { isPlatformError } from '../platforms/adapter.js';
import type { AdapterFactory } from '../platforms/adapter-factory.js';
import { storeDelivered } from './poll-account.js';

export interface IngestMentionDeps {
  encryptionKey: Buffer;
  adapterFor: AdapterFactory;
  /** after the comment commits: enqueue its process job */
  onInserted: (commentIds: string[]) => Promise<void>;
}

export type IngestMentionResult =
  | { status: 'stored'; inserted: number; quarantined: number }
  | { status: 'skipped'; reason: 'not_found' | 'not_active' | 'needs_reauth' | 'not_supported' | 'gone' };

/**
 * A comment that @mentions an Instagram account on someone else's media: the webhook named it,
 * this reads it from the Graph API and stores it through the poll's own store, so a mention read
 * twice (a duplicated delivery, a retried job) or also found by a poll is one row.
 */
export async function ingestMention(
  ctx: ServiceContext,
  input: { accountId: string; mediaId: string; commentId: string },
  deps: IngestMentionDeps,
): Promise<IngestMentionResult> {
  const [account] = await ctx.db.select().from(socialAccounts).where(eq(socialAccounts.id, input.accountId));
  if (!account) return { status: 'skipped', reason: 'not_found' };
  if (account.status !== 'active') return { status: 'skipped', reason: 'not_active' };
  if (account.credentialStatus !== 'valid' || !account.credentialsEncrypted)
    return { status: 'skipped', reason: 'needs_reauth' };
  const adapter = openAccountAdapter(ctx, account, deps, 'poll');
  try {
    if (!adapter.fetchMention) return { status: 'skipped', reason: 'not_supported' };
    let read: Awaited<ReturnType<NonNullable<typeof adapter.fetchMention>>>;
    try {
      read = await adapter.fetchMention({ mediaId: input.mediaId, commentId: input.commentId });
    } catch (error) {
      // Refused for good (deleted before we read it, no longer mentions the account): nothing to
      // keep. Throttling and outages are retried by the job; a revoked token is the poll's to report.
      if (isPlatformError(error, 'permanent')) return { status: 'skipped', reason: 'gone' };
      throw error;
    }
    const stored = await storeDelivered(ctx, account, read);
    await deps.onInserted(stored.ids).catch(() => {});
    return { status: 'stored', inserted: stored.ids.length, quarantined: stored.quarantinedNow };
  } finally {
    adapter.close();
  }
}
