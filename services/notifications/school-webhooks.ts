import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { schoolWebhooks } from '../../db/schema/index.js';
import { emitAudit } from '../audit/emit-audit.js';
import { assertRole } from '../core/authorization.js';
import type { OutboundPolicy } from '../core/outbound-address.js';
import { decryptSecret, encryptSecret } from '../core/secret-box.js';
import { queryable, type ServiceContext } from '../core/service-context.js';
import { invalidField, notFound } from '../core/service-error.js';
import { withTransaction } from '../core/with-transaction.js';
import { checkWebhookUrl, maskWebhookUrl } from './webhook-url.js';

export interface WebhookView {
  id: string;
  kind: 'teams' | 'slack';
  label: string;
  /** Never the URL itself: it is a secret. */
  urlMasked: string;
  enabled: boolean;
  consecutiveFailures: number;
  lastFailureAt: Date | null;
  createdAt: Date;
}

type SchoolWebhook = typeof schoolWebhooks.$inferSelect;

const DOING = "manage the school's notification webhooks";

function view(row: SchoolWebhook, encryptionKey: Buffer): WebhookView {
  let urlMasked = '…';
  try {
    urlMasked = maskWebhookUrl(decryptSecret(encryptionKey, row.urlEncrypted));
  } catch {
    urlMasked = '(cannot be decrypted with the current ENCRYPTION_KEY)';
  }
  return {
    id: row.id,
    kind: row.kind,
    label: row.label,
    urlMasked,
    enabled: row.enabled,
    consecutiveFailures: row.consecutiveFailures,
    lastFailureAt: row.lastFailureAt,
    createdAt: row.createdAt,
  };
}

/** A school's Teams and Slack webhooks with their failure state (trust admins). */
export async function listWebhooks(
  ctx: ServiceContext,
  input: { schoolId: string },
  deps: { encryptionKey: Buffer },
): Promise<{ webhooks: WebhookView[] }> {
  assertRole(ctx, input.schoolId, ['trust_admin'], DOING);
  const rows = await queryable(ctx)
    .select()
    .from(schoolWebhooks)
    .where(eq(schoolWebhooks.schoolId, input.schoolId))
    .orderBy(asc(schoolWebhooks.createdAt));
  return { webhooks: rows.map((r) => view(r, deps.encryptionKey)) };
}

export const addWebhookInput = z.object({
  schoolId: z.uuid(),
  kind: z.enum(['teams', 'slack']),
  label: z.string().trim().min(1, 'name the channel').max(100),
  url: z.string().trim().min(1).max(2_000),
});
export type AddWebhookInput = z.input<typeof addWebhookInput>;

/**
 * Adds a Teams or Slack incoming webhook; the URL is encrypted at rest and never shown again. A URL
 * that leads into the installation's own network (or to a cloud metadata service) is refused here
 * and again before every post (deliverNotification), where DNS may answer differently.
 */
export async function addWebhook(
  ctx: ServiceContext,
  raw: AddWebhookInput,
  deps: { encryptionKey: Buffer; outbound: OutboundPolicy },
): Promise<{ webhook: WebhookView }> {
  const input = addWebhookInput.parse(raw);
  assertRole(ctx, input.schoolId, ['trust_admin'], DOING);
  const target = await checkWebhookUrl(input.url, deps.outbound);
  if (!target.ok) throw invalidField('url', `url: ${target.why}`);
  const url = target.url.toString();
  const row = await withTransaction(ctx, async (tx, txCtx) => {
    const [created] = await tx
      .insert(schoolWebhooks)
      .values({
        schoolId: input.schoolId,
        kind: input.kind,
        label: input.label,
        urlEncrypted: encryptSecret(deps.encryptionKey, url),
      })
      .returning();
    await emitAudit(tx, txCtx, {
      action: 'school.webhook_added',
      schoolId: input.schoolId,
      subject: { type: 'school', id: input.schoolId, label: `${input.kind} webhook "${input.label}"` },
      details: { webhookId: created!.id, kind: input.kind, label: input.label, url: maskWebhookUrl(url) },
    });
    return created!;
  });
  return { webhook: view(row, deps.encryptionKey) };
}

/** Removes a webhook: nothing more is posted to it, and its encrypted URL is deleted. */
export async function removeWebhook(
  ctx: ServiceContext,
  raw: { schoolId: string; webhookId: string },
): Promise<{ removed: true; id: string }> {
  const input = z.object({ schoolId: z.uuid(), webhookId: z.uuid() }).parse(raw);
  assertRole(ctx, input.schoolId, ['trust_admin'], DOING);
  return withTransaction(ctx, async (tx, txCtx) => {
    const [gone] = await tx
      .delete(schoolWebhooks)
      .where(and(eq(schoolWebhooks.id, input.webhookId), eq(schoolWebhooks.schoolId, input.schoolId)))
      .returning();
    if (!gone) throw notFound('That webhook');
    await emitAudit(tx, txCtx, {
      action: 'school.webhook_removed',
      schoolId: input.schoolId,
      subject: { type: 'school', id: input.schoolId, label: `${gone.kind} webhook "${gone.label}"` },
      details: { webhookId: gone.id, kind: gone.kind, label: gone.label },
    });
    return { removed: true as const, id: gone.id };
  });
}
