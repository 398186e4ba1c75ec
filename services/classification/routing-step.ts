import { escalations } from '../../db/schema/index.js';
import { accountLabel } from '../accounts/account-label.js';
import { escalationSubjectLabel } from '../audit/audit-labels.js';
import { emitAudit } from '../audit/emit-audit.js';
import { systemActor } from '../core/actor.js';
import { ServiceError } from '../core/service-error.js';
import type { ProcessingStep } from '../ingestion/processing-pipeline.js';
import { batchAccount, batchSchool } from '../ingestion/processing-pipeline.js';
import type { ActionDispatch } from '../moderation/action-access.js';
import { actionMode } from '../moderation/action-rules.js';
import { conductFindings, routeConduct } from '../moderation/conduct-escalation.js';
import { routeSafeguardingConcern } from '../moderation/escalation-routes.js';
import { takeAction } from '../moderation/take-action.js';
import { notifyFlagDigest } from '../notifications/notify-flag-digest.js';
import { accountAdminIds, notifyUsers, schoolRoleUserIds } from '../notifications/notify-users.js';
import { type Route, routesFor } from './routes-for.js';
import type { Label } from './types.js';

/** What an auditor reads about a flag: which rules fired and how severe, never the comment's words. */
function labelSummary(labels: readonly Label[]) {
  return labels.map((l) => ({
    category: l.category,
    subcategory: l.subcategory,
    severity: l.severity,
    source: l.source,
  }));
}

const describe = (labels: readonly Label[], category: string) =>
  [
    ...new Set(labels.filter((l) => l.category === category).map((l) => l.subcategory.replaceAll('_', ' '))),
  ].join(', ');

export interface RoutingStepOptions {
  /** Hands an automatic hide to the execute-action job after commit (else the action relay does). */
  dispatch?: ActionDispatch;
  onRoutes?: (commentId: string, routes: Route[]) => Promise<unknown>;
}

/**
 * Sends a classified comment where the policy says it must go: offensive flags to the account's
 * admins (P3), safeguarding straight to the safeguarding leads (P8, P11), media enquiries to senior
 * leaders (P6), unacceptable conduct to a senior leader and personal data also to the data
 * protection officer (P7, conduct-escalation.ts). Each route is audited in the same transaction; notifications are rows in it too.
 * With the account's auto-hide on, a high-severity offensive comment is also hidden by a system
 * action through the normal action path (take-action → execute-action job), which an admin can
 * undo with unhide; the admins are still notified.
 */
export function routingStep(options: RoutingStepOptions = {}): ProcessingStep {
  const { dispatch, onRoutes } = options;
  return {
    name: 'route',
    async run(tx, ctx, state) {
      const comment = state.comment;
      const labels = (state.updates.labels ?? comment.labels) as Label[];
      if (labels.length === 0) return;
      // Read once per batch: a poll page's comments share their account and school.
      const account = await batchAccount(tx, state);
      if (!account) return;
      const school = await batchSchool(tx, state);
      const routes = routesFor({ labels, classifierVersion: '' }, account.settings);
      const onAccount = accountLabel(account);
      const subject = {
        type: 'comment',
        id: comment.id,
        label: `Comment ${comment.externalId} on ${onAccount}`,
      };
      const personal = { authorHandle: comment.authorHandle };
      const link = `/comments/${comment.id}`;

      let autoHidden: string | null = null;
      if (routes.includes('auto_hide') && actionMode(account.platform, 'hide') === 'platform') {
        try {
          const { action } = await takeAction(
            { ...ctx, tx, actor: systemActor('auto-hide'), schoolIds: null },
            {
              commentId: comment.id,
              kind: 'hide',
              reasonCategory: 'offensive',
              reasonText: `Hidden automatically: high-severity offensive comment (${describe(labels, 'offensive')}); the account's auto-hide setting is on`,
            },
          );
          autoHidden = action.id;
          if (dispatch && action.status === 'queued') {
            const id = action.id;
            state.afterCommit.push(() => dispatch.enqueue(id).catch(() => {}));
          }
        } catch (error) {
          // A hide already under way (an admin was quicker): nothing more to do.
          if (!(error instanceof ServiceError && error.code === 'CONFLICT')) throw error;
        }
      }

      if (routes.includes('flag_admins') || routes.includes('flag_personal_data')) {
        await emitAudit(tx, ctx, {
          action: 'comment.flagged',
          schoolId: comment.schoolId,
          subject,
          details: {
            routes,
            labels: labelSummary(labels),
            ...(autoHidden ? { autoHideActionId: autoHidden } : {}),
          },
          personal,
        });
      }
      if (routes.includes('flag_admins') && autoHidden) {
        // Hidden by the system on the admins' behalf: told on its own, never folded into a flag
        // digest, so each admin sees that it was hidden and can undo it.
        await notifyUsers(tx, {
          schoolId: comment.schoolId,
          userIds: await state.batch.memo(`route:admins:${account.id}`, () =>
            accountAdminIds(tx, account.id),
          ),
          event: 'comment.auto_hidden',
          urgency: 'normal',
          title: `Comment hidden automatically on ${onAccount}`,
          body: `A comment was flagged as ${describe(labels, 'offensive')} and hidden automatically (the account's auto-hide setting). Unhide it if that was wrong.`,
          link: `/comments/${comment.id}`,
          subject: { type: 'comment', id: comment.id },
        });
      } else if (routes.includes('flag_admins')) {
        await notifyFlagDigest(tx, {
          schoolId: comment.schoolId,
          userIds: await state.batch.memo(`route:admins:${account.id}`, () =>
            accountAdminIds(tx, account.id),
          ),
          commentId: comment.id,
          onAccount,
          body: `A comment was flagged as ${describe(labels, 'offensive')}. Hide it if it breaks the policy.`,
        });
      }
      if (routes.includes('escalate_safeguarding')) {
        await routeSafeguardingConcern(
          tx,
          ctx,
          {
            schoolId: comment.schoolId,
            commentId: comment.id,
            onAccount,
            schoolName: school?.name ?? null,
          },
          {
            reason: `Safeguarding concern: ${describe(labels, 'safeguarding')}`,
            summary: `Safeguarding concern: ${describe(labels, 'safeguarding')}`,
            raisedBy: null,
            details: { labels: labelSummary(labels) },
            personal,
            leads: () =>
              state.batch.memo(`route:safeguarding:${comment.schoolId}`, () =>
                schoolRoleUserIds(tx, comment.schoolId, ['safeguarding_lead']),
              ),
          },
        );
      }
      if (routes.includes('notify_senior_leaders')) {
        const [escalation] = await tx
          .insert(escalations)
          .values({
            schoolId: comment.schoolId,
            commentId: comment.id,
            kind: 'media',
            reason: 'Media enquiry: no reply without senior-leader approval (P6)',
          })
          .returning({ id: escalations.id });
        await emitAudit(tx, ctx, {
          action: 'escalation.raised',
          schoolId: comment.schoolId,
          subject: {
            type: 'escalation',
            id: escalation!.id,
            label: escalationSubjectLabel('media', onAccount),
          },
          details: { kind: 'media', commentId: comment.id },
          personal,
        });
        await notifyUsers(tx, {
          schoolId: comment.schoolId,
          userIds: await state.batch.memo(`route:senior:${comment.schoolId}`, () =>
            schoolRoleUserIds(tx, comment.schoolId, ['senior_leader']),
          ),
          event: 'escalation.media',
          urgency: 'normal',
          title: `Media enquiry on ${onAccount}`,
          body: 'A journalist has asked for comment. Any reply needs a senior leader’s approval.',
          link,
          subject: { type: 'comment', id: comment.id },
        });
      }
      const conduct = conductFindings(labels);
      if (conduct) await routeConduct(tx, ctx, comment, onAccount, conduct, personal);
      if (onRoutes) state.afterCommit.push(() => onRoutes(comment.id, routes));
    },
  };
}
